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


LAW_2023 = dt.date(2024, 1, 1)  # 《行政复议法》(2023修订) in force (art.90)


def _intake_errors(case: ReconsiderationCase, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """A 补正 notice or a 不予受理 decision only within the acceptance review period (arts.30, 31;
    1999 text art.17); afterwards the case is accepted by law and can only be 驳回 (art.33)."""
    from fazhi.registers.framework.clocks import matter_clocks

    field = "correction_requested_on" if transition == "request_correction" else "decided_on"
    day = data.get(field)
    errors: dict[str, list[str]] = {}
    new_law = case.received_on >= LAW_2023
    if transition == "request_correction" and new_law and case.correction_requested_on is not None:
        errors.setdefault(field, []).append("补正通知应当一次性载明需要补正的事项，不能再次通知补正（《行政复议法》第三十一条）")
    if day is None:
        return errors
    acceptance = next((c for c in matter_clocks(case, explain=False) if c.rule == "reconsideration.acceptance"), None)
    if acceptance is None or acceptance.result.due is None or day <= acceptance.result.due:
        return errors
    what = "通知补正" if transition == "request_correction" else "决定不予受理"
    due = f"{acceptance.result.due:%Y年%-m月%-d日}"
    if new_law:
        errors.setdefault(field, []).append(
            f"受理审查期限已于{due}届满，依法视为受理（《行政复议法》第三十条第三款），不能再{what}；"
            "受理后发现不符合受理条件的，应当决定驳回行政复议申请（第三十三条）"
        )
    else:
        errors.setdefault(field, []).append(
            f"审查期限已于{due}届满，申请自收到之日起即为受理（1999年《行政复议法》第十七条），不能再{what}"
        )
    return errors


BY_OWN_STEP = {"mediated": "调解结案（制作调解书）", "settled_withdrawn": "和解后撤回申请，终止审理"}


class ReconsiderationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        case: ReconsiderationCase = matter

        errors = date_errors(None if transition == CREATE else case, data, DATE_ORDER)
        if transition == CREATE:
            return errors
        if transition in ("request_correction", "reject_at_intake"):
            errors |= _intake_errors(case, transition, data)
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
