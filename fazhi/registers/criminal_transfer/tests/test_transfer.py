"""两法衔接: the chain of 国务院令第310号 with its clocks, and the board that says where a transfer is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, Org, do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.registers.criminal_transfer.models import CriminalTransfer
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency
from fazhi.registers.framework.services import matter_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(org: Org) -> Agency:
    return make_agency(org)


def report(agency: Agency, **overrides: Any) -> CriminalTransfer:
    data = {
        "received_on": dt.date(2025, 6, 3),
        "origin": "own",
        "offence": "非法经营罪",
        "suspect_type": "natural_person",
        "suspect_name": "李四",
        "facts": "无证经营成品油，非法经营数额六万元",
        "lead_officer": agency.officers[0].pk,
        "second_officer": agency.officers[1].pk,
    } | overrides
    t = matter_create(register="criminal_transfer", unit=agency.unit, actor=agency.clerk, data=data)
    assert isinstance(t, CriminalTransfer)
    return t


def test_chain_with_its_clocks_through_refusal_reconsideration_and_supervision(agency: Agency) -> None:
    t = report(agency)
    assert t.due_rule == "criminal_transfer.approval" and t.due_on == dt.date(2025, 6, 6)  # 3 日 (art.5)
    with pytest.raises(PermissionDenied):
        do(t, "approve", agency.clerk, approved_on=dt.date(2025, 6, 4))  # the head decides
    do(t, "approve", agency.head, approved_on=dt.date(2025, 6, 4))
    assert t.due_rule == "criminal_transfer.transfer" and t.due_on == dt.date(2025, 6, 5)  # 24 小时
    do(t, "transfer", agency.clerk, transferred_on=dt.date(2025, 6, 5), police_unit="东湖区公安分局", copied_to_procuratorate=True)
    do(t, "police_accept", agency.clerk, police_received_on=dt.date(2025, 6, 5))
    assert t.due_rule == "criminal_transfer.police_review" and t.due_on == dt.date(2025, 6, 9)  # 06-08 is a Sunday
    do(t, "police_not_file", agency.clerk, police_decided_on=dt.date(2025, 6, 7), not_filed_reason="数额未达标准")
    assert t.due_rule == "criminal_transfer.objection" and t.due_on == dt.date(2025, 6, 10)
    do(t, "request_reconsideration", agency.head, reconsideration_requested_on=dt.date(2025, 6, 9))
    with pytest.raises(ValidationFailed):
        do(t, "uphold_not_filed", agency.clerk, reconsideration_decided_on=dt.date(2025, 6, 8))  # before the request
    do(t, "uphold_not_filed", agency.clerk, reconsideration_decided_on=dt.date(2025, 6, 11))
    with pytest.raises(TransitionNotAllowed):
        do(t, "request_reconsideration", agency.head, reconsideration_requested_on=dt.date(2025, 6, 12))  # once
    do(t, "request_supervision", agency.head, supervision_requested_on=dt.date(2025, 6, 12))
    do(t, "police_file", agency.clerk, police_decided_on=dt.date(2025, 6, 20), police_case_number="东公立〔2025〕88号")
    assert t.due_rule == "criminal_transfer.hand_over" and t.due_on == dt.date(2025, 6, 23)
    do(t, "hand_over", agency.clerk, handed_over_on=dt.date(2025, 6, 23))
    assert t.state == "closed" and t.due_on is None


def test_team_of_two_officers_and_own_cases_only(agency: Agency, org: Org) -> None:
    with pytest.raises(ValidationFailed):
        report(agency, second_officer=agency.officers[0].pk)
    from fazhi.registers.enforcement.tests.fixtures import open_case

    case = open_case(agency)
    assert report(agency, enforcement_case=case.pk).enforcement_case == case
    other_case = open_case(agency)
    from fazhi.registers.enforcement.models import EnforcementCase

    EnforcementCase.objects.filter(pk=other_case.pk).update(unit=org.body)  # now another unit's case
    with pytest.raises(ValidationFailed):
        report(agency, enforcement_case=other_case.pk)


def test_board_shows_where_each_transfer_is(agency: Agency) -> None:
    t = report(agency, received_on=dt.date(2025, 6, 3))
    do(t, "approve", agency.head, approved_on=dt.date(2025, 6, 4))
    report(agency, received_on=dt.date(2025, 7, 1), suspect_name="周五")
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    page = client.get("/zhifa/yisong/?year=2025").content.decode()
    assert t.case_number in page and "已批准，待移送" in page and "6月" in page and "7月" in page
    other = Client()
    assert other.login(username="frank", password=PASSWORD)
    assert t.case_number not in other.get("/zhifa/yisong/?year=2025").content.decode()
