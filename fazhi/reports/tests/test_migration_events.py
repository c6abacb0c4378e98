"""The data migration carries a report's old event table into audited workflow events, in order,
and the log verifies afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.registers.framework.models import WorkflowEvent

BEFORE = [("reports", "0002_report_manual")]
AFTER = [("reports", "0003_workflow_events")]


@pytest.mark.django_db(transaction=True)
def test_old_report_events_are_carried_over_in_order_and_verify(org: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Report, Version, Signature, Event = (old.get_model("reports", n) for n in ("Report", "Version", "Signature", "Event"))
    report = Report.objects.create(unit_id=org.district.pk, kind="fzzf", year=2024, order=["measures"], state="signed")
    version = Version.objects.create(report=report, number=1, content={"title": "报告", "parts": [], "share": 0.5}, sha256="x", created_by_id=org.dave.pk)
    Signature.objects.create(version=version, signer_id=org.dave.pk)
    t0 = dt.datetime(2025, 2, 1, 9, tzinfo=dt.UTC)
    old_steps = [("create", "起草"), ("generate", "生成第1版"), ("submit", "提交审核"), ("approve", "审核通过"), ("clear", "保密审查通过"), ("sign", "签发")]
    for i, (action, label) in enumerate(old_steps):
        Event.objects.create(report=report, action=action, label=label, actor_id=org.dave.pk)
        Event.objects.filter(report=report, action=action).update(at=t0 + dt.timedelta(hours=i))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    events = list(WorkflowEvent.objects.filter(workflow="report", object_id=report.pk).order_by("id"))
    assert [e.action for e in events] == ["register", "generate", "submit", "approve", "clear", "sign", "carry_over"]
    assert [e.state_after for e in events] == ["draft", "draft", "review", "secrecy", "signing", "signing", "signed"]
    assert events[0].occurred_at == t0 and events[-1].values["rows"][0]["model"] == "reports.version"
    checkpoint_take()
    result = audit_verify()
    assert result.problems == []
