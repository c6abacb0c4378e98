"""A lead's steps move from its own event table (LeadEvent) to the audited workflow events
(issue 20): the old events are carried over in order (their labels, texts, actors and dates),
each lead is recorded as it stands, then the old table goes.

The old table named a finding either way ``find`` and a re-check either way ``recheck``; the
definition has a step for each outcome, told apart here by the label the old step wrote."""

from typing import Any

from django.db import migrations

from fazhi.registers.framework.workflow import OldStep, history_carry

# The state each step leads to (definitions/workflows/lead.yaml as it stood at this migration).
TARGETS = {
    "find": "founded",
    "dismiss": "unfounded",
    "notice": "noticed",
    "report": "reported",
    "close": "closed",
    "recheck": "rechecked",
    "reopen": "founded",
}

RECORDED = (
    "organiser",
    "unit",
    "source",
    "source_key",
    "register",
    "matter_id",
    "reference",
    "summary",
    "raised_on",
    "raised_by",
    "finding",
    "finding_on",
    "notice_kind",
    "notice_text",
    "notice_on",
    "due_on",
    "report",
    "reported_on",
    "closed_on",
    "recheck_on",
    "recheck_note",
)


def action_of(action: str, label: str) -> str:
    """The definition's step for an old event."""
    if action == "raise":
        return "register"  # fazhi.registers.framework.definition.CREATE
    if action == "find":
        return "dismiss" if label == "核查不属实" else "find"
    if action == "recheck":
        return "recheck" if label == "回头看通过" else "reopen"
    return action


def carry(apps: Any, schema_editor: Any) -> None:
    LeadEvent = apps.get_model("supervision", "LeadEvent")
    steps = [
        OldStep(object_id=e.lead_id, action=action_of(e.action, e.label), label=e.label, actor_id=e.actor_id, at=e.at, text=e.text, on=e.on)
        for e in LeadEvent.objects.order_by("at", "id")
    ]
    history_carry(
        apps,
        workflow="lead",
        model="supervision.Lead",
        unit_field="organiser",
        state_field="state",
        recorded=RECORDED,
        children={},
        parent_of={},
        initial="open",
        targets=TARGETS,
        old_steps=steps,
    )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_major_decisions_source"), ("framework", "0006_workflow_event"), ("audit", "0004_sqlite_refuses_delete")]
    operations = [
        migrations.RunPython(carry, migrations.RunPython.noop),
        migrations.DeleteModel(name="LeadEvent"),
    ]
