"""案卷评查 campaigns move onto the audited workflow (issue 20): the app kept no event table, so each
existing campaign is recorded as it stands, with its sampled files and notices, in one carried-over
step; ``fazhi audit verify`` passes afterwards and finds any later change made without a step."""

from typing import Any

from django.db import migrations

from fazhi.registers.framework.workflow import history_carry


def carry(apps: Any, schema_editor: Any) -> None:
    # frozen here, not read from definitions/workflows/casefile_campaign.yaml (which may change later)
    history_carry(
        apps,
        workflow="casefile_campaign",
        model="casefile_review.ReviewCampaign",
        unit_field="organiser",
        state_field="state",
        recorded=("organiser", "scope", "name", "year", "sheet", "files_per_stratum", "seed", "created_at", "closed_on"),
        children={
            "casefile_review.sampledfile": ("campaign", "case", "unit", "position", "points", "vetoes", "total", "comment", "scored_by", "scored_at"),
            "casefile_review.rectificationnotice": ("campaign", "unit", "issued_on", "due_on", "text", "reported_on", "report"),
        },
        parent_of={"casefile_review.sampledfile": "campaign", "casefile_review.rectificationnotice": "campaign"},
        initial="draft",
        targets={},
        old_steps=[],
    )


class Migration(migrations.Migration):
    dependencies = [("casefile_review", "0002_initial"), ("framework", "0006_workflow_event"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
