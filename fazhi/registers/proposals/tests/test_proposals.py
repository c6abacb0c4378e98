"""人大建议 / 政协提案: 3-month answers, one extension to 6 months, A/B/C/D, satisfaction and re-handling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.registers.framework.services import matter_create
from fazhi.registers.proposals.models import Proposal

pytestmark = pytest.mark.django_db


def proposal(org: Any, **overrides: Any) -> Proposal:
    data = {
        "received_on": dt.date(2025, 3, 31),
        "kind": "npc",
        "session": "东湖区第十届人大第五次会议",
        "proposal_number": "12",
        "title": "关于加强老旧小区电动自行车充电设施建设的建议",
        "proposer_name": "陈代表",
    } | overrides
    case = matter_create(register="proposals", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, Proposal)
    return case


@pytest.fixture
def head(org: Any) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("dept_head", password=PASSWORD)
    membership_grant(user=user, unit=org.dept, role=Role.HEAD)
    return get_user_model().objects.get(pk=user.pk)


def test_an_npc_suggestion_is_answered_in_3_months_or_6_with_one_extension(org: Any, head: Any) -> None:
    case = proposal(org)
    assert case.case_number == "市监议〔2025〕1号"
    assert (case.due_rule, case.due_on) == ("proposals.npc_answer", dt.date(2025, 6, 30))
    with pytest.raises(PermissionDenied):
        do(case, "extend", org.erin, extended_on="2025-06-10", extension_reason="涉及多个部门")
    do(case, "extend", head, extended_on="2025-06-10", extension_reason="涉及多个部门，需统筹资金")
    assert case.due_on == dt.date(2025, 9, 30)
    with pytest.raises(TransitionNotAllowed, match="最多"):
        do(case, "extend", head, extended_on="2025-06-11", extension_reason="再延")


def test_a_cppcc_proposal_follows_its_own_rule(org: Any) -> None:
    case = proposal(org, kind="cppcc", session="政协东湖区第九届委员会第四次会议", proposer_name="林委员")
    assert (case.due_rule, case.due_on) == ("proposals.cppcc_answer", dt.date(2025, 6, 30))


def test_dissatisfaction_reopens_the_handling_once_and_satisfaction_closes_it(org: Any, head: Any) -> None:
    case = proposal(org)
    do(case, "contact", org.erin, contacted_on="2025-04-10")
    do(case, "answer", head, answered_on="2025-06-20", outcome="B", answer_summary="已列入2026年民生实事计划")
    assert (case.state, case.due_on) == ("answered", None)
    with pytest.raises(ValidationFailed, match="重新办理"):
        do(case, "record_feedback", org.erin, feedback_on="2025-07-01", satisfaction="dissatisfied")
    do(case, "reopen", org.erin, feedback_on="2025-07-01", dissatisfaction_reason="建设进度不明确")
    assert (case.state, case.satisfaction) == ("reopened", "dissatisfied")
    do(case, "answer", head, answered_on="2025-07-25", outcome="A")
    with pytest.raises(TransitionNotAllowed, match="最多"):
        do(case, "reopen", org.erin, feedback_on="2025-08-01", dissatisfaction_reason="仍不满意")
    do(case, "record_feedback", org.erin, feedback_on="2025-08-01", satisfaction="basically")
    assert (case.state, case.satisfaction, case.outcome, case.closed_on) == ("closed", "basically", "A", dt.date(2025, 8, 1))


def test_the_same_suggestion_is_not_registered_twice_and_co_handling_names_the_units(org: Any) -> None:
    proposal(org)
    with pytest.raises(ValidationFailed, match="已登记过"):
        proposal(org)
    with pytest.raises(ValidationFailed) as exc:
        proposal(org, proposal_number="13", handling_role="lead")
    assert "co_handling_units" in exc.value.errors
    assert proposal(org, proposal_number="13", handling_role="lead", co_handling_units="东湖区住建局、东湖区城管局").state == "handling"
    client = Client()
    client.login(username="frank", password=PASSWORD)
    assert client.get("/r/proposals/").status_code == 200
    assert "市监议" not in client.get("/r/proposals/").content.decode()
