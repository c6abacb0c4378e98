"""督察: leads by rule (once each) and by hand, the steps to 销号 and 回头看, permissions, pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.registers.framework.workflow import workflow_events
from fazhi.supervision import services
from fazhi.supervision.models import Lead, Source, State

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def corrected(org: Any, make_case: Any) -> Any:
    """A 复议 case (东湖's office) that sets aside an act of 东湖区市场监督管理局, and one upheld."""
    case = make_case(received_on=D(2025, 3, 3), respondent_unit=org.dept)
    do(case, "accept", org.bob, accepted_on="2025-03-04", procedure="ordinary")
    do(case, "decide", org.bob, decided_on="2025-04-20", outcome="set_aside")
    upheld = make_case(received_on=D(2025, 3, 5), respondent_unit=org.dept)
    do(upheld, "accept", org.bob, accepted_on="2025-03-06", procedure="ordinary")
    do(upheld, "decide", org.bob, decided_on="2025-04-21", outcome="upheld")
    return case


def test_the_rules_raise_each_lead_once_on_the_right_unit(org: Any, corrected: Any, make_case: Any, settings: Any) -> None:
    settings.FAZHI_SUPERVISION_OVERDUE_DAYS = 30
    late = make_case(received_on=D(2025, 1, 6))  # open; due about 2025-01-13 (registration clock)
    new = services.leads_scan(org.district, D(2025, 6, 30), org.dave)
    by_source = {lead.source: lead for lead in new}
    lead = by_source[Source.RECONSIDERATION]
    assert lead.unit == org.dept and lead.reference == corrected.case_number and "撤销" in lead.summary
    assert sum(1 for x in new if x.source == Source.RECONSIDERATION) == 1  # the upheld decision raises nothing
    overdue = [x for x in new if x.source == Source.OVERDUE]
    assert [x.reference for x in overdue] == [late.case_number] and overdue[0].unit == org.body
    # scanning again raises nothing new; 西山 sees none of 东湖's leads
    assert services.leads_scan(org.district, D(2025, 7, 1), org.dave) == []
    assert services.leads_scan(org.other_district, D(2025, 7, 1)) == []
    # a threshold not yet passed raises no overdue lead
    settings.FAZHI_SUPERVISION_OVERDUE_DAYS = 400
    assert not any(x.source == Source.OVERDUE for x in services.leads_scan(org.city, D(2025, 7, 1)))


def test_an_impunity_flag_raises_a_lead_until_it_is_cleared(org: Any, settings: Any, tmp_path: Any) -> None:
    from decimal import Decimal

    from fazhi.registers.enforcement.tests.fixtures import make_agency, open_case

    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    agency = make_agency(org)
    case = open_case(agency, amount_involved=Decimal("80000"))  # above the 50,000 yuan threshold of 刑法第一百四十条
    do(case, "notify", agency.clerk, notified_on=D(2025, 3, 10), proposed_fine="8000")
    do(case, "decide", agency.head, decided_on=D(2025, 3, 20), outcome="penalty_imposed", decision_number="罚1", fine_amount="8000")
    leads = [x for x in services.leads_scan(org.city, D(2025, 3, 25)) if x.source == Source.IMPUNITY]
    assert [x.matter_id for x in leads] == [case.pk] and leads[0].unit == org.dept and "以罚代刑" in leads[0].summary


def test_a_lead_goes_to_closure_and_recheck_with_each_step_by_its_side(org: Any, corrected: Any) -> None:
    lead = services.leads_scan(org.district, D(2025, 6, 30))[0]
    with pytest.raises(TransitionNotAllowed):
        services.lead_close(lead=lead, actor=org.dave, on=D(2025, 7, 1))  # not before the finding, letter and report
    with pytest.raises(PermissionDenied):
        services.lead_find(lead=lead, founded=True, text="属实", actor=org.erin, on=D(2025, 7, 1))  # the supervised unit does not judge itself
    services.lead_find(lead=lead, founded=True, text="处罚决定认定事实不清", actor=org.dave, on=D(2025, 7, 1))
    with pytest.raises(ValidationFailed) as exc:
        services.lead_notice(lead=lead, kind="prompt", text="", due_on=D(2025, 7, 1), actor=org.dave, on=D(2025, 7, 2))
    assert set(exc.value.errors) == {"due_on"}
    services.lead_notice(lead=lead, kind="supervision", text="请于期限内整改并报送", due_on=D(2025, 7, 31), actor=org.dave, on=D(2025, 7, 2))
    with pytest.raises(PermissionDenied):
        services.lead_report(lead=lead, text="已整改", actor=org.frank, on=D(2025, 7, 20))  # another district
    with pytest.raises(PermissionDenied):
        services.lead_report(lead=lead, text="已整改", actor=org.dave, on=D(2025, 7, 20))  # the supervisor does not report for the unit
    services.lead_report(lead=lead, text="已重新调查并作出决定，组织全员培训", actor=org.erin, on=D(2025, 8, 3))
    services.lead_close(lead=lead, actor=org.dave, on=D(2025, 8, 10))
    lead = services.lead_recheck(lead=lead, passed=False, text="同类问题再次出现", actor=org.dave, on=D(2025, 11, 10))
    assert lead.state == State.FOUNDED and lead.closed_on is None  # back to a new letter
    services.lead_notice(lead=lead, kind="supervision", text="再次督办", due_on=D(2025, 12, 10), actor=org.dave, on=D(2025, 11, 11))
    services.lead_report(lead=lead, text="完善制度", actor=org.erin, on=D(2025, 12, 1))
    services.lead_close(lead=lead, actor=org.dave, on=D(2025, 12, 5))
    lead = services.lead_recheck(lead=lead, passed=True, text="未反弹", actor=org.dave, on=D(2026, 3, 1))
    assert lead.state == State.RECHECKED
    labels = [e.label for e in workflow_events("lead", lead)]
    assert labels[0] == "按规则生成线索" and "报送整改情况（逾期 3 天）" in labels and labels[-1] == "回头看通过"


def test_a_lead_by_hand_stays_within_the_organisers_reach(org: Any) -> None:
    with pytest.raises(ValidationFailed):
        services.lead_create(organiser=org.district, unit=org.other_body, summary="x", actor=org.dave, on=D(2025, 5, 1))
    with pytest.raises(PermissionDenied):
        services.lead_create(organiser=org.district, unit=org.dept, summary="群众反映", actor=org.erin, on=D(2025, 5, 1))
    lead = services.lead_create(organiser=org.district, unit=org.dept, summary="群众反映执法不规范", actor=org.dave, on=D(2025, 5, 1))
    assert lead.source == Source.MANUAL and lead.state == State.OPEN


def test_pages_show_internal_leads_only_to_supervisors_and_letters_to_the_unit(org: Any, corrected: Any) -> None:
    t = dt.date.today()  # the page scan raises its leads today

    def day(n: int) -> str:
        return (t + dt.timedelta(days=n)).isoformat()

    dave, erin, frank = Client(), Client(), Client()
    dave.force_login(org.dave)
    erin.force_login(org.erin)
    frank.force_login(org.frank)
    assert erin.post("/ducha/scan/", {"organiser": org.district.pk}).status_code == 404
    assert dave.post("/ducha/scan/", {"organiser": org.district.pk}).status_code == 302
    lead = Lead.objects.get(source=Source.RECONSIDERATION)
    assert corrected.case_number in dave.get("/ducha/").content.decode()
    # before a letter the lead is the supervisors' own
    assert corrected.case_number not in erin.get("/ducha/").content.decode()
    assert erin.get(f"/ducha/{lead.pk}/").status_code == 404
    assert dave.post(f"/ducha/{lead.pk}/find/", {"on": day(1), "text": "属实", "founded": "1"}).status_code == 302
    r = dave.post(f"/ducha/{lead.pk}/notice/", {"on": day(2), "text": "请整改", "kind": "prompt", "due_on": day(-1)})
    lead.refresh_from_db()
    assert r.status_code == 302 and lead.state == State.FOUNDED  # a deadline before the letter is refused, with a message
    dave.post(f"/ducha/{lead.pk}/notice/", {"on": day(2), "text": "请整改", "kind": "prompt", "due_on": day(30)})
    page = erin.get(f"/ducha/{lead.pk}/").content.decode()
    assert "整改提示函" in page and 'data-action="report"' in page and 'data-action="close"' not in page
    assert erin.post(f"/ducha/{lead.pk}/close/", {"on": day(5)}).status_code == 302
    lead.refresh_from_db()
    assert lead.state == State.NOTICED  # the unit cannot close its own lead
    erin.post(f"/ducha/{lead.pk}/report/", {"on": day(10), "text": "已整改"})
    lead.refresh_from_db()
    assert lead.state == State.REPORTED
    assert frank.get(f"/ducha/{lead.pk}/").status_code == 404 and corrected.case_number not in frank.get("/ducha/").content.decode()
    assert dave.post(f"/ducha/{lead.pk}/nope/", {"on": day(11)}).status_code == 404
    assert Client().get("/ducha/").status_code == 302


def test_a_case_file_scored_below_the_pass_line_raises_a_lead(org: Any, settings: Any, tmp_path: Any) -> None:
    from decimal import Decimal

    from fazhi.casefile_review.models import ReviewCampaign, SampledFile
    from fazhi.registers.enforcement.tests.fixtures import make_agency, open_case

    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    agency = make_agency(org)
    campaign = ReviewCampaign.objects.create(organiser=org.district, scope=org.district, name="2025年度案卷评查", year=2025, sheet="penalty-2026", seed="s")
    failed, passed = open_case(agency), open_case(agency)
    SampledFile.objects.create(campaign=campaign, case=failed, unit=org.dept, position=1, total=Decimal("55"), comment="证据不充分")
    SampledFile.objects.create(campaign=campaign, case=passed, unit=org.dept, position=2, total=Decimal("60"))
    leads = [x for x in services.leads_scan(org.district, D(2026, 1, 10)) if x.source == Source.CASEFILE]
    assert [x.matter_id for x in leads] == [failed.pk]  # 60 is the pass line: passed
    assert "低于合格线 60 分" in leads[0].summary and "证据不充分" in leads[0].summary and leads[0].unit == org.dept


def test_the_home_page_lists_what_supervision_asks_of_each_side(org: Any, corrected: Any) -> None:
    lead = services.leads_scan(org.district, dt.date.today())[0]
    dave, erin, frank = Client(), Client(), Client()
    dave.force_login(org.dave)
    erin.force_login(org.erin)
    frank.force_login(org.frank)

    def todo(c: Client) -> str:
        html = c.get("/").content.decode()
        return html[html.index('id="todo-lead"') : html.index("</table>", html.index('id="todo-lead"'))] if 'id="todo-lead"' in html else ""

    # the steps come from the lead's definition: the office checks, the unit's staff report
    head, other_head = Client(), Client()
    head_user = get_user_model().objects.create_user("dept_head_sv")
    other_user = get_user_model().objects.create_user("other_head_sv")
    membership_grant(user=head_user, unit=lead.unit, role=Role.HEAD)
    membership_grant(user=other_user, unit=org.other_body, role=Role.HEAD)
    head.force_login(head_user)
    other_head.force_login(other_user)
    assert "核查属实" in todo(dave) and "核查不属实" in todo(dave) and todo(erin) == "" and todo(frank) == ""
    t = dt.date.today()
    services.lead_find(lead=lead, founded=True, text="属实", actor=org.dave, on=t)
    assert "<td>发函</td>" in todo(dave) and "核查不属实" not in todo(dave) and "东湖区市场监督管理局" in todo(dave)
    services.lead_notice(lead=lead, kind="prompt", text="请整改", due_on=t + dt.timedelta(days=15), actor=org.dave, on=t)
    assert "报送整改情况" in todo(erin) and f"整改期限：{t + dt.timedelta(days=15):%Y-%m-%d}" in todo(erin)
    # waiting for the unit's report: its head is told, another unit's head is not
    assert "报送整改情况" in todo(head) and todo(other_head) == ""
    assert "报送整改情况" not in todo(dave) and todo(frank) == ""
    services.lead_report(lead=lead, text="已整改", actor=org.erin, on=t)
    assert "销号" in todo(dave) and todo(erin) == "" and todo(head) == ""
