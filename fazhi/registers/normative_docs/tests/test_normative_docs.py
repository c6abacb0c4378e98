"""规范性文件: comment period, legality review before deliberation, number, filing clock, validity, cleanup."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_create
from fazhi.registers.normative_docs.models import NormativeDocument

pytestmark = pytest.mark.django_db


def draft(org: Any, **overrides: Any) -> NormativeDocument:
    data = {
        "received_on": dt.date(2025, 2, 10),
        "title": "东湖区市场主体住所（经营场所）登记管理办法",
        "doc_kind": "department",
        "issuing_body": "东湖区市场监督管理局",
    } | overrides
    doc = matter_create(register="normative_docs", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(doc, NormativeDocument)
    return doc


def to_reviewed(doc: NormativeDocument, org: Any, staff: dict[str, Any]) -> None:
    do(doc, "solicit_comment", org.erin, comment_from="2025-03-03", comment_to="2025-03-14", comment_channel="区政府门户网站")
    do(doc, "submit_review", org.erin, submitted_on="2025-03-17", reviewing_body="东湖区司法局", opinions_received="3")
    do(
        doc,
        "review_pass",
        staff["reviewer"],
        reviewed_on="2025-03-24",
        review_opinion="passed_with_changes",
        reviewer_name="王审核",
        reviewer_qualification="legal_profession",
        reviewer_certificate="A20124201000123",
    )


def to_published(doc: NormativeDocument, org: Any, staff: dict[str, Any], number: str = "东市监规〔2025〕1号") -> None:
    to_reviewed(doc, org, staff)
    do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    do(
        doc,
        "publish",
        org.erin,
        doc_number=number,
        published_on="2025-04-01",
        publication_place="区政府门户网站",
        effective_on="2025-05-01",
        valid_until="2030-04-30",
    )


def test_a_document_goes_from_draft_to_filed_with_the_filing_clock(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org)
    assert (doc.case_number, doc.state) == ("市监规审〔2025〕1号", "drafting")
    to_published(doc, org, staff)
    assert (doc.state, doc.due_rule, doc.due_on) == ("published", "normative_docs.filing", dt.date(2025, 5, 6))
    do(doc, "file", org.erin, filed_on="2025-04-20", filed_with="东湖区人民政府")
    assert (doc.state, doc.due_on, doc.deadlines) == ("filed", None, {"normative_docs.filing": "met"})
    events = list(MatterEvent.objects.filter(register="normative_docs", object_id=doc.pk).order_by("id").values_list("transition", flat=True))
    assert events == ["register", "solicit_comment", "submit_review", "review_pass", "deliberate", "publish", "file"]


def test_the_comment_period_is_seven_working_days_or_thirty_days_for_business_documents(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org)
    with pytest.raises(ValidationFailed, match="不少于7个工作日") as exc:
        do(doc, "solicit_comment", org.erin, comment_from="2025-03-03", comment_to="2025-03-10", comment_channel="区政府门户网站")
    assert "comment_to" in exc.value.errors
    do(doc, "solicit_comment", org.erin, comment_from="2025-03-03", comment_to="2025-03-12", comment_channel="区政府门户网站")
    business = draft(org, title="东湖区促进民营经济发展若干措施", business_related=True)
    with pytest.raises(ValidationFailed, match="不少于30日"):
        do(business, "solicit_comment", org.erin, comment_from="2025-03-03", comment_to="2025-03-21", comment_channel="区政府门户网站")
    do(
        business,
        "solicit_comment",
        org.erin,
        comment_from="2025-03-03",
        comment_to="2025-03-21",
        comment_channel="区政府门户网站",
        comment_short_reason="落实上级紧急部署，须于4月1日前出台",
    )
    assert business.comment_short_reason.startswith("落实上级")
    with pytest.raises(ValidationFailed, match="期限届满前不能送交"):
        do(business, "submit_review", org.erin, submitted_on="2025-03-20", reviewing_body="东湖区司法局")


def test_no_deliberation_without_a_passed_legality_review_by_a_qualified_reviewer(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org)
    do(doc, "solicit_comment", org.erin, comment_from="2025-03-03", comment_to="2025-03-14", comment_channel="区政府门户网站")
    with pytest.raises(TransitionNotAllowed, match="不能执行“集体审议”"):
        do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    do(doc, "submit_review", org.erin, submitted_on="2025-03-17", reviewing_body="东湖区司法局")
    review = {"reviewed_on": "2025-03-24", "reviewer_name": "王审核", "reviewer_qualification": "legal_profession"}
    with pytest.raises(PermissionDenied):
        do(doc, "review_fail", org.erin, reviewer_certificate="A1", review_summary="无上位法依据", **review)
    with pytest.raises(ValidationFailed) as exc:
        do(doc, "review_fail", staff["reviewer"], reviewer_certificate="", review_summary="无上位法依据", **review)
    assert "reviewer_certificate" in exc.value.errors
    do(doc, "review_fail", staff["reviewer"], reviewer_certificate="A20124201000123", review_summary="第八条设定罚款，无上位法依据", **review)
    assert (doc.state, doc.review_opinion) == ("review_failed", "failed")
    with pytest.raises(TransitionNotAllowed, match="不能执行“集体审议”"):
        do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    do(doc, "resubmit", org.erin, submitted_on="2025-03-26")
    with pytest.raises(ValidationFailed, match="不予通过"):
        do(doc, "review_pass", staff["reviewer"], review_opinion="failed", reviewer_certificate="A2", **review | {"reviewed_on": "2025-03-27"})
    do(doc, "review_pass", staff["reviewer"], review_opinion="passed", reviewer_certificate="A20124201000123", **review | {"reviewed_on": "2025-03-27"})
    do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    assert doc.state == "deliberated"


def test_publication_before_review_and_filing_before_publication_are_refused(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org)
    publish = {
        "doc_number": "东市监规〔2025〕1号",
        "published_on": "2025-04-01",
        "publication_place": "区政府门户网站",
        "effective_on": "2025-05-01",
        "valid_until": "2030-04-30",
    }
    with pytest.raises(TransitionNotAllowed, match="不能执行“公布”"):
        do(doc, "publish", org.erin, **publish)
    with pytest.raises(TransitionNotAllowed, match="不能执行“报送备案”"):
        do(doc, "file", org.erin, filed_on="2025-04-20", filed_with="东湖区人民政府")
    to_reviewed(doc, org, staff)
    do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    with pytest.raises(ValidationFailed, match="不能早于集体审议日期"):
        do(doc, "publish", org.erin, **publish | {"published_on": "2025-03-27", "doc_number": "东市监规〔2025〕1号"})
    assert MatterEvent.objects.filter(register="normative_docs", object_id=doc.pk, transition="publish").count() == 0


def test_a_number_is_unique_per_issuing_body_and_carries_the_year(org: Any, staff: dict[str, Any]) -> None:
    first = draft(org)
    to_published(first, org, staff)
    second = draft(org, title="东湖区食品小作坊登记管理办法")
    with pytest.raises(ValidationFailed, match="已被东湖区市场监督管理局"):
        to_published(second, org, staff)
    assert second.state == "deliberated"
    for bad, message in (("东市监规[2025]2号", "六角括号"), ("东市监规〔2024〕2号", "应与公布年份")):
        with pytest.raises(ValidationFailed, match=message):
            do(
                second,
                "publish",
                org.erin,
                doc_number=bad,
                published_on="2025-04-01",
                publication_place="网站",
                effective_on="2025-05-01",
                valid_until="2030-04-30",
            )
    other_body = draft(org, title="东湖区人民政府关于加强市场监管的意见", doc_kind="government", issuing_body="东湖区人民政府")
    to_published(other_body, org, staff)
    assert other_body.doc_number == "东市监规〔2025〕1号"


def test_validity_is_at_most_five_years_and_two_for_provisional_documents(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org, provisional=True, title="东湖区网络交易监督管理暂行办法")
    to_reviewed(doc, org, staff)
    do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    publish = {"doc_number": "东市监规〔2025〕5号", "published_on": "2025-04-01", "publication_place": "网站", "effective_on": "2025-05-01"}
    with pytest.raises(ValidationFailed, match="最迟至2027-04-30"):
        do(doc, "publish", org.erin, valid_until="2028-04-30", **publish)
    do(doc, "publish", org.erin, valid_until="2027-04-30", **publish)
    assert doc.valid_until == dt.date(2027, 4, 30)


def test_filing_review_correction_and_cleanup_outcomes(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org)
    to_published(doc, org, staff)
    do(doc, "file", org.erin, filed_on="2025-05-09", filed_with="东湖区人民政府")
    assert doc.deadlines == {"normative_docs.filing": "late"}
    do(doc, "request_correction", org.erin, correction_requested_on="2025-06-10", correction_reason="第五条增设许可条件")
    assert doc.state == "correcting"
    do(doc, "correct", staff["head"], corrected_on="2025-06-30", correction_measure="删除第五条")
    assert doc.state == "filed"
    with pytest.raises(PermissionDenied):
        do(doc, "clean_continue", org.erin, cleaned_on="2025-12-01", cleanup_reason="符合上位法")
    with pytest.raises(ValidationFailed, match="清理结果为“继续有效”"):
        do(doc, "clean_continue", staff["head"], cleaned_on="2025-12-01", cleanup_reason="符合上位法", cleanup_outcome="repeal")
    do(doc, "clean_continue", staff["head"], cleaned_on="2025-12-01", cleanup_reason="符合上位法，继续适用")
    assert (doc.state, doc.cleanup_outcome) == ("filed", "continue")
    do(doc, "clean_repeal", staff["head"], cleaned_on="2025-12-20", cleanup_reason="上位法已修改")
    assert (doc.state, doc.cleanup_outcome, doc.closed_on) == ("repealed", "repeal", dt.date(2025, 12, 20))


def test_lapse_only_after_the_validity_ends(org: Any, staff: dict[str, Any]) -> None:
    doc = draft(org, provisional=True)
    to_reviewed(doc, org, staff)
    do(doc, "deliberate", staff["head"], meeting_on="2025-03-28", meeting_name="局长办公会议")
    do(
        doc,
        "publish",
        org.erin,
        doc_number="东市监规〔2025〕9号",
        published_on="2025-04-01",
        publication_place="网站",
        effective_on="2025-04-01",
        valid_until="2025-09-30",
    )
    with pytest.raises(ValidationFailed, match="届满之后"):
        do(doc, "lapse", org.erin, expired_on="2025-09-30")
    do(doc, "lapse", org.erin, expired_on="2025-10-01")
    assert doc.state == "expired"
