"""The dashboard's figures are cached per (unit, period, today) until the next write that changes
them (fazhi/core/pagecache.py): a step, a new record, a row of a counted table or a renamed unit
shows at once, and a cached page part never reaches a user who may not see its unit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import do
from fazhi.core.models import Unit
from fazhi.core.pagecache import RECORDS, version
from fazhi.indicators.tests.conftest import request_

pytestmark = pytest.mark.django_db

PARAMS_2025 = {"year": 2025}


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _figures(html: str) -> str:
    """The page without its per-request parts (the logout form's CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _received(html: str) -> str:
    """The cell of the 政府信息公开 requests received in the table of every indicator."""
    row = html[html.index('<tr data-code="gk.received">') :]
    return row[: row.index("</tr>")]


def test_a_new_record_and_a_step_show_on_the_cached_dashboard_at_once(org: Any, requests: Any) -> None:
    dave = client_for(org.dave)
    params = {"unit": org.district.pk, **PARAMS_2025}
    first = dave.get("/zhibiao/", params).content.decode()
    assert ">3 件<" in _received(first)  # b, c and d (a was received in 2024)
    assert _figures(dave.get("/zhibiao/", params).content.decode()) == _figures(first)  # served again, unchanged
    before = version(RECORDS)
    new = request_(org, org.dept, org.erin, "2025-06-02")
    assert version(RECORDS) > before
    assert ">4 件<" in _received(dave.get("/zhibiao/", params).content.decode())
    # a step (the reply) changes the on-time share's parts on the next view
    shown = dave.get("/zhibiao/", params).content.decode()
    do(new, "reply", org.erin, replied_on="2025-06-05", outcome="disclosed")
    after = dave.get("/zhibiao/", params).content.decode()
    assert _figures(after) != _figures(shown)
    card = after[after.index('data-code="gk.on_time_rate"') :]
    assert "3 / 4" in card[: card.index("</a>")]  # a, b and the new one on time of four replied (c late)


def test_a_renamed_unit_shows_on_the_cached_dashboard_at_once(org: Any, requests: Any) -> None:
    dave = client_for(org.dave)
    params = {"unit": org.district.pk, **PARAMS_2025}

    def rankings() -> str:
        html = dave.get("/zhibiao/", params).content.decode()
        return html[html.index('id="rankings"') :]

    assert "东湖区市场监督管理局" in rankings()
    dept = Unit.objects.get(pk=org.dept.pk)
    dept.name = "东湖区市场监管局（更名）"
    dept.save()
    assert "东湖区市场监管局（更名）" in rankings()


def test_a_cached_dashboard_never_reaches_a_user_who_may_not_see_its_unit(org: Any, requests: Any) -> None:
    dave, frank = client_for(org.dave), client_for(org.frank)
    district = dave.get("/zhibiao/", {"unit": org.district.pk, **PARAMS_2025}).content.decode()
    assert "东湖区人民政府" in district
    # the other district's clerk asking for the cached unit gets no page, not the cached one
    refused = frank.get("/zhibiao/", {"unit": org.district.pk, **PARAMS_2025})
    assert refused.status_code == 400 and "东湖区市场监督管理局" not in refused.content.decode()  # not a unit of theirs
    own = frank.get("/zhibiao/", PARAMS_2025).content.decode()
    assert "西山区" in own and "东湖区市场监督管理局" not in own
    # and the figures are the other district's: one request received there in 2025
    assert ">1 件<" in _received(own)


def test_a_cached_trace_shows_a_new_record_at_once_and_only_to_who_sees_its_unit(org: Any, requests: Any) -> None:
    dave, frank = client_for(org.dave), client_for(org.frank)
    params = {"unit": org.district.pk, **PARAMS_2025}

    def records() -> str:
        html = dave.get("/zhibiao/gk.received/", params).content.decode()
        return html[html.index('id="trace-value"') :]

    assert ">3 件<" in records() and "市监依申〔2025〕4号" not in records()
    new = request_(org, org.dept, org.erin, "2025-06-02")
    assert ">4 件<" in records() and new.case_number in records()
    refused = frank.get("/zhibiao/gk.received/", params)
    assert refused.status_code == 400 and new.case_number not in refused.content.decode()
