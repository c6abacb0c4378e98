"""Checks of the 行政复议 procedure that the declaration cannot express."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.reconsideration.models import Procedure, ReconsiderationCase


def simplified_since() -> dt.date:
    """简易程序 exists only from the law version that defines its clock (2023 revision, art.53, art.90)."""
    from fazhi.law.clocks import clock_rules

    return clock_rules()["reconsideration.decision_simplified"].values[0].since


DATE_ORDER = [
    ("correction_requested_on", ("received_on",), "收到日期"),
    ("correction_received_on", ("correction_requested_on",), "补正通知日期"),
    ("accepted_on", ("correction_received_on", "received_on"), "收到申请（或补正）日期"),
    ("suspended_on", ("accepted_on",), "受理日期"),
    ("resumed_on", ("suspended_on",), "中止日期"),
    ("extended_on", ("accepted_on",), "受理日期"),
    ("hearing_on", ("accepted_on",), "受理日期"),
    ("decided_on", ("accepted_on", "received_on"), "受理日期"),
    ("closed_on", ("decided_on", "received_on"), "决定日期"),
]


class ReconsiderationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        case: ReconsiderationCase = matter

        errors = date_errors(None if transition == CREATE else case, data, DATE_ORDER)
        if transition == CREATE:
            return errors
        if transition == "accept" and data.get("procedure") == Procedure.SIMPLIFIED:
            accepted_on = data.get("accepted_on")
            since = simplified_since()
            if accepted_on and accepted_on < since:
                errors.setdefault("procedure", []).append(f"简易程序自{since:%Y年%-m月%-d日}起适用（《行政复议法》第五十三条、第九十条）")
        if transition == "extend" and case.procedure == Procedure.SIMPLIFIED:
            errors.setdefault("extended_on", []).append("简易程序案件不能延期（《行政复议法》第六十二条）")
        return errors
