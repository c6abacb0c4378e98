"""The to-do list (待办): complete and counted in SQL, paged, the clock running now, the steps
waiting for the user, and a bounded number of queries whatever the number of matters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import application
from fazhi.law.clocks import clock_rules
from fazhi.registers.disclosure.models import DisclosureRequest
from fazhi.registers.disclosure.tests.test_disclosure import _form
from fazhi.registers.framework.services import matter_create
from fazhi.registers.framework.todo import TODO_PAGE_SIZE, todo_counts
from fazhi.registers.reconsideration.models import ReconsiderationCase

pytestmark = pytest.mark.django_db


def requests_(org: Any, n: int, start: int = 0) -> None:
    """``n`` 信息公开 requests of the department, received on successive earlier days: the
    oldest are overdue, some due within days, the newest running."""
    today = timezone.localdate()
    for k in range(start, start + n):
        data = {"received_on": today - dt.timedelta(days=k), "applicant_type": "natural_person", "applicant_name": f"申请人{k}"}
        matter_create(
            register="disclosure", unit=org.dept, actor=org.erin, data=data | {"channel": "in_person", "content": "某文件", "applicant_phone": "13800001234"}
        )


def _count(html: str, key: str) -> int:
    found = re.search(rf'id="count-{key}">(\d+)<', html)
    assert found is not None, key
    return int(found.group(1))


def _rows(html: str) -> str:
    start = html.index('id="due-list"')
    return html[start : html.index("</table>", start)]


def test_the_counters_are_the_true_counts_beyond_a_hundred_and_every_matter_is_on_a_page(org: Any) -> None:
    requests_(org, 130)
    today = timezone.localdate()
    open_ = DisclosureRequest.objects.filter(state__in=["received", "correction_requested", "consulting", "fee_pending"])
    truth = {
        "overdue": open_.filter(due_on__lt=today).count(),
        "due-today": open_.filter(due_on=today).count(),
        "due-soon": open_.filter(due_on__gt=today, due_on__lte=today + dt.timedelta(days=3)).count(),
        "total": open_.count(),
    }
    assert truth["total"] == 130 and truth["overdue"] > 50 and truth["due-soon"] > 0
    erin = Client()
    erin.force_login(org.erin)
    html = erin.get("/").content.decode()
    assert {k: _count(html, k) for k in truth} == truth
    # every matter is on one of the pages, once, in due-date order
    seen: list[str] = []
    for page in (1, 2, 3):
        rows = _rows(erin.get(f"/?page={page}").content.decode())
        seen += re.findall(r"市监依申〔\d+〕\d+号", rows)
    assert len(seen) == 130 and len(set(seen)) == 130
    assert seen[:TODO_PAGE_SIZE] == list(open_.order_by("due_on", "pk").values_list("case_number", flat=True)[:TODO_PAGE_SIZE])
    # a tab holds exactly its counter's matters
    pages = -(-truth["overdue"] // TODO_PAGE_SIZE)
    overdue = "".join(_rows(erin.get(f"/?status=overdue&page={p}").content.decode()) for p in range(1, pages + 1))
    assert len(re.findall(r"市监依申〔\d+〕\d+号", overdue)) == truth["overdue"] and "已逾期" in overdue and "计时中" not in overdue
    # the counters are those of what the user may see: the reconsideration body's clerk sees none
    assert todo_counts(org.alice, today).total == 0


def test_a_portal_request_is_on_the_department_clerks_list_behind_a_hundred_earlier_ones(org: Any) -> None:
    """The cause found: the old list cut the department's open matters at 100 by due date, so a
    new request (due in 20 working days) behind 100 earlier ones never showed."""
    requests_(org, 110, start=30)  # all due before the new request
    client = Client()
    assert client.post("/gongkai/", _form(client, org)).status_code == 200
    new = DisclosureRequest.objects.get(channel="online")
    erin = Client()
    erin.force_login(org.erin)
    assert _count(erin.get("/").content.decode(), "total") == 111
    last = _rows(erin.get("/?page=3").content.decode())
    assert new.case_number in last and "韩梅梅" in last and "作出答复" in last  # the party and the step waiting
    assert new.case_number in _rows(erin.get("/?register=disclosure&page=3").content.decode())
    for other in (org.alice, org.frank):  # another unit's clerk, another district's
        c = Client()
        c.force_login(other)
        assert all(new.case_number not in _rows(c.get(f"/?page={p}").content.decode()) for p in (1, 2, 3))


def test_a_reconsideration_case_not_yet_accepted_shows_the_acceptance_period_in_words(org: Any) -> None:
    today = timezone.localdate()
    case = matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(received_on=today))
    assert isinstance(case, ReconsiderationCase) and case.due_rule != "reconsideration.acceptance"  # the cache keeps the decision's
    alice = Client()
    alice.force_login(org.alice)
    rows = _rows(alice.get("/").content.decode())
    label = clock_rules()["reconsideration.acceptance"].label
    assert label == "受理审查" and f'<td class="small">{label}</td>' in rows
    assert "reconsideration." not in rows and "作出复议决定" not in rows
    acceptance_due = re.search(r'<td class="small">受理审查</td>\s*<td>(\d{4}-\d{2}-\d{2})</td>', rows)
    assert acceptance_due is not None and today < dt.date.fromisoformat(acceptance_due.group(1)) < case.due_on
    assert "受理" in rows and "通知补正" in rows  # the steps the clerk's role takes from 已收到申请


def test_the_home_page_costs_the_same_queries_with_ten_or_a_hundred_matters(org: Any) -> None:
    requests_(org, 10)
    erin = Client()
    erin.force_login(org.erin)
    erin.get("/")
    with CaptureQueriesContext(connection) as few:
        assert erin.get("/").status_code == 200
    requests_(org, 90, start=10)
    with CaptureQueriesContext(connection) as many:
        assert erin.get("/").status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
