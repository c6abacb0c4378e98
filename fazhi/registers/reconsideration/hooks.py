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
    ("views_heard_on", ("accepted_on",), "受理日期"),
    ("procedure_switched_on", ("accepted_on",), "受理日期"),
    ("opinion_letter_on", ("accepted_on",), "受理日期"),
    ("decided_on", ("accepted_on", "received_on"), "受理日期"),
    ("closed_on", ("decided_on", "received_on"), "决定日期"),
]


BY_OWN_STEP = {"mediated": "调解结案（制作调解书）", "settled_withdrawn": "和解后撤回申请，终止审理"}


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
        if transition == "switch_procedure" and case.procedure != Procedure.SIMPLIFIED:
            errors.setdefault("procedure_switched_on", []).append("只有简易程序案件可以转为普通程序（《行政复议法》第五十五条）")
        if transition == "decide":
            outcome = data.get("outcome")
            if outcome in BY_OWN_STEP:
                errors.setdefault("outcome", []).append(f"请使用“{BY_OWN_STEP[outcome]}”步骤")
            if case.normative_document_review and not data.get("normative_document_result"):
                errors.setdefault("normative_document_result", []).append("申请人一并请求审查规范性文件的，应记录附带审查结果（第五十六条）")
            if data.get("compensation_amount") and not data.get("compensation_decided"):
                errors.setdefault("compensation_decided", []).append("填写了赔偿金额的，应勾选“一并作出赔偿决定”")
        if transition == "extend" and case.procedure == Procedure.SIMPLIFIED:
            errors.setdefault("extended_on", []).append("简易程序案件不能延期（《行政复议法》第六十二条）")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        if transition == "switch_procedure":
            return {"procedure": Procedure.ORDINARY}
        if transition == "mediate":
            return {"outcome": "mediated"}
        if transition == "settle":
            return {"outcome": "settled_withdrawn"}
        return {}
