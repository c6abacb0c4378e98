"""Checks of the 检察建议 / 司法建议 procedure."""

from __future__ import annotations

from typing import Any

from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("assigned_on", ("received_on",), "收到日期"),
    ("rectified_on", ("assigned_on", "received_on"), "交办日期"),
    ("replied_on", ("received_on",), "收到日期"),
    ("archived_on", ("replied_on",), "书面回复日期"),
]

STATUTORY = {"public_interest": "oversight_suggestions.public_interest_reply", "public_interest_urgent": "oversight_suggestions.public_interest_urgent_reply"}


def reply_basis(kind: str, urgent: Any) -> str:
    """Which reply period applies: the kind, and for a 公益诉讼 one the 紧急情形 (两高解释 art.21)."""
    if kind == "public_interest" and urgent in (True, "true", "True", "1", 1, "是"):
        return "public_interest_urgent"
    return kind


class SuggestionHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        # the reply date a letter names lies ahead: not a date of something done (no "not after today")
        errors = date_errors(None if transition == CREATE else matter, {k: v for k, v in data.items() if k != "letter_reply_due_on"}, DATE_ORDER)
        if transition == CREATE:
            if data.get("urgent") and data.get("kind") not in (None, "", "public_interest"):
                errors.setdefault("urgent", []).append("十五日内回复的紧急情形只适用于公益诉讼诉前检察建议")
            if data.get("document_number") and data.get("issuer"):
                from fazhi.registers.oversight_suggestions.models import OversightSuggestion

                same = OversightSuggestion.objects.filter(unit=matter.unit, issuer=data["issuer"], document_number=data["document_number"])
                if same.exists():
                    errors.setdefault("document_number", []).append(f"本单位已登记过该建议书，案号 {same.first()}")
            errors = _letter_due_errors(data, errors)
        if transition == "reply" and data.get("outcome") in ("partly", "not_adopted") and not str(data.get("not_adopted_reason") or "").strip():
            errors.setdefault("not_adopted_reason", []).append("部分采纳或不予采纳的，应当在回复中说明理由")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        if transition == CREATE:
            return {"reply_basis": reply_basis(str(data.get("kind") or ""), data.get("urgent"))}
        return {}


def _letter_due_errors(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """A 公益诉讼 诉前检察建议's reply period is the 两高解释's (art.21 para.2): the letter may ask for
    an earlier reply, never a later one."""
    due, received = data.get("letter_reply_due_on"), data.get("received_on")
    rule = STATUTORY.get(reply_basis(str(data.get("kind") or ""), data.get("urgent")))
    if not due or not received:
        return errors
    if due < received:
        errors.setdefault("letter_reply_due_on", []).append(f"不能早于收到日期（{received:%Y-%m-%d}）")
        return errors
    if rule is None:
        return errors
    from fazhi.law.clocks import NoRuleInForce, clock_compute

    try:
        limit = clock_compute(rule, received, explain=False).due
    except NoRuleInForce:
        return errors
    if limit is not None and due > limit:
        errors.setdefault("letter_reply_due_on", []).append(
            f"公益诉讼诉前检察建议的回复期限由司法解释规定（两个月，紧急情形十五日），建议书载明的回复期限不能晚于{limit:%Y年%-m月%-d日}"
        )
    return errors
