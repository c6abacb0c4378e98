"""Checks of the 建议提案 procedure."""

from __future__ import annotations

from typing import Any

from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("contacted_on", ("received_on",), "交办日期"),
    ("extended_on", ("received_on",), "交办日期"),
    ("answered_on", ("received_on",), "交办日期"),
    ("feedback_on", ("answered_on",), "答复日期"),
]


class ProposalHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if transition == CREATE and data.get("handling_role") in ("lead", "co") and not data.get("co_handling_units"):
            errors.setdefault("co_handling_units", []).append("主办、协办的建议提案应填写其他承办单位")
        if transition == CREATE and data.get("proposal_number"):
            from fazhi.registers.proposals.models import Proposal

            same = Proposal.objects.filter(unit=matter.unit, kind=data.get("kind"), session=data.get("session"), proposal_number=data["proposal_number"])
            if same.exists():
                errors.setdefault("proposal_number", []).append(f"本单位已登记过该会议的第 {data['proposal_number']} 号，案号 {same.first()}")
        if transition == "record_feedback" and data.get("satisfaction") == "dissatisfied":
            errors.setdefault("satisfaction", []).append("代表（委员）不满意的，请使用“不满意，重新办理”步骤")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"satisfaction": "dissatisfied"} if transition == "reopen" else {}
