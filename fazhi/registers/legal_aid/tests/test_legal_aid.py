"""法律援助: the 7-day decision and 3-day assignment, notifications, 先行援助, closure, roles."""

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
from fazhi.registers.legal_aid.models import LegalAidCase

pytestmark = pytest.mark.django_db


@dataclass
class Centre:
    unit: Unit
    clerk: Any
    reviewer: Any


@pytest.fixture
def centre(org: Any) -> Centre:
    from django.contrib.auth import get_user_model

    unit = unit_create(name="东湖区法律援助中心", short_name="东援", code="T-D-J-LA", level=Level.DISTRICT, kind=Kind.STATION, parent=org.district)
    users = get_user_model().objects
    clerk, reviewer = users.create_user("aid_clerk", password=PASSWORD), users.create_user("aid_reviewer", password=PASSWORD)
    membership_grant(user=clerk, unit=unit, role=Role.CLERK)
    membership_grant(user=reviewer, unit=unit, role=Role.REVIEWER)
    return Centre(unit, users.get(pk=clerk.pk), users.get(pk=reviewer.pk))


def application(centre: Centre, **overrides: Any) -> LegalAidCase:
    data = {
        "received_on": dt.date(2025, 9, 26),
        "source": "application",
        "category": "civil",
        "aid_form": "arbitration",
        "applicant_name": "郑三",
        "applicant_phone": "13700001111",
        "matter_summary": "追索劳动报酬（农民工欠薪）",
        "wage_arrears": True,
    } | overrides
    case = matter_create(register="legal_aid", unit=centre.unit, actor=centre.clerk, data=data)
    assert isinstance(case, LegalAidCase)
    return case


def test_decision_in_7_days_then_assignment_in_3_days_and_the_amount_recovered(centre: Centre) -> None:
    case = application(centre)
    assert case.case_number == "东援援〔2025〕1号"
    # 7 日 (not working days): 10-03 falls inside 国庆, so the period ends on the next working day
    assert (case.due_rule, case.due_on) == ("legal_aid.decision", dt.date(2025, 10, 9))
    do(case, "request_correction", centre.clerk, correction_requested_on="2025-10-01", correction_items="收入状况证明")
    assert case.due_on is None, "the applicant holds the file: no decision clock while materials are missing"
    assert case.deadlines == {}, "a correction notice is no decision: it is not judged on time"
    do(case, "receive_correction", centre.clerk, correction_received_on="2025-10-13")
    # 09-27 … 10-01 counted (5 日), the time to supplement is not counted, 10-14 and 10-15 end the 7 日
    # (a restart would give 10-20)
    assert case.due_on == dt.date(2025, 10, 15), "the supplement pauses the 7 日, it does not start them afresh"
    with pytest.raises(PermissionDenied):
        do(case, "grant", centre.clerk, decided_on="2025-10-14")
    do(case, "grant", centre.reviewer, decided_on="2025-10-14")
    assert case.deadlines == {"legal_aid.decision": "met"}
    assert (case.state, case.due_rule, case.due_on) == ("granted", "legal_aid.assignment", dt.date(2025, 10, 17))
    do(case, "assign", centre.clerk, assigned_on="2025-10-16", provider_type="lawyer", provider_name="李律师（江城某律师事务所）")
    assert case.due_on is None
    with pytest.raises(ValidationFailed, match="终止援助"):
        do(case, "close", centre.clerk, closed_on="2025-12-20", outcome="terminated")
    do(case, "close", centre.clerk, closed_on="2025-12-20", outcome="arbitration", amount_recovered="23800.50")
    assert (case.state, str(case.amount_recovered), case.closed_on) == ("closed", "23800.50", dt.date(2025, 12, 20))


def test_a_notification_by_the_court_is_assigned_within_3_days_without_review(centre: Centre) -> None:
    with pytest.raises(ValidationFailed) as exc:
        application(centre, source="notification", category="criminal", aid_form="criminal_defence")
    assert "notifying_authority" in exc.value.errors
    case = application(
        centre, source="notification", category="criminal", aid_form="criminal_defence", notifying_authority="东湖区人民法院", wage_arrears=False
    )
    assert (case.due_rule, case.due_on) == ("legal_aid.assignment", dt.date(2025, 9, 29))  # Friday + 3 日
    do(case, "assign", centre.clerk, assigned_on="2025-09-28", provider_type="lawyer", provider_name="王律师")
    assert case.state == "assigned" and case.due_on is None


def test_an_application_is_not_assigned_before_its_decision_unless_as_advance_aid(centre: Centre) -> None:
    case = application(centre)
    with pytest.raises(ValidationFailed, match="先行援助"):
        do(case, "assign", centre.clerk, assigned_on="2025-09-28", provider_type="lawyer", provider_name="王律师")
    with pytest.raises(ValidationFailed, match="只有先行援助"):
        other = application(centre)
        do(other, "grant", centre.reviewer, decided_on="2025-09-28")
        do(other, "assign", centre.clerk, assigned_on="2025-09-29", provider_type="lawyer", provider_name="王律师")
        do(other, "confirm_after_advance", centre.reviewer, decided_on="2025-09-30")
    do(
        case,
        "advance_assign",
        centre.reviewer,
        assigned_on="2025-09-27",
        provider_type="centre_staff",
        provider_name="中心值班人员",
        advance_reason="仲裁时效不足7日",
    )
    assert (case.state, case.advance_aid, case.due_on) == ("assigned", True, None)
    do(case, "confirm_after_advance", centre.reviewer, decided_on="2025-09-30")
    assert case.decided_on == dt.date(2025, 9, 30)
    do(case, "terminate", centre.reviewer, closed_on="2025-10-20", termination_reason="受援人自行委托律师（第四十八条）")
    assert (case.state, case.outcome) == ("closed", "terminated")


def test_criminal_cases_take_criminal_forms_and_silence_means_withdrawal(centre: Centre) -> None:
    with pytest.raises(ValidationFailed) as exc:
        application(centre, category="criminal", aid_form="litigation")
    assert "aid_form" in exc.value.errors
    case = application(centre)
    do(case, "request_correction", centre.clerk, correction_requested_on="2025-09-28", correction_items="身份证明")
    do(case, "treat_as_withdrawn", centre.reviewer, closed_on="2025-11-03")
    assert case.state == "withdrawn" and case.closed_on == dt.date(2025, 11, 3)
    with pytest.raises(TransitionNotAllowed):
        do(case, "grant", centre.reviewer, decided_on="2025-11-04")


def test_the_centre_sees_its_cases_and_a_department_does_not(centre: Centre, org: Any) -> None:
    case = application(centre)
    client = Client()
    client.login(username="erin", password=PASSWORD)
    assert client.get(f"/r/legal_aid/{case.pk}/").status_code == 404
    assert client.post(f"/r/legal_aid/{case.pk}/do/grant/", {"decided_on": "2025-09-28"}).status_code == 404
    client.login(username="aid_reviewer", password=PASSWORD)
    response = client.post(f"/r/legal_aid/{case.pk}/do/grant/", {"decided_on": "2025-09-28"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "granted"


def test_the_missing_materials_are_told_once_and_a_late_decision_stays_late(centre: Centre) -> None:
    case = application(centre)
    do(case, "request_correction", centre.clerk, correction_requested_on="2025-10-02", correction_items="身份证明")
    do(case, "receive_correction", centre.clerk, correction_received_on="2025-10-20")
    # 6 日 counted before the notice (09-27 … 10-02), one left after the materials: 10-21
    assert case.due_on == dt.date(2025, 10, 21)
    with pytest.raises(TransitionNotAllowed, match="最多只能执行 1 次"):
        do(case, "request_correction", centre.clerk, correction_requested_on="2025-10-21", correction_items="其他材料")
    do(case, "refuse", centre.reviewer, decided_on="2025-10-23", refusal_reason="经济状况不符合条件")
    assert case.deadlines == {"legal_aid.decision": "late"}


def test_a_withdrawal_while_materials_are_awaited_is_not_judged(centre: Centre) -> None:
    case = application(centre)
    do(case, "request_correction", centre.clerk, correction_requested_on="2025-09-28", correction_items="身份证明")
    do(case, "treat_as_withdrawn", centre.reviewer, closed_on="2025-11-03")
    assert case.state == "withdrawn" and case.deadlines == {}


def test_an_objection_to_a_refusal_is_decided_by_the_justice_bureau_within_5_days(centre: Centre) -> None:
    case = application(centre)
    do(case, "refuse", centre.reviewer, decided_on="2025-09-30", refusal_reason="不属于法律援助事项范围")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "raise_objection", centre.clerk, objection_received_on="2025-09-29", objection_grounds="属于追索劳动报酬")
    assert "objection_received_on" in exc.value.errors
    do(case, "raise_objection", centre.clerk, objection_received_on="2025-10-09", objection_grounds="属于追索劳动报酬")
    assert (case.state, case.due_rule, case.due_on) == ("refusal_objection", "legal_aid.objection_review", dt.date(2025, 10, 14))
    with pytest.raises(PermissionDenied):
        do(case, "correct_refusal", centre.clerk, objection_decided_on="2025-10-13")
    do(case, "correct_refusal", centre.reviewer, objection_decided_on="2025-10-13")
    # corrected: the aid is given as on a grant, assigned within 3 日
    assert (case.state, case.objection_result, case.due_rule, case.due_on) == ("granted", "corrected", "legal_aid.assignment", dt.date(2025, 10, 16))
    assert case.closed_on is None, "the refusal no longer stands: the case is open again"
    assert case.deadlines["legal_aid.objection_review"] == "met"
    do(case, "assign", centre.clerk, assigned_on="2025-10-15", provider_type="lawyer", provider_name="李律师")
    assert case.state == "assigned" and case.deadlines["legal_aid.assignment"] == "met"

    other = application(centre)
    do(other, "refuse", centre.reviewer, decided_on="2025-09-30", refusal_reason="经济状况不符合条件")
    do(other, "raise_objection", centre.clerk, objection_received_on="2025-10-09", objection_grounds="收入证明有误")
    do(other, "uphold_refusal", centre.reviewer, objection_decided_on="2025-10-16")
    assert (other.state, other.objection_result, other.deadlines["legal_aid.objection_review"]) == ("refused", "upheld", "late")
    with pytest.raises(TransitionNotAllowed):  # the next remedy is 行政复议 or 行政诉讼, not a second objection
        do(other, "raise_objection", centre.clerk, objection_received_on="2025-10-20", objection_grounds="再次异议")


def test_an_objection_to_a_termination_can_restore_the_aid_but_a_closed_case_takes_none(centre: Centre) -> None:
    case = application(centre)
    do(case, "grant", centre.reviewer, decided_on="2025-09-28")
    do(case, "assign", centre.clerk, assigned_on="2025-09-29", provider_type="lawyer", provider_name="王律师")
    do(case, "terminate", centre.reviewer, closed_on="2025-10-20", termination_reason="受援人经济状况好转（第四十八条）")
    do(case, "raise_termination_objection", centre.clerk, objection_received_on="2025-10-22", objection_grounds="收入并未增加")
    assert (case.state, case.due_on) == ("termination_objection", dt.date(2025, 10, 27))
    do(case, "correct_termination", centre.reviewer, objection_decided_on="2025-10-27")
    assert (case.state, case.outcome, case.closed_on, case.objection_result) == ("assigned", "", None, "corrected")
    do(case, "close", centre.clerk, closed_on="2025-12-20", outcome="arbitration")
    assert case.state == "closed" and case.outcome == "arbitration"

    done = application(centre)
    do(done, "grant", centre.reviewer, decided_on="2025-09-28")
    do(done, "assign", centre.clerk, assigned_on="2025-09-29", provider_type="lawyer", provider_name="王律师")
    do(done, "close", centre.clerk, closed_on="2025-12-20", outcome="mediated")
    with pytest.raises(ValidationFailed, match="只能对终止法律援助的决定提出异议"):
        do(done, "raise_termination_objection", centre.clerk, objection_received_on="2025-12-22", objection_grounds="不满结果")
