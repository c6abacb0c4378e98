"""Checks and derived values of the 依申请公开 procedure."""

from __future__ import annotations

from typing import Any

from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER = [
    ("correction_requested_on", ("received_on",), "收到申请日期"),
    ("correction_received_on", ("correction_requested_on",), "补正通知日期"),
    ("consultation_sent_on", ("correction_received_on", "received_on"), "收到申请日期"),
    ("consultation_answered_on", ("consultation_sent_on",), "征求意见日期"),
    ("extended_on", ("received_on",), "收到申请日期"),
    ("replied_on", ("consultation_answered_on", "correction_requested_on", "received_on"), "收到申请（或前一步骤）日期"),
]


class DisclosureHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if (
            transition == CREATE
            and data.get("applicant_type") == "natural_person"
            and not (data.get("applicant_phone") or data.get("applicant_email") or data.get("applicant_address"))
        ):
            errors.setdefault("applicant_phone", []).append("请至少填写一种联系方式（《政府信息公开条例》第二十九条）")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        # 逾期不补正: counted as 其他处理（一） in the annual report table (art.30)
        return {"outcome": "other_no_correction"} if transition == "abandon" else {}
