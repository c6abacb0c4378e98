"""双随机 plans move onto the audited workflow (issue 20): the app kept no event table (each draw
already has its own audit leaf, which stays), so each existing plan is recorded as it stands, with
its items, its draw and the assignments with their results, in one carried-over step; ``fazhi audit
verify`` passes afterwards and finds any later change made without a step."""

from typing import Any

from django.db import migrations

from fazhi.registers.framework.workflow import history_carry


def carry(apps: Any, schema_editor: Any) -> None:
    # frozen here, not read from definitions/workflows/inspection_plan.yaml (which may change later)
    history_carry(
        apps,
        workflow="inspection_plan",
        model="inspections.InspectionPlan",
        unit_field="unit",
        state_field="state",
        recorded=(
            "unit",
            "name",
            "year",
            "category",
            "ratio",
            "cap_per_subject_per_year",
            "inspectors_per_subject",
            "starts_on",
            "ends_on",
            "seed_source",
            "announced_at",
            "results_published_on",
        ),
        children={
            "inspections.inspectionitem": ("plan", "name", "legal_basis"),
            "inspections.draw": ("plan", "seed_value", "drawn_at", "drawn_by", "document_sha256"),
            "inspections.assignment": ("draw", "subject", "position", "inspected_on", "finding", "remarks"),
        },
        parent_of={"inspections.inspectionitem": "plan", "inspections.draw": "plan", "inspections.assignment": "draw__plan"},
        initial="announced",
        targets={},
        old_steps=[],
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_append_only"), ("framework", "0006_workflow_event"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
