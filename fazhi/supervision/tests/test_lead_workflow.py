"""督察 leads on the audited workflow: every step one event and one audit leaf, the definition's
roles and states enforced, a lead changed or deleted behind the services found by audit verify,
and the old LeadEvent history carried over by the data migration."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from conftest import do
from fazhi.audit import services as audit
from fazhi.audit.models import AuditLeaf
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed
from fazhi.registers.framework.models import WorkflowEvent
from fazhi.registers.framework.workflow import SOURCE, workflow_events, workflow_get
from fazhi.supervision import selectors, services
from fazhi.supervision.models import Lead, Source, State

D = dt.date


@pytest.fixture
def corrected(org: Any, make_case: Any) -> Any:
    """A 复议 decision setting aside an act of 东湖区市场监督管理局: the rules raise a lead on it."""
    case = make_case(received_on=D(2025, 3, 3), respondent_unit=org.dept)
    do(case, "accept", org.bob, accepted_on="2025-03-04", procedure="ordinary")
    do(case, "decide", org.bob, decided_on="2025-04-20", outcome="set_aside")
    return case


def audit_verify() -> audit.VerifyReport:
    """The log verified as ``fazhi audit verify`` does, with a checkpoint of it as it stands."""
    with transaction.atomic():
        audit.checkpoint_take()
    return audit.audit_verify()


def _leaves() -> int:
    return AuditLeaf.objects.filter(source=SOURCE).count()


def _lead(org: Any) -> Lead:
    return next(x for x in services.leads_scan(org.district, D(2025, 6, 30)) if x.source == Source.RECONSIDERATION)


def _noticed(org: Any, lead: Lead | None = None) -> Lead:
    lead = lead or _lead(org)
    services.lead_find(lead=lead, founded=True, text="属实", actor=org.dave, on=D(2025, 7, 1))
    return services.lead_notice(lead=lead, kind="supervision", text="请于期限内整改并报送整改情况", due_on=D(2025, 7, 31), actor=org.dave, on=D(2025, 7, 2))


@pytest.mark.django_db
def test_every_step_of_a_lead_writes_one_event_and_one_leaf_on_its_date_and_verify_passes(org: Any, corrected: Any) -> None:
    before = _leaves()
    lead = _lead(org)
    assert _leaves() == before + 1
    steps = [
        lambda: services.lead_find(lead=lead, founded=True, text="处罚决定认定事实不清", actor=org.dave, on=D(2025, 7, 1)),
        lambda: services.lead_notice(lead=lead, kind="prompt", text="请整改", due_on=D(2025, 7, 31), actor=org.dave, on=D(2025, 7, 2)),
        lambda: services.lead_report(lead=lead, text="已重新调查", actor=org.erin, on=D(2025, 8, 3)),
        lambda: services.lead_close(lead=lead, actor=org.dave, on=D(2025, 8, 10), text="整改到位"),
        lambda: services.lead_recheck(lead=lead, passed=False, text="同类问题再次出现", actor=org.dave, on=D(2025, 11, 10)),
        lambda: services.lead_notice(lead=lead, kind="supervision", text="再次督办", due_on=D(2025, 12, 10), actor=org.dave, on=D(2025, 11, 11)),
        lambda: services.lead_report(lead=lead, text="完善制度", actor=org.erin, on=D(2025, 12, 1)),
        lambda: services.lead_close(lead=lead, actor=org.dave, on=D(2025, 12, 5)),
        lambda: services.lead_recheck(lead=lead, passed=True, text="未反弹", actor=org.dave, on=D(2026, 3, 1)),
    ]
    for n, step in enumerate(steps, start=2):
        step()
        assert _leaves() == before + n
    manual = services.lead_create(organiser=org.district, unit=org.dept, summary="群众反映执法不规范", actor=org.dave, on=D(2025, 5, 1))
    services.lead_find(lead=manual, founded=False, text="经核查不属实", actor=org.admin, on=D(2025, 5, 6))  # an administrator may check
    assert _leaves() == before + len(steps) + 3

    events = list(workflow_events("lead", lead))
    assert [e.action for e in events] == ["register", "find", "notice", "report", "close", "reopen", "notice", "report", "close", "recheck"]
    assert [e.state_after for e in events] == ["open", "founded", "noticed", "reported", "closed", "founded", "noticed", "reported", "closed", "rechecked"]
    assert [e.event_date for e in events] == [
        D(2025, 6, 30), D(2025, 7, 1), D(2025, 7, 2), D(2025, 8, 3), D(2025, 8, 10), D(2025, 11, 10),
        D(2025, 11, 11), D(2025, 12, 1), D(2025, 12, 5), D(2026, 3, 1),
    ]  # fmt: skip
    assert events[0].actor is None and events[0].label == "按规则生成线索"  # raised by rule: a system step
    assert events[3].actor == org.erin and events[7].label == "报送整改情况"
    assert events[6].label == "发出督办函（期限 2025-12-10）"
    assert all(e.unit_id == org.district.pk for e in events)
    manual_events = list(workflow_events("lead", manual))
    assert [(e.action, e.label, e.actor) for e in manual_events] == [("register", "登记线索", org.dave), ("dismiss", "核查不属实", org.admin)]
    manual.refresh_from_db()
    assert manual.state == State.UNFOUNDED
    report = audit_verify()
    assert report.ok, report.problems

    # the page shows the history from the events, in Chinese, 系统 for the rule's step
    client = Client()
    client.force_login(org.dave)
    page = client.get(f"/ducha/{lead.pk}/").content.decode()
    table = page[page.index('id="events"') : page.index("</table>", page.index('id="events"'))]
    assert table.count("<tr>") == 10 and "2025-11-10" in table and "回头看发现问题反弹，重新督办" in table and "系统" in table
    assert "reopen" not in table and "register" not in table


@pytest.mark.django_db
def test_steps_the_state_or_the_role_do_not_allow_are_refused_and_write_nothing(org: Any, corrected: Any) -> None:
    lead = _lead(org)
    count = WorkflowEvent.objects.count()
    for refused in (
        lambda: services.lead_close(lead=lead, actor=org.dave, on=D(2025, 7, 1)),
        lambda: services.lead_notice(lead=lead, kind="prompt", text="x", due_on=D(2025, 8, 1), actor=org.dave, on=D(2025, 7, 1)),
        lambda: services.lead_report(lead=lead, text="x", actor=org.erin, on=D(2025, 7, 1)),
        lambda: services.lead_recheck(lead=lead, passed=True, text="x", actor=org.dave, on=D(2025, 7, 1)),
    ):
        with pytest.raises(TransitionNotAllowed):
            refused()
    for actor in (org.erin, org.frank, org.carol):  # the supervised unit, another district, a head elsewhere
        with pytest.raises(PermissionDenied):
            services.lead_find(lead=lead, founded=True, text="属实", actor=actor, on=D(2025, 7, 1))
    with pytest.raises(PermissionDenied):
        services.lead_create(organiser=org.district, unit=org.dept, summary="x", actor=org.erin, on=D(2025, 7, 1))
    assert WorkflowEvent.objects.count() == count

    lead = _noticed(org, lead)
    count = WorkflowEvent.objects.count()
    for actor in (org.dave, org.frank, org.admin, org.alice):  # only the supervised unit's staff report, no administrator
        with pytest.raises(PermissionDenied):
            services.lead_report(lead=lead, text="已整改", actor=actor, on=D(2025, 7, 20))
    with pytest.raises(TransitionNotAllowed):
        services.lead_find(lead=lead, founded=False, text="x", actor=org.dave, on=D(2025, 7, 20))  # checked already
    assert WorkflowEvent.objects.count() == count
    lead.refresh_from_db()
    assert lead.state == State.NOTICED
    # the forms offered follow the definition: the unit may report, the office may not yet close
    assert services.lead_actions(org.erin, lead) == [("report", "报送整改情况")]
    assert services.lead_actions(org.dave, lead) == [] and services.lead_actions(org.frank, lead) == []
    lead = services.lead_report(lead=lead, text="已整改", actor=org.erin, on=D(2025, 7, 20))
    assert services.lead_actions(org.dave, lead) == [("close", "销号")] and services.lead_actions(org.erin, lead) == []


def test_the_visibility_roles_are_the_roles_the_definition_gives_each_side() -> None:
    d = workflow_get("lead").definition
    assert set(d.transitions["report"].roles) == set(selectors.SUPERVISED) and d.transitions["report"].unit_field == "unit"
    for action in ("find", "dismiss", "notice", "close", "recheck", "reopen"):
        assert set(d.transitions[action].roles) == set(selectors.SUPERVISORS) and not d.transitions[action].unit_field
    assert set(d.create.roles) == set(selectors.SUPERVISORS) and d.unit_field == "organiser"


@pytest.mark.django_db
def test_a_removed_supervision_letter_is_found_by_audit_verify(org: Any, corrected: Any) -> None:
    lead = _noticed(org)
    assert audit_verify().ok
    with connection.cursor() as cursor:  # the letter's text blanked in the database
        cursor.execute("UPDATE supervision_lead SET notice_text = '' WHERE id = %s", [lead.pk])
    problems = audit_verify().problems
    assert [p for p in problems if f"督察线索 #{lead.pk}" in p and "函件内容" in p and "与其步骤记录不符" in p], problems
    # the letter removed altogether, through the ORM
    Lead.objects.filter(pk=lead.pk).update(notice_kind="", notice_text="", notice_on=None, due_on=None)
    problem = next(p for p in audit_verify().problems if f"督察线索 #{lead.pk}" in p)
    assert all(name in problem for name in ("函件", "函件内容", "发函日期", "整改期限")), problem
    assert "请于期限内整改" not in problem  # names the fields, never a value


@pytest.mark.django_db
def test_a_deleted_lead_is_found_by_audit_verify(org: Any, corrected: Any) -> None:
    lead = _noticed(org)
    other = services.lead_create(organiser=org.district, unit=org.dept, summary="群众反映", actor=org.dave, on=D(2025, 5, 1))
    assert audit_verify().ok
    Lead.objects.filter(pk=lead.pk).delete()
    problems = audit_verify().problems
    assert [p for p in problems if f"督察线索 #{lead.pk} 已被删除" in p], problems
    assert not [p for p in problems if f"#{other.pk}" in p]


@pytest.mark.django_db
def test_a_lead_moved_on_or_raised_behind_the_services_is_found_by_audit_verify(org: Any, corrected: Any) -> None:
    lead = _noticed(org)
    Lead.objects.filter(pk=lead.pk).update(state=State.CLOSED, closed_on=D(2025, 7, 3))  # closed out without a report
    problems = audit_verify().problems
    assert [p for p in problems if f"督察线索 #{lead.pk}" in p and "状态" in p and "销号日期" in p], problems
    forged = Lead.objects.create(
        organiser=org.district, unit=org.dept, source=Source.MANUAL, source_key="manual:99", summary="x", raised_on=D(2025, 7, 1), state=State.RECHECKED
    )
    assert [p for p in audit_verify().problems if f"督察线索 #{forged.pk} 没有任何步骤记录" in p]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_lead_events_over_in_order_and_verify_passes(org: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    before = [("supervision", "0003_major_decisions_source")]
    after = [("supervision", "0004_workflow_events")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldLead, OldEvent = old.get_model("supervision", "Lead"), old.get_model("supervision", "LeadEvent")
        common = {"organiser_id": org.district.pk, "unit_id": org.dept.pk, "raised_on": D(2025, 6, 30)}
        a = OldLead.objects.create(
            source="manual", source_key="manual:1", summary="群众反映", raised_by_id=org.dave.pk, state="founded",
            finding="属实", finding_on=D(2025, 7, 1), notice_kind="supervision", notice_text="请整改", notice_on=D(2025, 7, 2),
            due_on=D(2025, 7, 31), report="已整改", reported_on=None, closed_on=None, recheck_on=D(2025, 11, 10), recheck_note="反弹", **common,
        )  # fmt: skip
        b = OldLead.objects.create(
            source="overdue", source_key="overdue:x:1", summary="超期", state="unfounded", finding="不属实", finding_on=D(2025, 7, 5), **common
        )
        t0 = dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC)
        rows = [  # (lead, action, label, on, actor, hours after t0): created out of time order
            (b, "find", "核查不属实", D(2025, 7, 5), org.dave, 5),
            (a, "raise", "登记线索", D(2025, 6, 30), org.dave, 0),
            (a, "find", "核查属实", D(2025, 7, 1), org.dave, 1),
            (b, "raise", "按规则生成线索", D(2025, 6, 30), None, 2),
            (a, "notice", "发出督办函（期限 2025-07-31）", D(2025, 7, 2), org.dave, 3),
            (a, "report", "报送整改情况", D(2025, 7, 20), org.erin, 4),
            (a, "close", "销号", D(2025, 8, 1), org.dave, 6),
            (a, "recheck", "回头看发现问题反弹，重新督办", D(2025, 11, 10), org.dave, 7),
        ]
        for lead, action, label, on, actor, hours in rows:
            e = OldEvent.objects.create(lead=lead, action=action, label=label, on=on, actor_id=actor.pk if actor else None, text=f"{label}的说明")
            OldEvent.objects.filter(pk=e.pk).update(at=t0 + dt.timedelta(hours=hours))
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)

    events = list(WorkflowEvent.objects.filter(workflow="lead").order_by("id"))
    carried = [(e.object_id, e.action) for e in events if e.action != "carry_over"]
    assert carried == [
        (a.pk, "register"), (a.pk, "find"), (b.pk, "register"), (a.pk, "notice"), (a.pk, "report"), (b.pk, "dismiss"), (a.pk, "close"), (a.pk, "reopen"),
    ]  # fmt: skip
    of_a = [e for e in events if e.object_id == a.pk]
    assert [e.state_after for e in of_a] == ["open", "founded", "noticed", "reported", "closed", "founded", "founded"]
    assert [e.event_date for e in of_a[:-1]] == [D(2025, 6, 30), D(2025, 7, 1), D(2025, 7, 2), D(2025, 7, 20), D(2025, 8, 1), D(2025, 11, 10)]
    assert of_a[1].label == "核查属实" and of_a[3].actor_id == org.erin.pk and of_a[3].text == "报送整改情况的说明"
    assert of_a[-1].action == "carry_over" and of_a[-1].values["fields"]["notice_text"] == "请整改"
    of_b = [e for e in events if e.object_id == b.pk]
    assert [(e.action, e.state_after, e.actor_id) for e in of_b] == [
        ("register", "open", None),
        ("dismiss", "unfounded", org.dave.pk),
        ("carry_over", "unfounded", None),
    ]
    assert AuditLeaf.objects.filter(source=SOURCE).count() == len(events)
    report = audit_verify()
    assert report.ok, report.problems
    with connection.cursor() as cursor:
        assert "supervision_leadevent" not in connection.introspection.table_names(cursor)
    # the carried leads go on through the services
    lead = Lead.objects.get(pk=a.pk)
    services.lead_notice(lead=lead, kind="prompt", text="再次督办", due_on=D(2025, 12, 31), actor=org.dave, on=D(2025, 11, 11))
    assert audit_verify().ok
