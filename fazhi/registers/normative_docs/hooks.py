"""Checks of the 规范性文件 procedure: dates in order, the public comment period, the legality
review's opinion and reviewer, the document number, the validity period and the cleanup."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fazhi.law.clocks import NoRuleInForce, clock_compute, clock_rules
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

# Dates that lie ahead by nature: the end of a comment period still running, the day a document
# takes effect, the end of its validity.
FUTURE_OK = ("comment_to", "effective_on", "valid_until")

DATE_ORDER: DateOrder = [
    ("comment_from", ("received_on",), "起草日期"),
    ("comment_to", ("comment_from",), "征求意见起始日期"),
    ("reviewed_on", ("submitted_on",), "送交合法性审核日期"),
    ("meeting_on", ("reviewed_on",), "合法性审核日期"),
    ("published_on", ("meeting_on", "reviewed_on"), "集体审议日期"),
    ("effective_on", ("published_on",), "公布日期"),
    ("filed_on", ("published_on",), "公布日期"),
    ("filing_reviewed_on", ("filed_on",), "报送备案日期"),
    ("correction_requested_on", ("filed_on",), "报送备案日期"),
    ("corrected_on", ("correction_requested_on",), "要求纠正日期"),
    ("evaluated_on", ("published_on",), "公布日期"),
    ("cleaned_on", ("published_on",), "公布日期"),
    ("superseded_on", ("cleaned_on",), "清理日期"),
    ("ended_on", ("received_on",), "起草日期"),
]

DOC_NUMBER = re.compile(r"^\S+〔(\d{4})〕(\d+)号$")

CLEANUP = {"clean_continue": "continue", "clean_amend": "amend", "clean_repeal": "repeal", "clean_invalidate": "declare_invalid"}
CLEANUP_LABEL = {"continue": "继续有效", "amend": "修改", "repeal": "废止", "declare_invalid": "宣布失效"}


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _value(matter: Any, data: dict[str, Any], name: str) -> Any:
    return data[name] if name in data else (getattr(matter, name, None) if matter is not None else None)


def limit_end(rule: str, start: dt.date) -> dt.date | None:
    """The last day a period of ``rule`` counted from ``start`` reaches (None before the rule)."""
    try:
        return clock_compute(rule, start, explain=False).due
    except NoRuleInForce:
        return None


def comment_rule(business_related: bool) -> str:
    return "normative_docs.comment_business" if business_related else "normative_docs.comment"


def validity_rule(provisional: bool) -> str:
    return "normative_docs.validity_provisional" if provisional else "normative_docs.validity"


def _comment_period(matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    start, end = data.get("comment_from"), data.get("comment_to")
    if not start or not end or end < start:
        return
    rule = comment_rule(bool(matter.business_related))
    minimum = limit_end(rule, start)
    if minimum is None or end >= minimum or (data.get("comment_short_reason") or "").strip():
        return
    value = clock_rules()[rule].value_on(start)
    assert value is not None
    length = f"{value.length}个工作日" if value.unit == "working_days" else f"{value.length}日"
    what = "与市场主体生产经营活动密切相关的规范性文件" if matter.business_related else "规范性文件"
    _add(
        errors,
        "comment_to",
        f"{what}公开征求意见的期限一般不少于{length}（自{start:%Y-%m-%d}起应至少至{minimum:%Y-%m-%d}）；确需缩短的，请填写缩短征求意见期限的理由",
    )


def _doc_number(matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    number = (data.get("doc_number") or "").strip()
    if not number:
        return
    m = DOC_NUMBER.match(number)
    if not m:
        _add(errors, "doc_number", "文号应写作“发文机关代字〔年份〕序号号”，如“明市监规〔2025〕3号”（年份用六角括号〔〕）")
        return
    published = _value(matter, data, "published_on")
    if published and int(m.group(1)) != published.year:
        _add(errors, "doc_number", f"文号中的年份（{m.group(1)}）应与公布年份（{published.year}）一致")
    from fazhi.registers.normative_docs.models import NormativeDocument

    body = _value(matter, data, "issuing_body")
    same = NormativeDocument.objects.filter(issuing_body=body, doc_number=number)
    if matter is not None and matter.pk:
        same = same.exclude(pk=matter.pk)
    other = same.first()
    if other is not None:
        _add(errors, "doc_number", f"文号 {number} 已被{body}的《{other.title}》（{other.case_number}）使用，同一制定机关的文号不得重复")


def _validity(matter: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    effective, until = _value(matter, data, "effective_on"), data.get("valid_until")
    if not effective or not until:
        return
    if until <= effective:
        _add(errors, "valid_until", f"有效期至应晚于施行日期（{effective:%Y-%m-%d}）")
        return
    provisional = bool(_value(matter, data, "provisional"))
    rule = validity_rule(provisional)
    end = limit_end(rule, effective)  # the same date so many months on: the day before is the last
    latest = end - dt.timedelta(days=1) if end is not None else None
    if latest is not None and until > latest:
        value = clock_rules()[rule].value_on(effective)
        assert value is not None
        years = value.length // 12
        what = "试行、暂行的规范性文件" if provisional else "规范性文件"
        _add(errors, "valid_until", f"{what}有效期一般不超过{years}年：自施行日期{effective:%Y-%m-%d}起最迟至{latest:%Y-%m-%d}")


class NormativeDocHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        past = {k: v for k, v in data.items() if k not in FUTURE_OK}
        errors = date_errors(None if transition == CREATE else matter, past, DATE_ORDER)
        if transition != CREATE:
            for field, earlier, what in DATE_ORDER:
                if field in FUTURE_OK and data.get(field):
                    first = next((data.get(f) or getattr(matter, f, None) for f in earlier if data.get(f) or getattr(matter, f, None)), None)
                    if first and data[field] < first:
                        _add(errors, field, f"不能早于{what}（{first:%Y-%m-%d}）")
        if transition == "solicit_comment":
            _comment_period(matter, data, errors)
        if transition == "submit_review" and matter.comment_to and data.get("submitted_on") and data["submitted_on"] < matter.comment_to:
            _add(errors, "submitted_on", f"公开征求意见截止于{matter.comment_to:%Y-%m-%d}，期限届满前不能送交合法性审核")
        if transition == "resubmit" and matter.reviewed_on and data.get("submitted_on") and data["submitted_on"] < matter.reviewed_on:
            _add(errors, "submitted_on", f"不能早于上次合法性审核日期（{matter.reviewed_on:%Y-%m-%d}）")
        if transition == "review_pass" and data.get("review_opinion") == "failed":
            _add(errors, "review_opinion", "审核意见为不予通过的，请使用“合法性审核不予通过”步骤；未经审核或者审核未通过的文件不得提交集体审议")
        if transition in ("review_pass", "review_fail") and not (data.get("reviewer_certificate") or "").strip():
            _add(errors, "reviewer_certificate", "合法性审核人员应具备法律职业资格等资格，请填写其资格证书编号")
        if transition in ("publish", "amend"):
            _doc_number(matter, data, errors)
        if transition == "publish":
            _validity(matter, data, errors)
        if transition in CLEANUP and data.get("cleanup_outcome") and data["cleanup_outcome"] != CLEANUP[transition]:
            _add(errors, "cleanup_outcome", f"此步骤的清理结果为“{CLEANUP_LABEL[CLEANUP[transition]]}”")
        if transition == "lapse" and data.get("expired_on") and matter.valid_until and data["expired_on"] <= matter.valid_until:
            _add(errors, "expired_on", f"有效期至{matter.valid_until:%Y-%m-%d}，届满之后才能记录失效")
        if transition == "evaluate" and data.get("evaluated_on") and matter.valid_until and data["evaluated_on"] > matter.valid_until:
            _add(errors, "evaluated_on", f"评估应在有效期届满（{matter.valid_until:%Y-%m-%d}）前进行")
        return {k: v for k, v in errors.items() if v}

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        if transition == "review_fail":
            return {"review_opinion": "failed"}
        if transition in CLEANUP:
            return {"cleanup_outcome": CLEANUP[transition]}
        return {}


def reviews_panel(request: Any, matter: Any) -> dict[str, Any] | None:
    """What the document's page shows above its fields: the 行政复议 cases in which an applicant
    asked for its incidental review (《行政复议法》第十三条、第五十六条) and what came of it."""
    rows = [
        {
            "case_number": case.case_number,
            "body": case.unit.name,
            "received_on": case.received_on,
            "result": case.get_normative_document_result_display() or "尚未处理",
        }
        for case in matter.reconsideration_reviews.select_related("unit").order_by("received_on", "pk")
    ]
    return {"reviews": rows} if rows else None
