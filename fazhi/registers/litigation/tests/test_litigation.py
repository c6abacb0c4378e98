"""The 行政应诉 register: the 答辩 clock, 负责人出庭 per 审级, judgment types, who may see what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import do
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.core.models import Membership
from fazhi.registers.framework.services import matter_create, matter_transition
from fazhi.registers.litigation.models import LitigationCase

pytestmark = pytest.mark.django_db


def lawsuit(org: Any, **overrides: Any) -> LitigationCase:
    data = {
        "received_on": dt.date(2025, 9, 22),
        "plaintiff_name": "王五",
        "plaintiff_type": "natural_person",
        "plaintiff_phone": "13900001111",
        "defendant_name": org.dept.name,
        "court": "东湖区人民法院",
        "instance": "first",
        "disputed_act": "行政处罚决定",
    } | overrides
    case = matter_create(register="litigation", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, LitigationCase)
    return case


def test_the_defence_is_due_15_days_after_service_rolled_past_the_national_day(org: Any) -> None:
    case = lawsuit(org)  # served 2025-09-22: day 15 is 10/7, inside 国庆 (10/1–10/8)
    assert case.case_number == "市监应〔2025〕1号"
    assert (case.due_rule, case.due_on) == ("litigation.defence", dt.date(2025, 10, 9))
    do(case, "file_defence", org.erin, defence_filed_on="2025-09-30")
    assert case.state == "defended" and case.due_on is None


def test_head_appearance_counts_once_per_instance_and_a_defective_proof_is_no_appearance(org: Any) -> None:
    case = lawsuit(org)
    do(case, "file_defence", org.erin, defence_filed_on="2025-09-30")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "hold_hearing", org.erin, hearing_on="2025-10-20", appearance="staff")
    assert "absence_reason" in exc.value.errors
    do(case, "hold_hearing", org.erin, hearing_on="2025-10-20", appearance="deputy", appearance_person="李四（副局长）", appearance_proof_defective=True)
    assert (case.head_appeared, case.state) == (False, "defended")  # 规定第六条
    do(case, "hold_hearing", org.erin, hearing_on="2025-11-03", appearance="principal", appearance_person="赵六（局长）")
    assert case.head_appeared and case.principal_appeared
    do(case, "hold_hearing", org.erin, hearing_on="2025-11-10", appearance="staff", absence_reason="公务冲突")
    assert case.head_appeared, "one attended hearing in the 审级 is enough (规定第七条)"
    with pytest.raises(ValidationFailed, match="二审"):
        do(case, "judge", org.erin, judged_on="2025-11-20", outcome="appeal_dismissed")
    do(case, "judge", org.erin, judged_on="2025-11-20", outcome="set_aside")
    with pytest.raises(ValidationFailed, match="送达"):  # the appeal period runs from service (art.85)
        do(case, "close", org.erin, closed_on="2025-12-10")
    do(case, "record_service", org.erin, judgment_served_on="2025-11-24")  # 15 days: 2025-12-09
    do(case, "close", org.erin, closed_on="2025-12-10")
    assert case.state == "closed" and case.closed_on == dt.date(2025, 12, 10)


def test_a_second_instance_names_the_first_and_takes_appeal_outcomes(org: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        lawsuit(org, instance="second")
    assert "prior_case_number" in exc.value.errors
    # the first instance is not in the system: the clerk says who appealed and how it ended
    with pytest.raises(ValidationFailed) as exc:
        lawsuit(org, instance="second", prior_case_number="（2025）鄂0102行初12号")
    assert set(exc.value.errors) == {"appellant", "first_instance_result"}
    case = lawsuit(org, instance="second", prior_case_number="（2025）鄂0102行初12号", appellant="plaintiff", first_instance_result="won")
    with pytest.raises(ValidationFailed, match="二审案件的结果"):
        do(case, "judge", org.erin, judged_on="2025-11-20", outcome="claim_rejected")
    do(case, "judge", org.erin, judged_on="2025-11-20", outcome="appeal_dismissed")
    assert (case.agency_result, case.appeal_period) == ("won", "none")


def test_a_meeting_before_the_defence_keeps_the_state_and_dates_keep_their_order(org: Any) -> None:
    case = lawsuit(org)
    do(case, "hold_analysis_meeting", org.erin, analysis_meeting_on="2025-09-25")
    assert case.state == "received" and case.analysis_meeting_on == dt.date(2025, 9, 25)
    with pytest.raises(ValidationFailed) as exc:
        do(case, "file_defence", org.erin, defence_filed_on="2025-09-01")
    assert exc.value.errors["defence_filed_on"] == ["不能早于收到起诉状副本日期（2025-09-22）"]


def test_only_the_defendant_unit_and_those_above_it_see_the_case(org: Any, client: Client) -> None:
    case = lawsuit(org)
    with pytest.raises(PermissionDenied):
        matter_transition(matter=case, transition="file_defence", actor=org.alice, data={"defence_filed_on": "2025-09-30"})
    assert Membership.objects.filter(user=org.dave, unit=org.district).exists()
    for user, status in [(org.erin, 200), (org.dave, 200), (org.alice, 404), (org.frank, 404)]:
        client.force_login(user)
        assert client.get(f"/r/litigation/{case.pk}/").status_code == status, user
        listing = client.get("/r/litigation/")
        assert (case.case_number in listing.content.decode()) is (status == 200)
    client.force_login(org.erin)
    page = client.get(f"/r/litigation/{case.pk}/").content.decode()
    assert "提交答辩状和证据" in page and "《行政诉讼法》第六十七条" in page
    response = client.post(f"/r/litigation/{case.pk}/do/file_defence/", {"defence_filed_on": "2025-09-30"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "defended"
