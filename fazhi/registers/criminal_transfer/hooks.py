"""Checks of the 两法衔接 chain: a team of two officers, the order of the dates, the linked case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.masking import party_fields_errors
from fazhi.registers.enforcement.hooks import officer_errors, officers_certified
from fazhi.registers.enforcement.models import EnforcementCase
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("approved_on", ("received_on",), "移送报告日期"),
    ("transferred_on", ("approved_on",), "负责人审批日期"),
    ("police_received_on", ("transferred_on",), "移送日期"),
    ("police_decided_on", ("reconsideration_requested_on", "police_received_on"), "公安机关受理（提请复议）日期"),
    ("reconsideration_requested_on", ("police_decided_on",), "不予立案决定日期"),
    ("reconsideration_decided_on", ("reconsideration_requested_on",), "提请复议日期"),
    ("supervision_requested_on", ("reconsideration_decided_on", "police_decided_on"), "复议决定（不予立案）日期"),
    ("handed_over_on", ("police_decided_on",), "立案日期"),
    ("closed_on", ("supervision_requested_on", "police_decided_on", "received_on"), "前一步骤日期"),
]


class TransferHooks:
    def choices(self, field: str, units: Any, day: dt.date) -> Any:
        if field in ("lead_officer", "second_officer"):
            return officers_certified(units, day)
        if field == "enforcement_case":
            return EnforcementCase.objects.filter(unit__in=list(units))
        return None

    def prefill(self, user: Any, params: Any) -> dict[str, Any]:
        """A 移送 started from a 以罚代刑 flag (``?from_case=<pk>`` on the enforcement case's page):
        what the case and its flag already say. Nothing for a case the user may not see."""
        from fazhi.registers.criminal_transfer.models import Origin
        from fazhi.registers.framework.registry import register_get
        from fazhi.registers.framework.selectors import matters_visible_to

        raw = params.get("from_case", "")
        if not raw.isdigit():
            return {}
        case: Any = matters_visible_to(user, register_get("enforcement")).filter(pk=int(raw)).first()
        if case is None:
            return {}
        flag = case.impunity_flags.filter(cleared_on__isnull=True).order_by("pk").first()
        out: dict[str, Any] = {
            "enforcement_case": case.pk,
            "origin": Origin.SUPERVISION if flag is not None else Origin.OWN,
            "suspect_type": case.party_type,
            "suspect_name": case.party_name,
            "suspect_id_number": case.party_id_number,
            "amount_involved": flag.amount if flag is not None else case.amount_involved,
            "facts": case.facts,
            "lead_officer": case.lead_officer_id,
            "second_officer": case.second_officer_id,
        }
        if flag is not None:
            out["offence"] = flag.offence_label
        return out

    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        errors |= party_fields_errors(matter, data, "suspect_type", "suspect_id_number")
        if transition == CREATE:
            # art.5: a team of at least two officers writes the report
            errors |= officer_errors(matter.unit, data.get("lead_officer"), data.get("second_officer"), data.get("received_on"))
            case_id = data.get("enforcement_case")
            if case_id is not None and not EnforcementCase.objects.filter(pk=case_id, unit_id=matter.unit_id).exists():
                errors.setdefault("enforcement_case", []).append(f"该执法案件不是{matter.unit.name}办理的案件")
        return errors

    def after(self, matter: Any, transition: str, event: Any) -> None:
        if transition == CREATE and matter.enforcement_case_id:
            from fazhi.registers.enforcement.impunity import impunity_clear

            impunity_clear(matter.enforcement_case, on=matter.received_on, reason=f"已登记移送 {matter.case_number}")
