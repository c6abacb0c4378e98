"""The data migration records the plans that existed before the workflow, as they stand; the
draws keep the audit leaves they already had."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conftest import Org
from fazhi.audit.services import audit_append, audit_verify, checkpoint_take
from fazhi.inspections.models import Assignment, InspectionSubject
from fazhi.registers.framework.models import WorkflowEvent

BEFORE = ("inspections", "0002_append_only")


@pytest.mark.django_db(transaction=True)
def test_existing_plans_items_draws_and_results_are_recorded_as_they_stand(org: Org) -> None:
    subject = InspectionSubject.objects.create(
        unit=org.dept, name="东湖食品店", credit_code="92420102MA00000001", subject_type="enterprise", category="食品销售"
    )
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    Plan, Item, Draw, Task = (old.get_model("inspections", m) for m in ("InspectionPlan", "InspectionItem", "Draw", "Assignment"))
    common = {"unit_id": org.dept.pk, "year": 2025, "category": "食品销售", "ratio": Decimal("0.05"), "seed_source": "上证综指收盘点位"}
    drawn = Plan.objects.create(name="三月抽查", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 31), state="drawn", **common)
    announced = Plan.objects.create(name="四月抽查", starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 4, 30), **common)
    item = Item.objects.create(plan=drawn, name="食品经营许可情况", legal_basis="《食品安全法》第一百一十条")
    draw = Draw.objects.create(plan=drawn, seed_value="3347.49", drawn_at=timezone.now(), drawn_by_id=org.dave.pk, document=b"{}", document_sha256="0" * 64)
    with transaction.atomic():  # as the service did: the draw's document is its own audit leaf
        audit_append(source="inspection_draw", source_id=draw.pk, data=b"{}")
    task = Task.objects.create(draw=draw, subject_id=subject.pk, position=1, inspected_on=dt.date(2025, 3, 20), finding="corrected")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    steps = {e.object_id: e for e in WorkflowEvent.objects.filter(workflow="inspection_plan")}
    assert set(steps) == {drawn.pk, announced.pk}
    assert (steps[drawn.pk].action, steps[drawn.pk].state_after, steps[announced.pk].state_after) == ("carry_over", "drawn", "announced")
    rows = {(r["model"], r["id"]) for r in steps[drawn.pk].values["rows"]}
    assert rows == {("inspections.inspectionitem", item.pk), ("inspections.draw", draw.pk), ("inspections.assignment", task.pk)}
    checkpoint_take()
    assert audit_verify().ok
    Assignment.objects.filter(pk=task.pk).update(finding="no_issue")
    assert any(f"抽查任务 #{task.pk}" in p and "检查结果" in p for p in audit_verify().problems)
