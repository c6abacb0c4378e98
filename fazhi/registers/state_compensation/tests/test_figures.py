"""The 国家赔偿 figures include the 行政赔偿 claimed inside 行政复议 and 行政诉讼 (《国家赔偿法》第九条第二款),
each traced to its records; the dashboard and the example 考核 scheme carry 国家赔偿 and 检察建议/司法建议."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from conftest import application as reconsideration_data
from conftest import do
from fazhi.registers.framework.services import matter_create
from fazhi.registers.litigation.tests.test_litigation import lawsuit
from fazhi.registers.state_compensation.tests.test_state_compensation import application, head  # noqa: F401

pytestmark = pytest.mark.django_db


def test_compensation_claimed_in_reconsideration_and_litigation_counts_with_the_figures_and_is_traced(org: Any, head: Any) -> None:  # noqa: F811
    from fazhi.indicators.catalogue import catalogue
    from fazhi.indicators.engine import Period, compute, trace
    from fazhi.reports.generator import generate

    a = application(org)
    do(a, "decide", head, decided_on="2025-05-09", outcome="compensate", mode="money", amount="48000")
    claimed = matter_create(
        register="reconsideration",
        unit=org.body,
        actor=org.alice,
        data=reconsideration_data(received_on=dt.date(2025, 6, 3), respondent_unit=org.dept.pk, compensation_requested=True),
    )
    matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=reconsideration_data(received_on=dt.date(2025, 6, 4)))
    sued = lawsuit(org, received_on=dt.date(2025, 7, 1), compensation_claimed=True)
    lawsuit(
        org,
        received_on=dt.date(2025, 8, 1),
        compensation_claimed=True,
        instance="second",
        prior_case_number="（2025）东行初1号",
        appellant="plaintiff",
        first_instance_result="won",
    )
    lawsuit(org, received_on=dt.date(2025, 8, 2))

    codes = ["gp.received", "gp.in_reconsideration", "gp.in_litigation"]
    got = compute([org.district], Period.year(2025), codes)
    district = org.district.pk
    assert [got[c][district].value for c in codes] == [1, 1, 1]  # the appeal is the same claim
    cat = catalogue()
    assert cat["gp.in_reconsideration"].section == cat["gp.in_litigation"].section == cat["gp.received"].section == "国家赔偿"
    rows = trace(cat["gp.in_reconsideration"], org.district, Period.year(2025))["value"]
    assert list(rows.values_list("case_number", flat=True)) == [claimed.case_number]
    rows = trace(cat["gp.in_litigation"], org.district, Period.year(2025))["value"]
    assert list(rows.values_list("case_number", flat=True)) == [sued.case_number]

    _title, parts = generate("fzzf", org.district, 2025)
    text = next(p for p in parts[0].paragraphs if p.topic == "国家赔偿").text
    assert "另在行政复议中一并提出行政赔偿请求1件" in text and "在行政诉讼中一并请求行政赔偿1件" in text


def test_the_dashboard_shows_and_ranks_both_registers(org: Any, head: Any) -> None:  # noqa: F811
    for i in range(2):
        a = application(org, applicant_name=f"申请人{i}")
        do(a, "decide", head, decided_on="2025-05-09", outcome="refuse", refusal_reason="未被确认违法")
    matter_create(
        register="oversight_suggestions",
        unit=org.dept,
        actor=org.erin,
        data={
            "received_on": dt.date(2025, 3, 14),
            "kind": "court",
            "issuer": "东湖区人民法院",
            "document_number": "（2025）东法司建1号",
            "subject": "规范执法",
        },
    )
    c = Client()
    c.force_login(org.dave)
    html = c.get("/zhibiao/", {"unit": org.district.pk, "year": 2025}).content.decode()
    key = html[html.index('id="key-indicators"') : html.index('id="trend-chart"')]
    for code in ("gp.received", "gp.on_time_rate", "os.received", "os.on_time_rate"):
        assert f'data-code="{code}"' in key, code
    card = key[key.index('data-code="gp.received"') :]
    assert "2" in card[: card.index("</a>")]
    ranks = html[html.index('id="rankings"') :]
    assert 'data-code="gp.on_time_rate"' in ranks and 'data-code="os.on_time_rate"' in ranks


def test_the_example_scheme_scores_the_decisions_and_the_replies_on_time(org: Any, head: Any) -> None:  # noqa: F811
    from django.contrib.auth import get_user_model

    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant
    from fazhi.evaluation import services

    for i in range(5):
        a = application(org, applicant_name=f"申请人{i}")
        do(a, "decide", head, decided_on="2025-05-09", outcome="refuse", refusal_reason="未被确认违法")
        s = matter_create(
            register="oversight_suggestions",
            unit=org.dept,
            actor=org.erin,
            data={
                "received_on": dt.date(2025, 4, 1),
                "kind": "procuratorate",
                "issuer": "东湖区人民检察院",
                "document_number": f"东检建〔2025〕{i + 1}号",
                "subject": "规范执法",
            },
        )
        do(s, "reply", head, replied_on="2025-05-20" if i else "2025-06-20", outcome="adopted")  # one late of five
    evaluator = get_user_model().objects.create_user("eva", password="x")
    membership_grant(user=evaluator, unit=org.district, role=Role.EVALUATOR)
    text = (Path(settings.FAZHI_DEFINITIONS_DIR) / "evaluation" / "2025.yaml").read_text(encoding="utf-8")
    scheme = services.scheme_load_text(unit=org.district, text=text, filename="2025.yaml")
    result = {r.unit_id: r for r in services.scheme_compute(scheme, evaluator)}[org.dept.pk]
    items = {i["code"]: i for i in result.breakdown["items"]}
    assert (items["A9"]["status"], items["A9"]["value"], items["A9"]["earned"]) == ("scored", "100.0", "5")
    # 4 of 5 on time = 80 %: the zero of the linear standard
    assert (items["A10"]["status"], items["A10"]["numerator"], items["A10"]["denominator"], items["A10"]["earned"]) == ("scored", 4, 5, "0.00")
