"""考核 schemes move onto the audited workflow events (issue 20). There was no event table: each
scheme is recorded as it stands, with its manual scores and results, in the state its columns
give (published, computed or loaded), so that ``fazhi audit verify`` passes afterwards."""

from typing import Any

from django.db import migrations

from fazhi.registers.framework.workflow import history_carry


def _state(scheme: Any) -> str:
    if scheme.published_at is not None:
        return "published"
    if scheme.computed_at is not None:
        return "computed"
    return "loaded"


def carry(apps: Any, schema_editor: Any) -> None:
    # the lists as the definition had them when this migration was written
    history_carry(
        apps,
        workflow="evaluation",
        model="evaluation.Scheme",
        unit_field="unit",
        state_field="",
        recorded=("unit", "year", "name", "text", "sha256", "loaded_at", "computed_at", "published_at", "published_by", "results_sha256"),
        children={
            "evaluation.manualscore": ("scheme", "unit", "item", "points", "vetoed", "note", "evidence_name", "evidence_sha256", "entered_by", "entered_at"),
            "evaluation.result": ("scheme", "unit", "earned", "applicable", "score", "vetoed", "rank", "not_ranked_reason", "breakdown"),
        },
        parent_of={"evaluation.manualscore": "scheme", "evaluation.result": "scheme"},
        initial="loaded",
        targets={},
        old_steps=[],
        derived_state=_state,
    )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial"), ("framework", "0006_workflow_event"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
