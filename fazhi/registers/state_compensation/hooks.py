"""Checks of the 国家赔偿 procedure (《国家赔偿法》 arts.12–14, 32)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("correction_notice_on", ("received_on",), "收到申请日期"),
    ("corrected_on", ("correction_notice_on",), "一次性告知补正日期"),
    ("heard_on", ("received_on",), "收到申请日期"),
    ("decided_on", ("received_on",), "收到申请日期"),
    ("served_on", ("decided_on",), "决定日期"),
    ("sued_on", ("decided_on",), "决定日期"),
    ("ended_on", ("decided_on",), "决定日期"),
    ("reconsidered_on", ("decided_on",), "决定日期"),
]


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class StateCompensationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if transition == "decide":
            outcome = data.get("outcome")
            if outcome == "compensate":
                if not data.get("mode"):
                    errors.setdefault("mode", []).append("决定赔偿的，应当写明赔偿方式（《国家赔偿法》第三十二条）")
                amount = _amount(data.get("amount"))
                if data.get("mode") == "money" and (amount is None or amount <= 0):
                    errors.setdefault("amount", []).append("支付赔偿金的，应当写明大于零的赔偿金额")
                if data.get("refusal_reason"):
                    errors.setdefault("refusal_reason", []).append("决定赔偿的，不填写不予赔偿的理由")
            elif outcome == "refuse":
                if not (data.get("refusal_reason") or "").strip():
                    errors.setdefault("refusal_reason", []).append("决定不予赔偿的，应当说明不予赔偿的理由（《国家赔偿法》第十三条第四款）")
                if _amount(data.get("amount")):
                    errors.setdefault("amount", []).append("决定不予赔偿的，不填写赔偿金额")
                if data.get("mode"):
                    errors.setdefault("mode", []).append("决定不予赔偿的，不填写赔偿方式")
        if transition == "sue" and matter.state == "pending" and data.get("sued_on"):
            expiry = _decision_due(matter)
            if expiry is not None and data["sued_on"] <= expiry:
                errors.setdefault("sued_on", []).append(
                    f"尚未作出决定的，赔偿请求人自两个月期限届满（{expiry:%Y年%-m月%-d日}）后才能以逾期未作决定为由起诉（《国家赔偿法》第十四条第一款）"
                )
        _link_errors(matter, data, errors)
        if transition == CREATE:
            claimed = _amount(data.get("claimed_amount"))
            if claimed is not None and claimed < 0:
                errors.setdefault("claimed_amount", []).append("请求赔偿金额不能为负数")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        return {}


def _decision_due(matter: Any) -> Any:
    """The last day of the two months to decide (art.13 para.1), counted from receipt."""
    from fazhi.law.clocks import NoRuleInForce, clock_compute

    try:
        return clock_compute("state_compensation.decision", matter.received_on, explain=False).due
    except NoRuleInForce:
        return None


def _link_errors(matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """A linked lawsuit is one this unit defends; a linked 复议 case names this unit as respondent."""
    from fazhi.registers.litigation.models import LitigationCase
    from fazhi.registers.reconsideration.models import ReconsiderationCase

    unit = getattr(matter, "unit_id", None)
    if data.get("litigation_case"):
        defendant = LitigationCase.objects.filter(pk=data["litigation_case"]).values_list("unit_id", flat=True).first()
        if defendant is None or defendant != unit:
            errors.setdefault("litigation_case", []).append("只能关联本单位作为被告应诉的案件")
    if data.get("reconsideration_case"):
        rc = ReconsiderationCase.objects.filter(pk=data["reconsideration_case"]).first()
        if rc is None or getattr(rc, "respondent_unit_id", None) != unit:
            errors.setdefault("reconsideration_case", []).append("只能关联以本单位为被申请人的行政复议案件")
