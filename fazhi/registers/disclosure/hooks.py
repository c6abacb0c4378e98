"""Checks and derived values of the 依申请公开 procedure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.masking import party_fields_errors
from fazhi.law.clocks import clock_compute, clock_rules
from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER = [
    ("correction_requested_on", ("received_on",), "收到申请日期"),
    ("correction_received_on", ("correction_requested_on",), "补正通知日期"),
    ("consultation_sent_on", ("correction_received_on", "received_on"), "收到申请日期"),
    ("consultation_answered_on", ("consultation_sent_on",), "征求意见日期"),
    ("extended_on", ("received_on",), "收到申请日期"),
    ("delay_notified_on", ("correction_received_on", "received_on"), "收到申请日期"),
    ("fee_notified_on", ("correction_received_on", "received_on"), "收到申请日期"),
    ("fee_paid_on", ("fee_notified_on",), "收费通知日期"),
    ("replied_on", ("fee_paid_on", "consultation_answered_on", "correction_requested_on", "received_on"), "收到申请（或前一步骤）日期"),
]

FUTURE_DATES = {"delayed_reply_due_on"}
# the applicant types that are organisations (identified by a 统一社会信用代码); "other" may be either
ORGANISATION_APPLICANTS = ("commercial", "research", "public_interest", "legal_service")
REPLY = "disclosure.reply"
FEE = "disclosure.fee_payment"
# Outcomes that only their own step records (the request counts as withdrawn; arts.30, 42).
DEEMED_WITHDRAWN = {"other_no_correction": "逾期不补正", "other_unpaid_fee": "逾期未缴费"}


def _reply_due(matter: Any) -> dt.date | None:
    """The reply period's due date as it stands before this step (None: paused)."""
    from fazhi.registers.framework.clocks import matter_clocks

    for clock in matter_clocks(matter, explain=False):
        if clock.rule == REPLY:
            return clock.result.due
    return None


def _fee_due(notified_on: dt.date) -> dt.date | None:
    return clock_compute(FEE, notified_on, explain=False).due


class DisclosureHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        # the date set for a 延迟答复 lies ahead by nature; every other date is a day already past
        past = {k: v for k, v in data.items() if k not in FUTURE_DATES}
        errors = date_errors(None if transition == CREATE else matter, past, DATE_ORDER)
        errors |= party_fields_errors(matter, data, "applicant_type", "applicant_id_number", ORGANISATION_APPLICANTS)
        if (
            transition == CREATE
            and data.get("applicant_type") == "natural_person"
            and not (data.get("applicant_phone") or data.get("applicant_email") or data.get("applicant_address"))
        ):
            errors.setdefault("applicant_phone", []).append("请至少填写一种联系方式（《政府信息公开条例》第二十九条）")
        if errors or transition == CREATE:
            return errors
        if transition == "reply" and data.get("outcome") in DEEMED_WITHDRAWN:
            errors.setdefault("outcome", []).append(
                f"“{DEEMED_WITHDRAWN[data['outcome']]}”的申请视为放弃，请通过相应步骤登记（《政府信息公开条例》第三十条、第四十二条）"
            )
        if transition == "extend":
            self._within_period(matter, data["extended_on"], "extended_on", "延长答复期限", "《政府信息公开条例》第三十三条第二款", errors)
        if transition == "delay_reply":
            due = self._within_period(matter, data["delay_notified_on"], "delay_notified_on", "告知延迟答复", "《政府信息公开条例》第三十五条", errors)
            if due is not None and data["delayed_reply_due_on"] <= due:
                errors.setdefault("delayed_reply_due_on", []).append(f"延迟答复期限应晚于现行答复期限 {due}（《政府信息公开条例》第三十五条）")
        if transition == "notify_fee":
            since = clock_rules()[FEE].values[0].since
            if data["fee_notified_on"] < since:
                errors.setdefault("fee_notified_on", []).append(f"收取信息处理费自 {since} 起施行（《政府信息公开信息处理费管理办法》）")
            else:
                self._within_period(matter, data["fee_notified_on"], "fee_notified_on", "发出收费通知", "《政府信息公开信息处理费管理办法》第七条", errors)
            if data["fee_amount"] is not None and data["fee_amount"] <= 0:
                errors.setdefault("fee_amount", []).append("“信息处理费（元）”应大于零")
        if transition in ("fee_paid", "abandon_unpaid") and matter.fee_notified_on:
            fee_due = _fee_due(matter.fee_notified_on)
            assert fee_due is not None
            if transition == "fee_paid" and data["fee_paid_on"] > fee_due:
                errors.setdefault("fee_paid_on", []).append(
                    f"缴费期限已于 {fee_due} 届满，逾期未缴纳的视为放弃申请，请登记“逾期未缴费，视为放弃申请”（《政府信息公开信息处理费管理办法》第七条）"
                )
            if transition == "abandon_unpaid" and data["replied_on"] <= fee_due:
                errors.setdefault("replied_on", []).append(f"缴费期限至 {fee_due} 届满，届满前不能视为放弃申请（《政府信息公开信息处理费管理办法》第七条）")
        return errors

    @staticmethod
    def _within_period(matter: Any, day: dt.date, name: str, what: str, article: str, errors: dict[str, list[str]]) -> dt.date | None:
        """Refuse a step the law allows only within the reply period, once it has run out."""
        due = _reply_due(matter)
        if due is not None and day > due:
            errors.setdefault(name, []).append(f"答复期限已于 {due} 届满，不能再{what}（{article}）")
        return due

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        # 视为放弃申请: counted as 其他处理 in the annual report table (arts.30, 42)
        if transition == "abandon":
            return {"outcome": "other_no_correction"}
        if transition == "abandon_unpaid":
            return {"outcome": "other_unpaid_fee"}
        return {}
