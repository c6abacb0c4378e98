"""国家赔偿 after the decision: the applicant's three months to sue when no decision came in time
(《国家赔偿法》第十四条第一款), and the 复议 case or lawsuit that followed, linked and shown on both pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from conftest import application as reconsideration_data
from fazhi.core.errors import ValidationFailed
from fazhi.registers.framework.clocks import matter_clocks, matter_last_dues
from fazhi.registers.framework.services import matter_amend, matter_create
from fazhi.registers.litigation.tests.test_litigation import lawsuit
from fazhi.registers.state_compensation.tests.test_state_compensation import application, head  # noqa: F401

pytestmark = pytest.mark.django_db


def test_no_decision_in_two_months_opens_the_applicants_three_months_which_a_late_decision_replaces(org: Any, head: Any) -> None:  # noqa: F811
    idle = application(org)  # received 2025-03-14: decide by 2025-05-14
    dues = matter_last_dues(idle)
    assert dues["state_compensation.decision"] == dt.date(2025, 5, 14)
    assert dues["state_compensation.suit_without_decision"] == dt.date(2025, 8, 14)
    window = next(c for c in matter_clocks(idle) if c.rule == "state_compensation.suit_without_decision")
    # the applicant's window, never the unit's deadline: the stored due date stays the decision's
    assert not window.counts_for_due and window.deemed_from == dt.date(2025, 5, 14)
    assert (idle.due_rule, idle.due_on) == ("state_compensation.decision", dt.date(2025, 5, 14))
    # suing on the last day of the two months is too early, and nothing is written
    with pytest.raises(ValidationFailed) as exc:
        do(idle, "sue", org.erin, sued_on="2025-05-14")
    assert "sued_on" in exc.value.errors and "第十四条第一款" in exc.value.errors["sued_on"][0]
    idle.refresh_from_db()
    assert idle.state == "pending"
    do(idle, "sue", org.erin, sued_on="2025-06-10")
    assert idle.state == "sued" and idle.deadlines == {}

    # decided late: the window runs from the decision (art.14 para.2), the one from the expiry is gone
    late = application(org, applicant_name="李某")
    do(late, "decide", head, decided_on="2025-06-03", outcome="refuse", refusal_reason="不属于违法行使职权")
    dues = matter_last_dues(late)
    assert "state_compensation.suit_without_decision" not in dues
    assert dues["state_compensation.suit"] == dt.date(2025, 9, 3)
    assert late.deadlines == {"state_compensation.decision": "late"}


def test_the_lawsuit_and_the_reconsideration_case_are_linked_and_each_page_shows_the_other(org: Any, head: Any) -> None:  # noqa: F811
    decided = application(org)
    do(decided, "decide", head, decided_on="2025-05-09", outcome="compensate", mode="money", amount="3000")
    do(decided, "serve", org.erin, served_on="2025-05-12")
    suit = lawsuit(org, received_on=dt.date(2025, 7, 1), disputed_act="国家赔偿决定（赔偿数额）", compensation_claimed=True)
    do(decided, "sue", org.erin, sued_on="2025-06-30", litigation_case=suit.pk)
    assert decided.litigation_case_id == suit.pk

    refused = application(org, applicant_name="李某")
    do(refused, "decide", head, decided_on="2025-05-06", outcome="refuse", refusal_reason="未被确认违法")
    others = matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=reconsideration_data(respondent_name="西山区某局"))
    # a 复议 case whose respondent is another unit cannot be linked; nothing is written
    with pytest.raises(ValidationFailed) as exc:
        do(refused, "apply_reconsideration", org.erin, reconsidered_on="2025-06-20", reconsideration_case=others.pk)
    assert "被申请人" in exc.value.errors["reconsideration_case"][0]
    refused.refresh_from_db()
    assert (refused.state, refused.reconsideration_case_id) == ("decided", None)
    rc = matter_create(
        register="reconsideration",
        unit=org.body,
        actor=org.alice,
        data=reconsideration_data(respondent_unit=org.dept.pk, disputed_act="不予赔偿决定", compensation_requested=True),
    )
    do(refused, "apply_reconsideration", org.erin, reconsidered_on="2025-06-20")
    # the case registered later is linked by a correction
    matter_amend(matter=refused, actor=org.erin, changes={"reconsideration_case": rc.pk}, reason="复议机构已登记")
    refused.refresh_from_db()
    assert (refused.state, refused.reconsideration_case_id) == ("reconsidered", rc.pk)

    dept = Client()
    dept.login(username="erin", password=PASSWORD)
    page = dept.get(f"/r/state_compensation/{refused.pk}/").content.decode()
    assert 'id="compensation-links"' in page and rc.case_number in page and "东湖区行政复议办公室" in page
    page = dept.get(f"/r/state_compensation/{decided.pk}/").content.decode()
    assert suit.case_number in page and "东湖区人民法院" in page
    page = dept.get(f"/r/litigation/{suit.pk}/").content.decode()
    assert 'id="compensation-applications"' in page and decided.case_number in page and "决定赔偿" in page
    body = Client()
    body.login(username="alice", password=PASSWORD)
    page = body.get(f"/r/reconsideration/{rc.pk}/").content.decode()
    assert 'id="compensation-applications"' in page and refused.case_number in page and "决定不予赔偿" in page
    assert 'id="compensation-applications"' not in body.get(f"/r/reconsideration/{others.pk}/").content.decode()
    # the 复议 body sees the application through its case, never the application's own page
    assert body.get(f"/r/state_compensation/{refused.pk}/").status_code in (403, 404)


def test_the_form_takes_a_case_number_and_names_the_field_when_it_is_unknown(org: Any, head: Any) -> None:  # noqa: F811
    case = application(org)
    do(case, "decide", head, decided_on="2025-05-09", outcome="refuse", refusal_reason="未被确认违法")
    suit = lawsuit(org, received_on=dt.date(2025, 7, 1))
    dept = Client()
    dept.login(username="erin", password=PASSWORD)
    url = f"/r/state_compensation/{case.pk}/do/sue/"
    form = dept.get(url).content.decode()
    assert 'name="litigation_case"' in form and "<option" not in form.split('name="litigation_case"')[1].split(">")[0]
    reply = dept.post(url, {"sued_on": "2025-07-01", "litigation_case": "不存在的案号"})
    assert reply.status_code == 200 and "未找到该案号的" in reply.content.decode()
    case.refresh_from_db()
    assert case.state == "decided"
    dept.post(url, {"sued_on": "2025-07-01", "litigation_case": suit.case_number})
    case.refresh_from_db()
    assert (case.state, case.litigation_case_id) == ("sued", suit.pk)
