"""Service (送达) of issued documents: the deemed date per method and per the law in force, the
refusals naming the field, the receiver masked wherever the public sees it, the remedy period
running from service; corrections; the 督察 letter issued at the lead's notice step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from conftest import do
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.documents import delivery, services
from fazhi.documents.corrections import document_correct
from fazhi.documents.delivery import delivery_public, delivery_record, remedy_due
from fazhi.documents.models import Delivery, IssuedDocument
from fazhi.registers.framework.models import WorkflowEvent

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVER = "李四"


def rejected(org: Any, make_case: Any, on: str = "2025-09-30") -> IssuedDocument:
    """A 不予受理决定书 (its remedy: suit within 十五日 of receipt)."""
    case = make_case(received_on=D.fromisoformat(on) - dt.timedelta(days=1))
    do(case, "reject_at_intake", org.bob, decided_on=on, decision_reason="申请人与被申请的行政行为没有利害关系")
    return services.documents_of("reconsideration", case.pk).get()


# --- deemed dates ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["direct", "left", "post", "electronic"])
def test_the_deemed_date_of_a_service_in_person_by_post_or_electronic_is_the_day_itself(method: str) -> None:
    for day in (D(2023, 12, 29), D(2024, 1, 2), D(2025, 10, 9)):
        deemed, basis = delivery.deemed_date(method, day)
        assert deemed == day and "民事诉讼法" in basis
    # the article of the law in force on the day: renumbered by the 2021 amendment
    assert delivery.deemed_date("post", D(2024, 1, 2))[1].endswith("第九十一条")
    assert delivery.deemed_date("post", D(2021, 6, 1))[1].endswith("第八十八条")


def test_an_announcement_is_deemed_served_when_its_period_ends_sixty_days_before_2022_thirty_after() -> None:
    # 民事诉讼法 2012 text art.92: 六十日; the 2021 amendment (in force 2022-01-01) art.95: 三十日
    assert delivery.deemed_date("announcement", D(2021, 12, 20), D(2021, 10, 11)) == (D(2021, 12, 10), "《中华人民共和国民事诉讼法》(2012修正) 第九十二条")
    assert delivery.deemed_date("announcement", D(2022, 3, 1), D(2022, 3, 1))[0] == D(2022, 3, 31)
    # on both sides of 2024-01-01 (the 2023 amendment keeps art.95's 三十日)
    before = delivery.deemed_date("announcement", D(2023, 11, 1), D(2023, 11, 1))
    after = delivery.deemed_date("announcement", D(2024, 1, 2), D(2024, 1, 2))
    assert before == (D(2023, 12, 1), "《中华人民共和国民事诉讼法》(2021修正) 第九十五条")
    assert after == (D(2024, 2, 1), "《中华人民共和国民事诉讼法》(2023修正) 第九十五条")
    # the 30th day after 2023-12-01 is a Sunday followed by New Year's Day: the period ends on the 2nd
    assert delivery.deemed_date("announcement", D(2023, 12, 1), D(2023, 12, 1))[0] == D(2024, 1, 2)


def test_each_method_is_recorded_with_its_deemed_date_and_an_audit_leaf(org: Any, make_case: Any) -> None:
    cases = {
        "direct": {"received_by": RECEIVER},
        "left": {"received_by": RECEIVER},
        "post": {"received_by": RECEIVER, "tracking_number": "EMS1234567890"},
        "electronic": {"consent": True},
        "announcement": {"announced_on": D(2025, 10, 13)},
    }
    for method, extra in cases.items():
        doc = rejected(org, make_case)
        leaves = AuditLeaf.objects.filter(source=delivery.LEAF).count()
        d = delivery_record(doc, method, D(2025, 10, 9), actor=org.alice, **extra)
        assert d.addressee == doc.addressee == "张三"
        assert d.deemed_on == (D(2025, 11, 12) if method == "announcement" else D(2025, 10, 9)), method
        assert AuditLeaf.objects.filter(source=delivery.LEAF).count() == leaves + 1
        assert d.tracking_number == extra.get("tracking_number", "")
        assert d.served_on == (D(2025, 10, 13) if method == "announcement" else D(2025, 10, 9))  # a 公告 is served on its publication
    checkpoint_take()
    assert audit_verify().problems == []


# --- refusals -------------------------------------------------------------------------------


def _refused(doc: IssuedDocument, field: str, text: str, method: str, on: D | None, **kwargs: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        delivery_record(doc, method, on, **kwargs)
    assert field in exc.value.errors and text in "".join(exc.value.errors[field]), exc.value.errors


def test_a_service_the_law_does_not_allow_is_refused_naming_the_field_and_nothing_is_written(org: Any, make_case: Any) -> None:
    doc = rejected(org, make_case)
    leaves = AuditLeaf.objects.count()
    _refused(doc, "on", "早于文书出具日期", "direct", D(2025, 9, 29), received_by=RECEIVER, actor=org.alice)
    _refused(doc, "consent", "须经受送达人同意", "electronic", D(2025, 10, 9), actor=org.alice)
    _refused(doc, "announced_on", "应填写公告日期", "announcement", D(2025, 10, 9), actor=org.alice)
    _refused(doc, "announced_on", "早于文书出具日期", "announcement", None, announced_on=D(2025, 9, 1), actor=org.alice)
    _refused(doc, "tracking_number", "应填写邮件单号", "post", D(2025, 10, 9), received_by=RECEIVER, actor=org.alice)
    _refused(doc, "received_by", "签收人", "direct", D(2025, 10, 9), actor=org.alice)
    _refused(doc, "method", "请选择送达方式", "pigeon", D(2025, 10, 9), actor=org.alice)
    with pytest.raises(PermissionDenied):
        delivery_record(doc, "direct", D(2025, 10, 9), received_by=RECEIVER, actor=org.frank)  # another district
    with pytest.raises(PermissionDenied):
        delivery_record(doc, "direct", D(2025, 10, 9), received_by=RECEIVER, actor=org.dave)  # sees it, not the unit's staff
    assert not Delivery.objects.exists() and AuditLeaf.objects.count() == leaves
    # once per document and addressee
    delivery_record(doc, "direct", D(2025, 10, 9), received_by=RECEIVER, actor=org.alice)
    _refused(doc, "__all__", "不能重复登记", "post", D(2025, 10, 10), received_by=RECEIVER, tracking_number="X1", actor=org.bob)
    # another party the same document is served on is its own record
    assert delivery_record(doc, "direct", D(2025, 10, 9), received_by="王五", actor=org.alice, addressee="东湖区市场监督管理局").pk
    with pytest.raises(DatabaseError), transaction.atomic():
        Delivery.objects.filter(document=doc).update(received_by="改")


# --- the receiver masked, the remedy clock --------------------------------------------------


def test_the_receiver_is_masked_for_the_public_and_a_digest_in_the_leaf(org: Any, make_case: Any) -> None:
    doc = rejected(org, make_case)
    d = delivery_record(doc, "post", D(2025, 10, 9), received_by="欧阳娜娜", tracking_number="EMS99887766", actor=org.alice)
    public = delivery_public(d)
    assert public["received_by"] == "欧***" and "欧阳娜娜" not in str(public) and "EMS99887766" not in str(public)
    assert public["deemed_on"] == "2025-10-09" and public["remedy"] == "起诉期限至 2025-10-24"
    leaf = AuditLeaf.objects.get(source=delivery.LEAF, source_id=d.pk)
    raw = delivery.delivery_leaf_bytes(d)
    assert "欧阳娜娜".encode() not in raw and b"EMS99887766" not in raw and "张三".encode() not in raw
    assert leaf.source_id == d.pk
    verdict = services.verify_code(doc.code)
    assert verdict.ok and "欧阳娜娜" not in verdict.message and "张三" not in verdict.message


def test_the_remedy_period_runs_from_the_deemed_date_by_the_templates_rule(org: Any, make_case: Any) -> None:
    doc = rejected(org, make_case)
    assert delivery.remedy_rule(doc) == "remedy.sue_after_reconsideration"
    d = delivery_record(doc, "announcement", None, announced_on=D(2025, 10, 13), actor=org.alice)
    due = remedy_due(d)
    assert d.deemed_on == D(2025, 11, 12)  # 三十日 after the announcement
    assert due is not None and str(due) == "起诉期限至 2025-11-27"  # 十五日 after the deemed date
    assert "第四十五条" in due.citation
    # a document that states no remedy (受理通知书) has no remedy clock
    case = make_case()
    do(case, "accept", org.alice, accepted_on="2025-09-30", procedure="ordinary")
    notice = services.documents_of("reconsideration", case.pk).get()
    assert remedy_due(delivery_record(notice, "direct", D(2025, 10, 9), received_by=RECEIVER, actor=org.alice)) is None


# --- the page -------------------------------------------------------------------------------


def test_the_service_page_records_a_service_shows_the_remedy_date_and_keeps_others_out(org: Any, make_case: Any) -> None:
    doc = rejected(org, make_case)
    url = f"/wenshu/{doc.pk}/songda/"
    client = Client()
    client.force_login(org.frank)  # another district: does not see the matter
    assert client.get(url).status_code == 404
    assert client.post(url, {"method": "direct", "on": "2025-10-09", "received_by": RECEIVER}).status_code == 404
    client.force_login(org.dave)  # sees the matter, is not the body's staff: no form, a post is refused
    page = client.get(url)
    assert page.status_code == 200 and 'id="delivery-form"' not in page.content.decode()
    assert client.post(url, {"method": "direct", "on": "2025-10-09", "received_by": RECEIVER}).status_code == 400
    assert not Delivery.objects.exists()

    client.force_login(org.alice)
    page = client.get(url).content.decode()
    assert 'id="delivery-form"' in page and "尚未登记送达" in page
    bad = client.post(url, {"method": "post", "on": "2025-10-09", "received_by": RECEIVER})
    assert bad.status_code == 400 and "邮寄送达应填写邮件单号" in bad.content.decode()
    bad = client.post(url, {"method": "direct", "on": "2025-13-40", "received_by": RECEIVER})
    assert bad.status_code == 400 and "送达日期" in bad.content.decode()
    ok = client.post(url, {"method": "post", "on": "2025-10-09", "received_by": RECEIVER, "tracking_number": "EMS1"})
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "起诉期限至 2025-10-24" in page and "邮寄送达" in page and RECEIVER in page and 'id="delivery-form"' not in page
    from fazhi.web.tests.test_citations import leaks

    assert leaks(page) == [] and "remedy.sue" not in page and "service.announcement" not in page


# --- corrections ----------------------------------------------------------------------------


def test_a_correction_is_a_new_document_in_the_same_series_and_the_old_one_verifies_as_replaced(org: Any, make_case: Any) -> None:
    doc = rejected(org, make_case)
    other = rejected(org, make_case)  # the series goes on meanwhile
    with pytest.raises(PermissionDenied):
        document_correct(doc, ["改"], org.erin, "笔误")
    with pytest.raises(ValidationFailed) as exc:
        document_correct(doc, [" "], org.alice, "")
    assert set(exc.value.errors) == {"paragraphs", "reason"}
    paragraphs = [p.replace("没有利害关系", "没有法律上的利害关系") for p in doc.paragraphs]
    new = document_correct(doc, paragraphs, org.alice, "事实表述有误", on=D(2025, 10, 10))
    assert new.replaces == doc and new.template == doc.template and new.series == doc.series and new.title == doc.title
    assert new.number.endswith("〔2025〕3号") and other.number.endswith("〔2025〕2号") and doc.number.endswith("〔2025〕1号")
    assert new.paragraphs[0].startswith(f"本文书系对{doc.number}") and "事实表述有误" in new.paragraphs[0]
    assert new.paragraphs[1:] == paragraphs and new.code != doc.code
    assert AuditLeaf.objects.filter(source="document", source_id=new.pk).exists()
    old = services.verify_code(doc.code)
    assert old.found and not old.ok and f"已被更正，以{new.number}为准" in old.message
    assert services.verify_code(new.code).ok
    with pytest.raises(ValidationFailed, match="请更正最新的文书"):
        document_correct(doc, paragraphs, org.alice, "再改")
    checkpoint_take()
    assert audit_verify().problems == []


# --- the 督察 letter --------------------------------------------------------------------------


def test_the_lead_notice_issues_the_letter_numbered_with_its_leaf_and_verify_passes(org: Any, make_case: Any) -> None:
    from fazhi.supervision import services as supervision
    from fazhi.supervision.models import Source

    case = make_case(received_on=D(2025, 3, 3), respondent_unit=org.dept)
    do(case, "accept", org.bob, accepted_on="2025-03-04", procedure="ordinary")
    do(case, "decide", org.bob, decided_on="2025-04-20", outcome="set_aside")
    lead = next(x for x in supervision.leads_scan(org.district, D(2025, 6, 30)) if x.source == Source.RECONSIDERATION)
    supervision.lead_find(lead=lead, founded=True, text="处罚决定认定事实不清", actor=org.dave, on=D(2025, 7, 1))
    supervision.lead_notice(lead=lead, kind="supervision", text="请重新调查并依法作出处理。", due_on=D(2025, 7, 31), actor=org.dave, on=D(2025, 7, 2))
    letter = services.documents_of("lead", lead.pk).get()
    assert letter.title == "督办函" and letter.number == "东湖督函字〔2025〕1号" and letter.unit == org.district
    assert letter.addressee == org.dept.name and letter.case_number == lead.reference == case.case_number
    assert letter.paragraphs == ["请重新调查并依法作出处理。", "请你单位于2025年7月31日前完成整改，并将整改情况书面报送本机关。"]
    notice = WorkflowEvent.objects.get(workflow="lead", object_id=lead.pk, action="notice")
    assert letter.event_id == notice.pk and letter.issued_on == D(2025, 7, 2)  # bound to the step's event
    assert AuditLeaf.objects.filter(source="document", source_id=letter.pk).exists()
    assert services.verify_code(letter.code).ok
    # the 依法治区办 records its service; the 复议办's clerk may not
    with pytest.raises(PermissionDenied):
        delivery_record(letter, "direct", D(2025, 7, 3), received_by=RECEIVER, actor=org.alice)
    assert remedy_due(delivery_record(letter, "direct", D(2025, 7, 3), received_by=RECEIVER, actor=org.dave)) is None
    client = Client()
    client.force_login(org.dave)
    assert client.get(f"/wenshu/{letter.pk}/songda/").status_code == 200
    client.force_login(org.frank)
    assert client.get(f"/wenshu/{letter.pk}/songda/").status_code == 404
    checkpoint_take()
    assert audit_verify().problems == []


def test_a_lead_letter_lacking_its_text_refuses_the_step(org: Any) -> None:
    from fazhi.supervision import services as supervision
    from fazhi.supervision.models import Lead

    lead = supervision.lead_create(organiser=org.district, unit=org.dept, summary="群众反映执法不规范", actor=org.dave, on=D(2025, 5, 1))
    supervision.lead_find(lead=lead, founded=True, text="属实", actor=org.dave, on=D(2025, 5, 6))
    with pytest.raises(ValidationFailed):
        supervision.lead_notice(lead=lead, kind="prompt", text="", due_on=D(2025, 6, 30), actor=org.dave, on=D(2025, 5, 7))
    assert Lead.objects.get(pk=lead.pk).state == "founded" and not services.documents_of("lead", lead.pk).exists()
    supervision.lead_notice(lead=lead, kind="prompt", text="请规范执法。", due_on=D(2025, 6, 30), actor=org.dave, on=D(2025, 5, 7))
    letter = services.documents_of("lead", lead.pk).get()
    assert letter.title == "整改提示函" and letter.case_number == f"督察线索{lead.pk}"
