"""The to-do list (待办): complete and counted in SQL, paged, the clock running now, the steps
waiting for the user, and a bounded number of queries whatever the number of matters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import application
from fazhi.casefile_review.tests.conftest import agency  # noqa: F401  (six closed case files of the department)
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
    open_ = DisclosureRequest.objects.filter(state__in=["received", "correction_requested", "consulting", "fee_pending"], due_on__isnull=False)
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
    cache.clear()  # the list as computed after a write, not as cached (fazhi/core/pagecache.py)
    with CaptureQueriesContext(connection) as few:
        assert erin.get("/").status_code == 200
    requests_(org, 90, start=10)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert erin.get("/").status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def _table(client: Client, table: str) -> str:
    html = client.get("/").content.decode()
    if f'id="{table}"' not in html:
        return ""
    start = html.index(f'id="{table}"')
    return html[start : html.index("</table>", start)]


def test_the_page_lists_a_waiting_step_of_each_of_the_five_workflows_for_the_right_user(org: Any, agency: Any) -> None:  # noqa: F811
    from fazhi.casefile_review.services import campaign_close, campaign_sample, sampled_file_score
    from fazhi.casefile_review.tests.test_campaign import FULL, campaign
    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant
    from fazhi.evaluation.services import scheme_load_text
    from fazhi.evaluation.tests.test_evaluation import SCHEME, _user
    from fazhi.inspections.tests.test_draw import plan
    from fazhi.reports.services import report_create
    from fazhi.supervision.services import lead_create

    today = timezone.localdate()
    eva = _user("eva")
    membership_grant(user=eva, unit=org.district, role=Role.EVALUATOR)
    report_create(unit=org.district, kind="fzzf", year=today.year - 1, actor=org.dave)
    lead_create(organiser=org.district, unit=org.dept, summary="执法案卷证据不足", actor=org.dave, on=today)
    scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    p = plan(agency)
    closed = campaign(org)
    campaign_sample(campaign=closed, actor=org.dave)
    files = list(closed.files.order_by("position"))
    sampled_file_score(file=files[0], actor=org.dave, points=FULL | {"evidence": 0, "decision": 0, "execution": 0}, vetoes=[], comment="证据不足")
    for f in files[1:]:
        sampled_file_score(file=f, actor=org.dave, points=FULL, vetoes=[], comment="")
    campaign_close(campaign=closed, actor=org.dave, on=today)

    clients = {}
    for name, user in {"dave": org.dave, "eva": eva, "head": agency.head, "erin": org.erin, "frank": org.frank}.items():
        clients[name] = Client()
        clients[name].force_login(user)
    expected = [
        ("todo-report", "dave", "提交审核", f"{org.district.name}{today.year - 1}年法治政府建设年度报告"),
        ("todo-lead", "dave", "核查属实", "东湖区市场监督管理局"),
        ("todo-evaluation", "eva", "按方案计分", "2025年度考核（测试）"),
        ("todo-inspection_plan", "head", "执行随机抽取", p.name),
        ("todo-casefile_campaign", "erin", "报送整改情况", closed.name),
    ]
    for table, who, step, title in expected:
        listed = _table(clients[who], table)
        assert step in listed and title in listed and 'href="/' in listed, (table, listed)
        assert _table(clients["frank"], table) == "", table  # another district's clerk: nothing
    # each waits for its roles only: the department's clerk is not asked to check a lead or compute scores
    assert "核查属实" not in _table(clients["erin"], "todo-lead") and _table(clients["erin"], "todo-evaluation") == ""
    assert _table(clients["erin"], "todo-inspection_plan") == ""  # drawing is the head's or the reviewer's step


def test_the_cached_to_do_list_shows_a_new_matter_and_a_step_at_once(org: Any) -> None:
    """The register part of the list is cached until the next write of a matter
    (fazhi/core/pagecache.py): a new request and a reply show on the next view."""
    from conftest import do

    requests_(org, 3)
    erin = Client()
    erin.force_login(org.erin)
    html = erin.get("/").content.decode()
    assert _count(html, "total") == 3
    with CaptureQueriesContext(connection) as hit:
        assert _count(erin.get("/").content.decode(), "total") == 3
    assert not any("disclosure_disclosurerequest" in q["sql"] for q in hit.captured_queries)  # served from the cache
    new = matter_create(
        register="disclosure",
        unit=org.dept,
        actor=org.erin,
        data={
            "received_on": timezone.localdate(),
            "applicant_type": "natural_person",
            "applicant_name": "新申请人",
            "channel": "in_person",
            "content": "某文件",
            "applicant_phone": "13800001234",
        },
    )
    html = erin.get("/").content.decode()
    assert _count(html, "total") == 4 and new.case_number in _rows(html)
    do(new, "reply", org.erin, replied_on=timezone.localdate(), outcome="disclosed")
    html = erin.get("/").content.decode()
    assert _count(html, "total") == 3 and new.case_number not in _rows(html)


def test_a_cached_to_do_list_never_reaches_a_user_of_other_units_or_roles(org: Any) -> None:
    """Cached per (units and roles): the other district's clerk, and the district's 依法治区办 (who
    sees the body's cases but takes none of their steps), each get their own list."""
    case = matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(received_on=timezone.localdate()))
    alice, frank, dave = Client(), Client(), Client()
    alice.force_login(org.alice)
    frank.force_login(org.frank)
    dave.force_login(org.dave)
    mine = _rows(alice.get("/").content.decode())
    assert case.case_number in mine and "受理" in mine  # the clerk's step
    assert case.case_number not in _rows(frank.get("/").content.decode())
    theirs = _rows(dave.get("/").content.decode())
    assert case.case_number in theirs and "通知补正" not in theirs  # no step of the clerk's offered


def test_the_cached_workflow_steps_show_a_new_lead_a_step_a_renamed_unit_and_a_new_role_at_once(org: Any) -> None:
    """The part beyond the registers (the workflow steps waiting, the apps' sections) is cached per
    user until the next write of what it shows (fazhi/web/views.py, _todo_more): each change below
    shows on the next view, and no user ever gets another's part."""
    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant
    from fazhi.supervision.models import NoticeKind
    from fazhi.supervision.services import lead_create, lead_find, lead_notice

    today = timezone.localdate()
    dave, erin, frank = Client(), Client(), Client()
    dave.force_login(org.dave)
    erin.force_login(org.erin)
    frank.force_login(org.frank)
    lead = lead_create(organiser=org.district, unit=org.dept, summary="执法案卷证据不足", actor=org.dave, on=today)
    mine = _table(dave, "todo-lead")
    check, notice = "<td>核查属实、核查不属实</td>", "<td>发函</td>"  # the steps offered
    assert check in mine and org.dept.name in mine
    with CaptureQueriesContext(connection) as hit:
        assert _table(dave, "todo-lead") == mine
    assert not any("supervision_lead" in q["sql"] for q in hit.captured_queries)  # served from the cache
    assert _table(erin, "todo-lead") == "" and _table(frank, "todo-lead") == ""  # not the office's cached part
    lead_create(organiser=org.district, unit=org.dept, summary="第二条线索", actor=org.dave, on=today)  # a new record
    assert _table(dave, "todo-lead").count(check) == 2
    lead_find(lead=lead, founded=True, text="属实", actor=org.dave, on=today)  # a step
    mine = _table(dave, "todo-lead")
    assert mine.count(check) == 1 and notice in mine
    org.dept.name = "东湖区市场监督管理局（更名）"
    org.dept.save()  # a unit renamed
    assert "（更名）" in _table(dave, "todo-lead")
    lead_notice(lead=lead, kind=NoticeKind.values[0], text="请整改", due_on=today + dt.timedelta(days=30), actor=org.dave, on=today)
    theirs = _table(erin, "todo-lead")  # the department now answers: its clerk's own step, none of the office's
    assert "<td>报送整改情况</td>" in theirs and check not in theirs and notice not in theirs
    assert _table(frank, "todo-lead") == ""
    membership_grant(user=org.frank, unit=org.district, role=Role.RULE_OF_LAW_OFFICE)  # a role granted
    assert check in _table(frank, "todo-lead")
