"""Checks of the 人民调解 procedure and of 排查 records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.mediation.models import MediationCommittee, Mediator

DATE_ORDER: DateOrder = [
    ("concluded_on", ("received_on",), "受理日期"),
    ("confirmation_applied_on", ("concluded_on",), "调解协议达成日期"),
    ("confirmation_ruled_on", ("confirmation_applied_on",), "申请司法确认日期"),
    ("performance_checked_on", ("concluded_on",), "调解协议达成日期"),
]
AGREEMENTS = {"written_agreement", "oral_agreement"}
CONFIRMATION_RULE = "mediation.judicial_confirmation"  # 人民调解法 art.33, definitions/clocks/services.yaml


def confirmation_deadline(concluded_on: dt.date) -> dt.date | None:
    from fazhi.law.clocks import clock_compute

    return clock_compute(CONFIRMATION_RULE, concluded_on, explain=False).due


def _committee_errors(unit: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    committee_id = data.get("committee")
    if committee_id is not None and not MediationCommittee.objects.filter(pk=committee_id, unit=unit).exists():
        errors["committee"] = [f"该调委会的台账不由{unit.name}管理，请选择本单位的调委会"]
    mediator_id = data.get("mediator")
    if mediator_id is not None and committee_id is not None and not Mediator.objects.filter(pk=mediator_id, committee_id=committee_id).exists():
        errors["mediator"] = ["该调解员不属于所选调委会"]
    return errors


class MediationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if transition == CREATE:
            errors |= _committee_errors(matter.unit, data)
        outcome = data.get("outcome")
        if transition == "agree" and outcome and outcome not in AGREEMENTS:
            errors.setdefault("outcome", []).append("达成协议时，结果应为书面或口头调解协议")
        if transition == "fail" and outcome in AGREEMENTS:
            errors.setdefault("outcome", []).append("调解不成或终止时，结果不能是调解协议")
        if transition == "apply_confirmation" and matter.outcome not in AGREEMENTS:
            errors.setdefault("confirmation_applied_on", []).append("未达成调解协议的纠纷不能申请司法确认（《人民调解法》第三十三条）")
        applied = data.get("confirmation_applied_on")
        deadline = confirmation_deadline(matter.concluded_on) if transition == "apply_confirmation" and applied and matter.concluded_on else None
        if deadline and applied and applied > deadline:
            errors.setdefault("confirmation_applied_on", []).append(
                f"应自调解协议生效之日起三十日内（本案至 {deadline:%Y-%m-%d}）申请司法确认（《人民调解法》第三十三条）"
            )
        if transition == "record_confirmation" and not matter.confirmation_applied_on:
            errors.setdefault("confirmation_ruled_on", []).append("尚未记录申请司法确认")
        return errors


class ScreeningHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None, data, [])
        if transition == CREATE:
            errors |= _committee_errors(matter.unit, data)
        found = data.get("disputes_found", matter.disputes_found) or 0
        handled = (data.get("disputes_resolved", matter.disputes_resolved) or 0) + (data.get("disputes_referred", matter.disputes_referred) or 0)
        if handled > found:
            errors.setdefault("disputes_resolved", []).append(f"当场化解与移交件数之和（{handled}）不能超过排查发现的纠纷数（{found}）")
        return errors
