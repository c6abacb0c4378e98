"""The figures of 重大行政决策: indicators traced to their records, the report's paragraph, and the
supervision rule for a decision taken without a mandatory procedure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from conftest import PASSWORD, do
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.indicators.catalogue import catalogue as indicator_catalogue
from fazhi.indicators.engine import Computation, Period, trace
from fazhi.registers.framework.services import matter_create
from fazhi.registers.major_decisions import services
from fazhi.registers.major_decisions.models import MajorDecision

pytestmark = pytest.mark.django_db

CODES = [
    "jc.catalogue_items",
    "jc.started",
    "jc.decided",
    "jc.decided_in_catalogue",
    "jc.published",
    "jc.all_steps",
    "jc.legality_reviewed",
    "jc.legality_review_rate",
    "jc.post_evaluated",
    "jc.comment_calls",
    "jc.short_comment",
]


@pytest.fixture
def year(org: Any) -> dict[str, Any]:
    """2025 in 东湖区: a published catalogue of two items; one decision taken through every step
    and published, one in the catalogue still drafting with a shortened comment call, one outside
    the catalogue decided with its expert review and risk assessment recorded as not required."""
    head = get_user_model().objects.create_user("md_head", password=PASSWORD)
    reviewer = get_user_model().objects.create_user("md_reviewer", password=PASSWORD)
    membership_grant(user=head, unit=org.dept, role=Role.HEAD)
    membership_grant(user=reviewer, unit=org.dept, role=Role.REVIEWER)
    cat = services.catalogue_create(unit=org.district, actor=org.dave, year=2025, on=dt.date(2025, 1, 6))
    items = [
        services.item_add(catalogue=cat, actor=org.dave, name=name, lead_unit=org.dept, category="plan", on=dt.date(2025, 1, 6))
        for name in ("东湖区农贸市场布局规划", "东湖区食品安全行动方案")
    ]
    services.catalogue_agree(catalogue=cat, actor=org.dave, on=dt.date(2025, 1, 20), agreement="区委常委会")
    services.catalogue_publish(catalogue=cat, actor=org.dave, on=dt.date(2025, 1, 24), channel="区政府门户网站")

    def new(title: str, item: Any = None) -> MajorDecision:
        data = {"received_on": dt.date(2025, 3, 3), "title": title, "category": "plan", "deciding_body": "东湖区人民政府"}
        case = matter_create(register="major_decisions", unit=org.dept, actor=org.erin, data=data | ({"catalogue_item": item.pk} if item else {}))
        assert isinstance(case, MajorDecision)
        do(case, "draft", org.erin, draft_on="2025-03-20")
        return case

    def review_and_decide(case: MajorDecision) -> None:
        do(case, "submit_review", org.erin, review_submitted_on="2025-05-06")
        do(case, "record_review", reviewer, review_opinion_on="2025-05-16", review_body="东湖区司法局", review_conclusion="legal", legal_adviser="王律师")
        meeting = {"meeting_kind": "standing", "meeting_name": "区政府第十八次常务会议", "presiding_head": "区长", "decision_result": "adopted"}
        do(case, "decide", head, decided_on="2025-05-27", **meeting)

    full = new("东湖区农贸市场布局规划", items[0])
    do(full, "open_comment", org.erin, comment_from="2025-03-24", comment_to="2025-04-23", comment_channel="区政府门户网站")
    do(full, "record_participation", org.erin, participation_on="2025-04-25", participation_methods="向社会公开征求意见")
    do(full, "expert_review", org.erin, expert_on="2025-04-28", expert_method="meeting")
    do(full, "risk_assessment", org.erin, risk_on="2025-04-29", risk_conclusion="controllable")
    review_and_decide(full)
    do(full, "report_party", org.erin, party_reported_on="2025-05-29", party_committee="区委")
    do(full, "publish", org.erin, published_on="2025-06-05", publication_channel="区政府门户网站")
    do(full, "evaluate", reviewer, evaluated_on="2025-11-20", evaluation_trigger="necessary", evaluation_unit="第三方")
    drafting = new("东湖区食品安全行动方案", items[1])
    do(
        drafting,
        "open_comment",
        org.erin,
        comment_from="2025-04-01",
        comment_to="2025-04-15",
        comment_channel="区政府门户网站",
        comment_shortened_reason="情况紧急",
    )
    outside = new("东湖区夜间经济方案")
    do(outside, "record_participation", org.erin, participation_on="2025-04-25", participation_methods="座谈会")
    do(outside, "expert_exempt", head, expert_exempt_reason="不涉及专业技术问题")
    do(outside, "risk_exempt", head, risk_exempt_ground="no_adverse_impact", risk_exempt_reason="引导性措施")
    review_and_decide(outside)
    return {"full": full, "drafting": drafting, "outside": outside, "head": head}


def test_the_indicators_count_the_catalogue_and_the_decisions_and_trace_to_them(org: Any, year: dict[str, Any]) -> None:
    v = Computation(Period.year(2025), CODES).values([org.district.pk])
    got = {code: v[code][org.district.pk].value for code in CODES}
    assert got == {
        "jc.catalogue_items": 2,
        "jc.started": 3,
        "jc.decided": 2,
        "jc.decided_in_catalogue": 1,
        "jc.published": 1,
        "jc.all_steps": 1,
        "jc.legality_reviewed": 2,
        "jc.legality_review_rate": v["jc.legality_review_rate"][org.district.pk].value,
        "jc.post_evaluated": 1,
        "jc.comment_calls": 2,
        "jc.short_comment": 1,
    }
    assert str(got["jc.legality_review_rate"]) == "100.0"
    raw = Computation(Period.year(2025), CODES, source="raw").values([org.district.pk])
    assert {c: raw[c][org.district.pk].value for c in CODES} == got  # the rollups agree with the rows
    cat = indicator_catalogue()
    rows = trace(cat["jc.all_steps"], org.district, Period.year(2025))
    assert [m.pk for m in rows["value"]] == [year["full"].pk]
    assert [m.pk for m in trace(cat["jc.short_comment"], org.district, Period.year(2025))["value"]] == [year["drafting"].pk]
    assert trace(cat["jc.catalogue_items"], org.district, Period.year(2025))["value"].count() == 2
    # another district has none of them
    other = Computation(Period.year(2025), ["jc.decided"]).values([org.other_district.pk])
    assert other["jc.decided"][org.other_district.pk].records == 0


def test_the_report_paragraph_states_the_figures(org: Any, year: dict[str, Any]) -> None:
    from fazhi.reports.generator import generate

    _, parts = generate("fzzf", org.district, 2025)
    para = next(p for p in parts[0].paragraphs if p.topic == "重大行政决策")
    assert "纳入决策事项2项" in para.text and "作出重大行政决策2项，其中目录内事项1项" in para.text
    assert "决策合法性审查率100%" in para.text and "少于30日的1项" in para.text and "开展决策后评估1项" in para.text
    assert {f.code for f in para.figures} >= {"jc.catalogue_items", "jc.decided", "jc.short_comment"}
    topics = [p.topic for p in parts[0].paragraphs]
    assert topics.index("重大行政决策") < topics.index("行政执法")


def test_a_decision_recorded_without_a_mandatory_step_raises_a_lead_once(org: Any, year: dict[str, Any]) -> None:
    from fazhi.supervision.services import leads_scan

    assert [lead for lead in leads_scan(org.district, dt.date(2025, 12, 1)) if lead.register == "major_decisions"] == []
    # a decision whose legality review was taken out of the record after the meeting (a bulk load or
    # a correction outside the services): the rule finds it
    MajorDecision.objects.filter(pk=year["outside"].pk).update(review_conclusion="", review_opinion_on=None)
    leads = [lead for lead in leads_scan(org.district, dt.date(2025, 12, 2)) if lead.register == "major_decisions"]
    assert len(leads) == 1
    lead = leads[0]
    assert (lead.unit, lead.matter_id, lead.source) == (org.dept, year["outside"].pk, "decision_steps")
    assert "合法性审查（《重大行政决策程序暂行条例》第二十五条）" in lead.summary
    assert [lead for lead in leads_scan(org.district, dt.date(2025, 12, 3)) if lead.register == "major_decisions"] == []
