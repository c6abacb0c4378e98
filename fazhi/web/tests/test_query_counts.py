"""The pages users wait for cost the same number of queries whatever the number of records:
a list, a record's page, the dashboard and a trace with 10 matters and with 100 (no query per row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org, do

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _cases(make_case: Any, n: int, start: int) -> list[Any]:
    out = []
    for i in range(start, start + n):
        case = make_case(applicant_name=f"申请人{i}", received_on=dt.date(2025, 9, 1) + dt.timedelta(days=i % 20))
        out.append(case)
    return out


def _queries(fetch: Callable[[], Any]) -> list[str]:
    fetch()  # warm: caches that fill once (the calendar, the definitions, the session)
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
        assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _same(pages: dict[str, Callable[[], Any]], grow: Callable[[], None]) -> None:
    few = {name: _queries(fetch) for name, fetch in pages.items()}
    grow()
    for name, fetch in pages.items():
        many = _queries(fetch)
        assert len(many) == len(few[name]), (name, len(few[name]), len(many), [q[:140] for q in many])


def test_the_register_list_and_a_records_page_cost_no_query_per_row(org: Org, make_case: Any) -> None:
    cases = _cases(make_case, 10, 0)
    first = cases[0]
    do(first, "accept", org.alice, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")
    alice = _client(org.alice)
    pages = {
        "list": lambda: alice.get("/r/reconsideration/"),
        "list searched": lambda: alice.get("/r/reconsideration/", {"q": "申请人3"}),
        "list by due date": lambda: alice.get("/r/reconsideration/", {"sort": "due"}),
        "record": lambda: alice.get(f"/r/reconsideration/{first.pk}/"),
    }

    def grow() -> None:
        more = _cases(make_case, 90, 10)
        for case in more[:40]:
            do(case, "accept", org.alice, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")

    _same(pages, grow)


def test_the_dashboard_and_a_trace_cost_no_query_per_record(org: Org, make_case: Any) -> None:
    _cases(make_case, 10, 0)
    dave = _client(org.dave)
    params = {"unit": org.district.pk, "year": 2025}

    def computed(path: str) -> Any:
        cache.clear()  # the page as computed on the first view after a write, not as cached
        return dave.get(path, params)

    pages = {
        "dashboard": lambda: dave.get("/zhibiao/", params),
        "dashboard computed": lambda: computed("/zhibiao/"),
        "trace": lambda: dave.get("/zhibiao/fy.received/", params),
        "trace computed": lambda: computed("/zhibiao/fy.received/"),
        # a share: each role read once (no COUNT beside the listing), the open overdue matters once
        "on-time trace computed": lambda: computed("/zhibiao/fy.on_time_rate/"),
    }
    _same(pages, lambda: _cases(make_case, 90, 10))


def test_a_records_page_costs_the_same_queries_with_ten_or_a_hundred_events(org: Org, make_case: Any) -> None:
    from fazhi.registers.framework.models import MatterEvent
    from fazhi.registers.framework.services import matter_amend

    case = make_case()
    do(case, "accept", org.bob, accepted_on=dt.date(2025, 9, 30), procedure="ordinary")  # open: its clocks run
    alice = _client(org.alice)
    url = f"/r/reconsideration/{case.pk}/"

    def amend(n: int, start: int) -> None:
        for i in range(start, start + n):
            matter_amend(matter=case, actor=org.alice if i % 2 else org.bob, changes={"remarks": f"备注{i}"}, reason="补充备注")

    def computed() -> Any:
        cache.clear()  # the history as computed on the first view after a write, not as cached
        return alice.get(url)

    amend(8, 0)
    assert MatterEvent.objects.filter(register="reconsideration", object_id=case.pk).count() == 10
    _same({"record": lambda: alice.get(url), "record computed": computed}, lambda: amend(90, 8))
    assert MatterEvent.objects.filter(register="reconsideration", object_id=case.pk).count() == 100
    assert alice.get(url).content.decode().count("补充备注") == 98


def test_a_page_reads_the_cache_versions_once(org: Org) -> None:
    """The home page asks for cached parts three times (its to-do rows, the rest of the to-do list,
    the navigation): the versions they are keyed by are read in one query (fazhi/core/pagecache.py)."""
    dave = _client(org.dave)
    for path in ("/", "/r/reconsideration/"):
        queries = _queries(lambda path=path: dave.get(path))  # type: ignore[misc]
        assert sum("core_cacheversion" in q for q in queries) == 1, (path, [q[:100] for q in queries])


def test_an_on_time_trace_reads_the_open_overdue_matters_once_on_the_page_and_in_its_workbook(org: Org, make_case: Any) -> None:
    # the value's computation reads them (they count against the share); the trace's roles take them
    # from there (``value_traced``) rather than reading them again: the page (its roles read once, its
    # overdue matters once) and the workbook (every role listed) make the same reads of them
    _cases(make_case, 10, 0)
    dave = _client(org.dave)
    params = {"unit": org.district.pk, "year": 2025}
    reads = {}
    for path in ("/zhibiao/fy.on_time_rate/", "/zhibiao/fy.on_time_rate/export.xlsx"):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert dave.get(path, params).status_code == 200
        # the open overdue matters: those whose cached due date of the share's clocks has passed
        reads[path] = [q["sql"] for q in ctx.captured_queries if '"due_rule" IN' in q["sql"] and '"due_on" <' in q["sql"]]
    assert len(reads["/zhibiao/fy.on_time_rate/export.xlsx"]) == len(reads["/zhibiao/fy.on_time_rate/"]), reads
