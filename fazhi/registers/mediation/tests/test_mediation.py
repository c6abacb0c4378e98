"""人民调解: the one-month clock, agreements and failures, 司法确认 within 30 days, 排查 records, scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Kind, Level, Role, Unit
from fazhi.core.services import membership_grant, unit_create
from fazhi.registers.framework.services import matter_create
from fazhi.registers.mediation.models import MediationCase, MediationCommittee, Mediator, Screening

pytestmark = pytest.mark.django_db


@dataclass
class Net:
    office: Unit  # a 司法所 keeping the ledgers of its subdistrict's committees
    committee: MediationCommittee
    mediator: Mediator
    other_committee: MediationCommittee
    clerk: Any
    reviewer: Any


@pytest.fixture
def net(org: Any) -> Net:
    from django.contrib.auth import get_user_model

    sub = unit_create(name="东湖区长青街道办事处", short_name="长青", code="T-D-J01", level=Level.SUBDISTRICT, kind=Kind.GOVERNMENT, parent=org.district)
    office = unit_create(name="长青司法所", short_name="长青所", code="T-D-J01-SF", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=sub)
    committee = MediationCommittee.objects.create(name="长青街道人民调解委员会", level="subdistrict", unit=office)
    other = MediationCommittee.objects.create(name="区医疗纠纷人民调解委员会", level="sector", unit=org.dept)
    mediator = Mediator.objects.create(committee=committee, name="周调解", full_time=True)
    Mediator.objects.create(committee=other, name="吴调解")
    users = get_user_model().objects
    clerk, reviewer = users.create_user("med_clerk", password=PASSWORD), users.create_user("med_reviewer", password=PASSWORD)
    membership_grant(user=clerk, unit=office, role=Role.CLERK)
    membership_grant(user=reviewer, unit=office, role=Role.REVIEWER)
    return Net(office, committee, mediator, other, users.get(pk=clerk.pk), users.get(pk=reviewer.pk))


def dispute(net: Net, **overrides: Any) -> MediationCase:
    data = {
        "received_on": dt.date(2025, 9, 1),
        "committee": net.committee.pk,
        "mediator": net.mediator.pk,
        "dispute_type": "neighbour",
        "source": "application",
        "party_a_name": "钱一",
        "party_a_phone": "13800001234",
        "party_b_name": "孙二",
        "description": "楼上漏水致楼下天花板受损",
    } | overrides
    case = matter_create(register="mediation", unit=net.office, actor=net.clerk, data=data)
    assert isinstance(case, MediationCase)
    return case


def test_a_dispute_is_normally_concluded_within_one_month_rolled_past_the_national_day(net: Net) -> None:
    case = dispute(net)
    assert case.case_number == "长青所调〔2025〕1号"
    # 2025-09-01 + 1 month = 10-01, inside 国庆 (10/1–10/8): the period ends on the next working day
    assert (case.due_rule, case.due_on) == ("mediation.conclusion", dt.date(2025, 10, 9))
    do(case, "agree", net.clerk, concluded_on="2025-09-20", outcome="oral_agreement")
    assert case.state == "agreed" and case.due_on is None
    assert case.closed_on is None, "an agreement concludes the mediation; the case closes after the performance visit"


def test_judicial_confirmation_must_be_applied_for_within_30_days_of_the_agreement(net: Net) -> None:
    case = dispute(net, dispute_type="labour", amount_involved="12000")
    do(case, "agree", net.clerk, concluded_on="2025-09-10", outcome="written_agreement", agreement_amount="9000", agreement_terms="乙方于十日内付清欠款")
    with pytest.raises(ValidationFailed, match="三十日"):
        do(case, "apply_confirmation", net.clerk, confirmation_applied_on="2025-10-11", confirmation_court="东湖区人民法院")
    with pytest.raises(ValidationFailed, match="尚未记录申请"):
        do(case, "record_confirmation", net.clerk, confirmation_ruled_on="2025-10-15", confirmation_result="confirmed")
    do(case, "apply_confirmation", net.clerk, confirmation_applied_on="2025-10-10", confirmation_court="东湖区人民法院")
    with pytest.raises(TransitionNotAllowed, match="最多"):
        do(case, "apply_confirmation", net.clerk, confirmation_applied_on="2025-10-10", confirmation_court="东湖区人民法院")
    do(case, "check_performance", net.reviewer, performance_checked_on="2025-11-10", performance="performed")
    assert (case.state, case.closed_on, case.performance) == ("closed", dt.date(2025, 11, 10), "performed")
    do(case, "record_confirmation", net.clerk, confirmation_ruled_on="2025-11-12", confirmation_result="confirmed")
    assert case.confirmation_result == "confirmed" and case.state == "closed"


def test_an_agreement_cannot_be_recorded_as_a_failure_and_a_failure_says_why(net: Net) -> None:
    case = dispute(net)
    with pytest.raises(ValidationFailed, match="不能是调解协议"):
        do(case, "fail", net.clerk, concluded_on="2025-09-20", outcome="written_agreement", failure_reason="x")
    with pytest.raises(ValidationFailed, match="书面或口头"):
        do(case, "agree", net.clerk, concluded_on="2025-09-20", outcome="failed")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "fail", net.clerk, concluded_on="2025-09-20", outcome="failed")
    assert "failure_reason" in exc.value.errors
    with pytest.raises(ValidationFailed, match="不能早于受理日期"):
        do(case, "fail", net.clerk, concluded_on="2025-08-20", outcome="failed", failure_reason="一方拒绝调解，已告知可向法院起诉")
    do(case, "fail", net.clerk, concluded_on="2025-09-20", outcome="failed", failure_reason="一方拒绝调解，已告知可向法院起诉")
    assert (case.state, case.closed_on) == ("closed", dt.date(2025, 9, 20))
    with pytest.raises(TransitionNotAllowed):
        do(case, "check_performance", net.clerk, performance_checked_on="2025-10-10", performance="performed")


def test_a_committee_or_mediator_outside_the_units_network_is_refused(net: Net) -> None:
    with pytest.raises(ValidationFailed) as exc:
        dispute(net, committee=net.other_committee.pk, mediator=None)
    assert "不由长青司法所管理" in exc.value.errors["committee"][0]
    stranger = Mediator.objects.get(committee=net.other_committee)
    with pytest.raises(ValidationFailed) as exc:
        dispute(net, mediator=stranger.pk)
    assert exc.value.errors["mediator"] == ["该调解员不属于所选调委会"]
    assert not MediationCase.objects.exists()


def test_screening_records_are_checked_and_never_edited_silently(net: Net) -> None:
    base = {"received_on": dt.date(2025, 6, 5), "committee": net.committee.pk, "scope": "辖区12个小区", "disputes_found": 3}
    with pytest.raises(ValidationFailed, match="不能超过"):
        matter_create(register="mediation_screening", unit=net.office, actor=net.clerk, data=base | {"disputes_resolved": 2, "disputes_referred": 2})
    record = matter_create(register="mediation_screening", unit=net.office, actor=net.clerk, data=base | {"disputes_resolved": 2, "disputes_referred": 1})
    assert isinstance(record, Screening) and record.case_number == "长青所排〔2025〕1号" and record.state == "recorded"
    with pytest.raises(TransitionNotAllowed):
        do(record, "agree", net.clerk, concluded_on="2025-06-06")


def test_other_units_neither_see_nor_change_the_disputes(net: Net, org: Any) -> None:
    case = dispute(net)
    with pytest.raises(PermissionDenied):
        do(case, "agree", org.erin, concluded_on="2025-09-20", outcome="oral_agreement")
    with pytest.raises(PermissionDenied):
        matter_create(register="mediation", unit=net.office, actor=org.erin, data={})
    client = Client()
    client.login(username="erin", password=PASSWORD)
    assert client.get(f"/r/mediation/{case.pk}/").status_code == 404
    assert case.case_number not in client.get("/r/mediation/").content.decode()
    client.login(username="med_clerk", password=PASSWORD)
    page = client.get(f"/r/mediation/{case.pk}/").content.decode()
    assert "达成调解协议" in page and "长青街道人民调解委员会" in page


def test_the_confirmation_window_ending_in_a_holiday_runs_to_the_next_working_day(net: Net) -> None:
    case = dispute(net)
    do(case, "agree", net.clerk, concluded_on="2025-09-03", outcome="written_agreement", agreement_terms="乙方于十日内付清欠款")
    # day 30 is 2025-10-03, inside 国庆 (10/1–10/8): the period ends on 10-09 (clock rule mediation.judicial_confirmation)
    with pytest.raises(ValidationFailed, match="本案至 2025-10-09"):
        do(case, "apply_confirmation", net.clerk, confirmation_applied_on="2025-10-10", confirmation_court="东湖区人民法院")
    do(case, "apply_confirmation", net.clerk, confirmation_applied_on="2025-10-09", confirmation_court="东湖区人民法院")
    assert case.confirmation_applied_on == dt.date(2025, 10, 9)
