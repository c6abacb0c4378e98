"""重大行政决策: the statutory steps before the meeting, the refusal naming what is missing, the
catalogue with its audit leaves, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, do
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.audit.testing import append_only_bypass
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_amend, matter_create
from fazhi.registers.major_decisions import selectors, services
from fazhi.registers.major_decisions.hooks import missing_steps
from fazhi.registers.major_decisions.models import CatalogueEvent, MajorDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org: Any) -> dict[str, Any]:
    out = {}
    for username, role in (("md_reviewer", Role.REVIEWER), ("md_head", Role.HEAD)):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        membership_grant(user=user, unit=org.dept, role=role)
        out[role.value] = get_user_model().objects.get(pk=user.pk)
    return out


@pytest.fixture
def catalogue(org: Any) -> Any:
    cat = services.catalogue_create(unit=org.district, actor=org.dave, year=2025, on=dt.date(2025, 1, 6))
    services.item_add(catalogue=cat, actor=org.dave, name="东湖区农贸市场布局规划", lead_unit=org.dept, category="plan", on=dt.date(2025, 1, 6))
    return cat


def decision(org: Any, **overrides: Any) -> MajorDecision:
    data = {"received_on": dt.date(2025, 3, 3), "title": "东湖区农贸市场布局规划", "category": "plan", "deciding_body": "东湖区人民政府"} | overrides
    case = matter_create(register="major_decisions", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, MajorDecision)
    return case


MEETING = {
    "decided_on": "2025-05-27",
    "meeting_kind": "standing",
    "meeting_name": "区政府第十八次常务会议",
    "presiding_head": "区长",
    "decision_result": "adopted",
}


def prepared(org: Any, people: dict[str, Any], case: MajorDecision) -> MajorDecision:
    """Draft, public comment, experts and risk done; not yet reviewed."""
    do(case, "draft", org.erin, draft_on="2025-03-20")
    do(case, "open_comment", org.erin, comment_from="2025-03-24", comment_to="2025-04-23", comment_channel="区政府门户网站")
    do(
        case,
        "record_participation",
        org.erin,
        participation_on="2025-04-25",
        participation_methods="向社会公开征求意见",
        comments_received=12,
        comments_adopted=3,
    )
    do(case, "expert_review", org.erin, expert_on="2025-04-28", expert_method="meeting")
    do(case, "risk_assessment", org.erin, risk_on="2025-04-29", risk_conclusion="controllable")
    return case


def test_a_decision_is_refused_until_every_mandatory_step_is_recorded_and_the_message_names_them(org: Any, people: dict[str, Any]) -> None:
    case = decision(org)
    head = people["head"]
    events, leaves = MatterEvent.objects.count(), AuditLeaf.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        do(case, "decide", head, **MEETING)
    message = refused.value.message
    for name in ("拟订决策草案", "公众参与", "专家论证", "风险评估", "合法性审查"):
        assert name in message
    assert "决策草案不得提交决策机关讨论" in message and "第二十五条" in message
    assert (MatterEvent.objects.count(), AuditLeaf.objects.count()) == (events, leaves)  # nothing written
    prepared(org, people, case)
    assert missing_steps(case) == [
        "合法性审查（《重大行政决策程序暂行条例》第二十五条第一款：决策草案提交决策机关讨论前应当经合法性审查，不得以征求意见等方式代替）"
    ]
    with pytest.raises(ValidationFailed, match="合法性审查"):
        do(case, "decide", head, **MEETING)
    do(case, "submit_review", org.erin, review_submitted_on="2025-05-06")
    with pytest.raises(ValidationFailed, match="不得以征求意见等方式代替"):
        do(case, "decide", head, **MEETING)
    with pytest.raises(ValidationFailed, match="法律顾问"):  # art.28: the adviser's involvement is recorded
        do(case, "record_review", people["reviewer"], review_opinion_on="2025-05-16", review_body="东湖区司法局", review_conclusion="legal")
    do(case, "record_review", people["reviewer"], review_opinion_on="2025-05-16", review_body="东湖区司法局", review_conclusion="legal", legal_adviser="王律师")
    with pytest.raises(PermissionDenied):  # the head records the meeting's decision
        do(case, "decide", org.erin, **MEETING)
    do(case, "decide", head, **MEETING | {"dissent": "一名副区长建议分期实施"})
    case.refresh_from_db()
    assert (case.state, case.steps_complete, case.dissent) == ("decided", True, "一名副区长建议分期实施")


def test_public_comment_shorter_than_30_days_needs_its_reason_and_is_counted(org: Any, people: dict[str, Any]) -> None:
    case = decision(org)
    do(case, "draft", org.erin, draft_on="2025-03-20")
    with pytest.raises(ValidationFailed, match="一般不少于30日（自2025-03-24起至少到2025-04-23）"):
        do(case, "open_comment", org.erin, comment_from="2025-03-24", comment_to="2025-04-22", comment_channel="区政府门户网站")
    do(
        case,
        "open_comment",
        org.erin,
        comment_from="2025-03-24",
        comment_to="2025-04-08",
        comment_channel="区政府门户网站",
        comment_shortened_reason="情况紧急",
    )
    assert case.comment_short is True
    do(case, "open_comment", org.erin, comment_from="2025-04-10", comment_to="2025-05-10", comment_channel="区政府门户网站")
    assert case.comment_short is False


def test_the_decision_dates_keep_the_procedures_order(org: Any, people: dict[str, Any]) -> None:
    case = prepared(org, people, decision(org))
    with pytest.raises(ValidationFailed, match="不能早于风险评估报告日期"):
        do(case, "submit_review", org.erin, review_submitted_on="2025-04-28")
    do(case, "submit_review", org.erin, review_submitted_on="2025-05-06")
    do(case, "record_review", people["reviewer"], review_opinion_on="2025-05-16", review_body="东湖区司法局", review_conclusion="legal", legal_adviser="王律师")
    with pytest.raises(ValidationFailed, match="不能早于合法性审查意见日期"):
        do(case, "decide", people["head"], **MEETING | {"decided_on": "2025-05-15"})
    with pytest.raises(ValidationFailed, match="不予通过"):
        do(case, "decide", people["head"], **MEETING | {"decision_result": "not_adopted"})
    do(case, "decide", people["head"], **MEETING)
    with pytest.raises(ValidationFailed, match="请示报告"):
        do(case, "publish", org.erin, published_on="2025-06-05", publication_channel="区政府门户网站")
    with pytest.raises(TransitionNotAllowed):
        do(case, "archive", org.erin, archived_on="2025-06-05")


def test_a_catalogue_item_links_only_to_its_lead_unit_and_a_correction_is_checked_too(org: Any, people: dict[str, Any], catalogue: Any) -> None:
    item = catalogue.items.get()
    with pytest.raises(ValidationFailed, match="尚未经同级党委同意并向社会公布"):
        decision(org, deciding_body="", catalogue_item=item.pk)
    services.catalogue_agree(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 20), agreement="区委常委会")
    services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 24), channel="区政府门户网站")
    case = decision(org, deciding_body="", catalogue_item=item.pk)
    assert case.deciding_body == "东湖区人民政府" and case.catalogue_item_id == item.pk
    with pytest.raises(ValidationFailed, match="已登记为决策"):
        decision(org, deciding_body="", catalogue_item=item.pk)
    other = services.item_add(
        catalogue=catalogue, actor=org.dave, name="东湖区行政复议体制改革方案", lead_unit=org.body, category="policy", on=dt.date(2025, 2, 6), reason="区委要求"
    )
    with pytest.raises(ValidationFailed, match="承办单位是东湖区行政复议办公室"):
        matter_amend(matter=case, actor=org.erin, changes={"catalogue_item": other.pk}, reason="选错目录事项")
    with pytest.raises(ValidationFailed, match="请填写决策机关"):
        decision(org, deciding_body="")


def test_catalogue_changes_are_audited_and_after_the_party_agreed_need_a_reason(org: Any, catalogue: Any) -> None:
    assert list(CatalogueEvent.objects.values_list("kind", flat=True)) == ["created", "item_added"]
    with pytest.raises(TransitionNotAllowed, match="经同级党委同意后"):
        services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 24), channel="区政府门户网站")
    with pytest.raises(ValidationFailed, match="同级党委同意的会议或文件"):
        services.catalogue_agree(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 20), agreement=" ")
    services.catalogue_agree(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 20), agreement="区委常委会2025年第2次会议")
    with pytest.raises(ValidationFailed, match="不能早于同级党委同意的日期"):
        services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 19), channel="区政府门户网站")
    services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 24), channel="区政府门户网站")
    leaves = AuditLeaf.objects.filter(source="decision_catalogue").count()
    with pytest.raises(ValidationFailed, match="应当说明理由"):
        services.item_add(catalogue=catalogue, actor=org.dave, name="东湖区停车设施专项规划", lead_unit=org.dept, category="plan", on=dt.date(2025, 4, 1))
    added = services.item_add(
        catalogue=catalogue,
        actor=org.dave,
        name="东湖区停车设施专项规划",
        lead_unit=org.dept,
        category="plan",
        on=dt.date(2025, 4, 1),
        reason="区委要求年内出台",
    )
    assert added.added_by_adjustment and added.code == "T-D-2025-02"
    services.item_change(item=added, actor=org.dave, on=dt.date(2025, 5, 1), reason="名称规范", name="东湖区停车设施专项规划（2025—2027年）")
    services.item_remove(item=added, actor=org.dave, on=dt.date(2025, 6, 1), reason="并入综合交通规划")
    assert AuditLeaf.objects.filter(source="decision_catalogue").count() == leaves + 3
    removal = CatalogueEvent.objects.get(kind="item_removed")
    assert (removal.event_date, removal.reason) == (dt.date(2025, 6, 1), "并入综合交通规划")
    checkpoint_take()
    assert audit_verify().ok
    # a changed catalogue row no longer matches its leaf
    append_only_bypass("major_decisions_catalogueevent")
    CatalogueEvent.objects.filter(pk=removal.pk).update(reason="另一个理由")
    assert any("已被改动" in p for p in audit_verify().problems)
    CatalogueEvent.objects.filter(pk=removal.pk).update(reason="并入综合交通规划")
    # an item with a decision under way keeps its lead unit and stays in the catalogue
    item = catalogue.items.get(number=1)
    decision(org, deciding_body="", catalogue_item=item.pk)
    with pytest.raises(ValidationFailed, match="请先终止决策程序"):
        services.item_remove(item=item, actor=org.dave, on=dt.date(2025, 6, 1), reason="不再决策")
    with pytest.raises(ValidationFailed, match="不能变更承办单位"):
        services.item_change(item=item, actor=org.dave, on=dt.date(2025, 6, 1), reason="改由复议办承办", lead_unit=org.body)


def test_only_the_deciding_bodys_people_edit_its_catalogue(org: Any, catalogue: Any, people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):  # a department clerk does not compile the government's catalogue
        services.item_add(catalogue=catalogue, actor=org.erin, name="某事项", lead_unit=org.dept, category="plan", on=dt.date(2025, 1, 7))
    with pytest.raises(PermissionDenied):  # another district's clerk
        services.catalogue_agree(catalogue=catalogue, actor=org.frank, on=dt.date(2025, 1, 20), agreement="区委常委会")
    with pytest.raises(PermissionDenied):
        services.catalogue_create(unit=org.district, actor=org.erin, year=2026)
    with pytest.raises(ValidationFailed, match="已有2025年度"):
        services.catalogue_create(unit=org.district, actor=org.dave, year=2025)
    with pytest.raises(ValidationFailed, match="承办单位应为东湖区人民政府或其所属单位"):
        services.item_add(catalogue=catalogue, actor=org.dave, name="某事项", lead_unit=org.other_body, category="plan", on=dt.date(2025, 1, 7))
    # the department sees the catalogue holding its item; the other district does not
    assert list(selectors.catalogues_visible_to(org.erin)) == [catalogue]
    assert list(selectors.catalogues_visible_to(org.frank)) == []


def test_the_decide_form_says_which_steps_are_missing_and_another_district_sees_nothing(org: Any, people: dict[str, Any]) -> None:
    case = prepared(org, people, decision(org))
    client = Client()
    client.login(username="md_head", password=PASSWORD)
    url = reverse("matter_do", args=["major_decisions", case.pk, "decide"])
    response = client.post(url, MEETING)
    assert response.status_code == 200
    page = response.content.decode()
    assert "决策草案不得提交决策机关讨论" in page and "合法性审查" in page
    case.refresh_from_db()
    assert case.state == "drafting"
    client.login(username="frank", password=PASSWORD)
    assert client.get(reverse("matter_detail", args=["major_decisions", case.pk])).status_code == 404
