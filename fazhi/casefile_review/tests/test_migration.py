"""The data migration records the campaigns that existed before the workflow, as they stand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import Org
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.casefile_review.models import SampledFile
from fazhi.registers.enforcement.models import EnforcementCase
from fazhi.registers.enforcement.tests.fixtures import Agency
from fazhi.registers.framework.models import WorkflowEvent

BEFORE = ("casefile_review", "0002_initial")


@pytest.mark.django_db(transaction=True)
def test_existing_campaigns_files_and_notices_are_recorded_as_they_stand(agency: Agency, org: Org) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    Campaign, File, Notice = (old.get_model("casefile_review", m) for m in ("ReviewCampaign", "SampledFile", "RectificationNotice"))
    case = EnforcementCase.objects.filter(state="closed").order_by("id").first()
    assert case is not None
    closed = Campaign.objects.create(
        organiser_id=org.district.pk,
        scope_id=org.district.pk,
        name="旧评查",
        year=2025,
        sheet="penalty-2026",
        seed="s",
        state="closed",
        closed_on=dt.date(2025, 12, 1),
    )
    file = File.objects.create(campaign=closed, case_id=case.pk, unit_id=org.dept.pk, position=1, total=Decimal("55.0"), points={"evidence": "0"}, vetoes=[])
    notice = Notice.objects.create(campaign=closed, unit_id=org.dept.pk, issued_on=dt.date(2025, 12, 1), due_on=dt.date(2025, 12, 31), text="请整改")
    draft = Campaign.objects.create(organiser_id=org.district.pk, scope_id=org.district.pk, name="新评查", year=2025, sheet="penalty-2026", seed="t")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    steps = {e.object_id: e for e in WorkflowEvent.objects.filter(workflow="casefile_campaign")}
    assert set(steps) == {closed.pk, draft.pk}
    assert (steps[closed.pk].action, steps[closed.pk].state_after, steps[draft.pk].state_after) == ("carry_over", "closed", "draft")
    rows = {(r["model"], r["id"]) for r in steps[closed.pk].values["rows"]}
    assert rows == {("casefile_review.sampledfile", file.pk), ("casefile_review.rectificationnotice", notice.pk)}
    checkpoint_take()
    assert audit_verify().ok
    SampledFile.objects.filter(pk=file.pk).update(total=Decimal("75"))
    assert any(f"抽取的案卷 #{file.pk}" in p and "总分" in p for p in audit_verify().problems)
