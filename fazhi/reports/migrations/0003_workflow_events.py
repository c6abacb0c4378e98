"""The report's steps move from its own event table to the audited workflow events (issue 20):
the old events are carried over in order, each report is recorded as it stands, then the old
table goes."""

from typing import Any

from django.db import migrations

from fazhi.registers.framework.workflow import OldStep, history_carry

TARGETS = {
    "create": "draft",
    "submit": "review",
    "approve": "secrecy",
    "clear": "signing",
    "return": "draft",
    "publish": "published",
    "revise": "draft",
}


def carry(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("reports", "Event")
    steps = [
        OldStep(object_id=e.report_id, action="register" if e.action == "create" else e.action, label=e.label, actor_id=e.actor_id, at=e.at, text=e.text)
        for e in Event.objects.order_by("at", "id")
    ]
    history_carry(
        apps,
        workflow="report",
        model="reports.Report",
        unit_field="unit",
        state_field="state",
        recorded=("unit", "kind", "year", "order", "manual", "published_version", "published_at"),
        children={
            "reports.version": ("report", "number", "content", "sha256", "changes", "note", "created_by"),
            "reports.signature": ("version", "signer"),
            "reports.contribution": ("report", "part", "unit", "text", "updated_by"),
        },
        parent_of={"reports.version": "report", "reports.signature": "version__report", "reports.contribution": "report"},
        initial="draft",
        targets={("register" if k == "create" else k): v for k, v in TARGETS.items()},
        old_steps=steps,
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_report_manual"), ("framework", "0006_workflow_event"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [
        migrations.RunPython(carry, migrations.RunPython.noop),
        migrations.DeleteModel(name="Event"),
    ]
