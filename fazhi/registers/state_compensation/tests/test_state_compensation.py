"""国家赔偿: the two-month decision, the ten-day service, the applicant's three months, bad input, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.registers.framework.services import matter_create
from fazhi.registers.state_compensation.models import Application

pytestmark = pytest.mark.django_db


def application(org: Any, **overrides: Any) -> Application:
    data = {"received_on": dt.date(2025, 3, 14), "applicant_name": "张某", "infringing_act": "违法查封扣押财物"} | overrides
    case = matter_create(register="state_compensation", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, Application)
    return case


@pytest.fixture
def head(org: Any) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("dept_head", password=PASSWORD)
    membership_grant(user=user, unit=org.dept, role=Role.HEAD)
    return get_user_model().objects.get(pk=user.pk)


def test_decided_within_two_months_and_served_within_ten_days(org: Any, head: Any) -> None:
    case = application(org)
    assert case.case_number == "市监赔〔2025〕1号"
    assert (case.due_rule, case.due_on) == ("state_compensation.decision", dt.date(2025, 5, 14))
    with pytest.raises(PermissionDenied):
        do(case, "decide", org.erin, decided_on="2025-05-09", outcome="compensate", mode="money", amount="48000")
    do(case, "decide", head, decided_on="2025-05-09", outcome="compensate", mode="money", amount="48000")
    assert (case.state, case.due_rule, case.due_on, case.amount) == ("decided", "state_compensation.service", dt.date(2025, 5, 19), Decimal("48000"))
    do(case, "serve", org.erin, served_on="2025-05-16")
    assert case.deadlines == {"state_compensation.decision": "met", "state_compensation.service": "met"}
    # the applicant's three months to sue are no deadline of the unit
    assert case.state == "served" and case.due_rule != "state_compensation.suit"


def test_bad_input_names_the_field_and_writes_nothing(org: Any, head: Any) -> None:
    case = application(org)
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", head, decided_on="2025-05-09", outcome="refuse")
    assert "refusal_reason" in exc.value.errors and "理由" in exc.value.errors["refusal_reason"][0]
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", head, decided_on="2025-05-09", outcome="compensate", mode="money", amount="0")
    assert "amount" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", head, decided_on="2025-03-01", outcome="refuse", refusal_reason="不属于赔偿范围")
    assert "decided_on" in exc.value.errors
    case.refresh_from_db()
    assert (case.state, case.decided_on, case.outcome) == ("pending", None, "")
    with pytest.raises(ValidationFailed) as exc:
        application(org, claimed_amount="-5")
    assert "claimed_amount" in exc.value.errors
    assert Application.objects.count() == 1


def test_pages_show_only_the_units_own_applications(org: Any) -> None:
    application(org)
    mine = Client()
    mine.login(username="erin", password=PASSWORD)
    page = mine.get("/r/state_compensation/")
    assert page.status_code == 200 and "市监赔〔2025〕1号" in page.content.decode()
    other = Client()
    other.login(username="frank", password=PASSWORD)
    page = other.get("/r/state_compensation/")
    assert page.status_code == 200 and "市监赔" not in page.content.decode()
    case = Application.objects.get()
    assert other.get(f"/r/state_compensation/{case.pk}/").status_code in (403, 404)


def test_indicators_count_decisions_on_time_outcomes_and_amount_with_their_traces(org: Any, head: Any) -> None:
    from fazhi.indicators.catalogue import catalogue
    from fazhi.indicators.engine import Period, compute, trace

    a = application(org)
    do(a, "decide", head, decided_on="2025-05-09", outcome="compensate", mode="money", amount="48000")
    b = application(org, applicant_name="李某")
    do(b, "decide", head, decided_on="2025-05-15", outcome="refuse", refusal_reason="未被确认违法")
    c = application(org, applicant_name="王某")
    do(c, "decide", head, decided_on="2025-05-12", outcome="compensate", mode="return")
    d = application(org, applicant_name="赵某", received_on=dt.date(2025, 10, 9))  # undecided past its two months at the year's end
    got = compute([org.dept], Period.year(2025), [c for c in catalogue() if c.startswith("gp.")])
    unit = org.dept.pk
    assert got["gp.received"][unit].value == 4
    assert got["gp.decided"][unit].value == 3
    assert (got["gp.compensated"][unit].value, got["gp.refused"][unit].value) == (2, 1)
    assert got["gp.amount"][unit].value == 48000
    rows = trace(catalogue()["gp.on_time_rate"], org.dept, Period.year(2025))
    numbers = {role: sorted(qs.values_list("case_number", flat=True)) for role, qs in rows.items()}
    assert numbers["numerator"] == sorted([a.case_number, c.case_number])
    assert numbers["denominator"] == sorted([a.case_number, b.case_number, c.case_number, d.case_number])  # d counts as late
    assert numbers["overdue"] == [d.case_number]


def test_an_application_undecided_long_after_the_two_months_becomes_a_supervision_lead(org: Any, head: Any) -> None:
    from fazhi.supervision import services

    late = application(org)  # due 2025-05-14
    served = application(org, applicant_name="李某")
    do(served, "decide", head, decided_on="2025-05-09", outcome="refuse", refusal_reason="未被确认违法")
    do(served, "serve", org.erin, served_on="2025-05-12")
    leads = services.leads_scan(org.district, dt.date(2025, 6, 30), org.dave)
    mine = [lead for lead in leads if "国家赔偿" in lead.summary]
    assert len(mine) == 1 and late.case_number in mine[0].summary
    # the applicant's window to sue is no deadline of the unit: a served decision never becomes a lead
    assert served.case_number not in " ".join(lead.summary for lead in leads)


def test_the_annual_report_prints_the_figures_after_the_litigation_paragraph(org: Any, head: Any) -> None:
    from fazhi.reports.generator import generate

    a = application(org)
    do(a, "decide", head, decided_on="2025-05-09", outcome="compensate", mode="money", amount="48000")
    b = application(org, applicant_name="李某")
    do(b, "decide", head, decided_on="2025-05-15", outcome="refuse", refusal_reason="未被确认违法")
    _title, parts = generate("fzzf", org.district, 2025)
    topics = [p.topic for p in parts[0].paragraphs]
    assert topics.index("国家赔偿") == topics.index("行政应诉") + 1
    text = next(p for p in parts[0].paragraphs if p.topic == "国家赔偿").text
    assert text.startswith("作为赔偿义务机关收到国家赔偿申请2件，作出是否赔偿的决定2件，其中决定赔偿1件、决定不予赔偿1件，决定赔偿金额4.8万元；")
    assert "两个月内作出决定的占50" in text
