"""Checks of the 合同合法性审查 / legal-opinion procedure."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from fazhi.core.masking import party_fields_errors
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("assigned_on", ("received_on",), "送审日期"),
    ("opinion_on", ("assigned_on", "received_on"), "指派日期"),
    ("withdrawn_on", ("received_on",), "送审日期"),
]


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def adviser_errors(matter: Any, adviser: Any, day: dt.date | None, field: str, errors: dict[str, list[str]]) -> None:
    """The adviser must serve the submitting unit (or a unit above it) and be in term that day."""
    from fazhi.registers.contract_review.models import LegalAdviser

    if adviser is None:
        return
    if not isinstance(adviser, LegalAdviser):
        adviser = LegalAdviser.objects.filter(pk=adviser).select_related("unit").first()
        if adviser is None:
            _add(errors, field, "名录中没有这位法律顾问或公职律师")
            return
    if not matter.unit.path.startswith(adviser.unit.path):
        _add(errors, field, f"{adviser.name}是{adviser.unit.name}的{adviser.get_kind_display()}，不为{matter.unit.name}提供服务")
    if day is not None and not adviser.serves_on(day):
        end = f"{adviser.term_end:%Y-%m-%d}" if adviser.term_end else "不定期"
        _add(errors, field, f"{adviser.name}的聘任期限为{adviser.term_start:%Y-%m-%d}至{end}，{day:%Y-%m-%d}不在聘任期内")


class ContractReviewHooks:
    def choices(self, field: str, units: Any, day: dt.date) -> Any:
        """The advisers serving these units (or a unit above them), in their term that day."""
        if field != "adviser":
            return None
        from django.db.models import Q

        from fazhi.core.models import Unit
        from fazhi.registers.contract_review.models import LegalAdviser

        above = {u.path[: i + 1] for u in units for i, ch in enumerate(u.path) if ch == "."} | {u.path for u in units}
        serving = LegalAdviser.objects.filter(unit__in=Unit.objects.filter(path__in=above), term_start__lte=day)
        return serving.filter(Q(term_end__isnull=True) | Q(term_end__gte=day)).select_related("unit")

    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        dated = {k: v for k, v in data.items() if k != "requested_by"}  # a deadline asked for lies ahead
        errors = date_errors(None if transition == CREATE else matter, dated, DATE_ORDER)
        errors |= party_fields_errors(matter, data, "counterparty_type", "counterparty_id_number", ("organisation",))
        if transition == CREATE:
            self._create(data, errors)
        elif transition == "assign":
            adviser_errors(matter, data.get("adviser"), data.get("assigned_on"), "adviser", errors)
        elif transition == "give_opinion":
            adviser = data.get("adviser") or matter.adviser
            if adviser is None:
                _add(errors, "adviser", "请选择出具意见的法律顾问或公职律师")
            else:
                adviser_errors(matter, adviser, data.get("opinion_on"), "adviser", errors)
            if data.get("outcome") in ("agree_modified", "disagree") and len(str(data.get("opinion") or "").strip()) < 4:
                _add(errors, "opinion", "修改后同意或不同意的，应当写明修改意见或者不同意的理由")
        return errors

    def _create(self, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        from fazhi.registers.contract_review.models import CONTRACT_CATEGORIES

        kind, category = data.get("kind"), data.get("category")
        if kind == "contract":
            if category and category not in CONTRACT_CATEGORIES:
                _add(errors, "category", "合同合法性审查应选择合同类别（政府采购合同、工程建设合同等）")
            if not str(data.get("counterparty_name") or "").strip():
                _add(errors, "counterparty_name", "送审合同应填写合同相对方")
            if not data.get("counterparty_type"):
                _add(errors, "counterparty_type", "送审合同应选择合同相对方类型")
            amount = data.get("amount")
            if amount is None:
                _add(errors, "amount", "送审合同应填写合同金额（无金额的填0）")
            elif isinstance(amount, decimal.Decimal) and amount < 0:
                _add(errors, "amount", "合同金额不能为负数")
        elif kind == "opinion" and category in CONTRACT_CATEGORIES:
            _add(errors, "category", "法律意见应选择重大涉法事项、信访事项、招商引资事项或其他涉法事项")
        if data.get("counterparty_type") == "natural_person" and not str(data.get("counterparty_id_number") or "").strip():
            _add(errors, "counterparty_id_number", "相对方为自然人的，应填写身份证件号码")
        received, requested = data.get("received_on"), data.get("requested_by")
        if isinstance(received, dt.date) and isinstance(requested, dt.date) and requested < received:
            _add(errors, "requested_by", f"不能早于送审日期（{received:%Y-%m-%d}）")
