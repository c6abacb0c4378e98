"""Bulk writing of generated matters (demo and benchmark generators): the same rows, events,
audit leaves and cached due dates as the services write, in a few statements per batch.

Only generators use it: they build histories that respect the procedure by construction (and
tests check a sample of them against the register's checks). Real work goes through the
services, which check every step.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from fazhi.audit.services import audit_append_many
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.framework.clocks import EventFact, _due_values, matter_clocks, matter_deadlines
from fazhi.registers.framework.events import event_leaf_bytes
from fazhi.registers.framework.models import CaseNumberSequence, Matter, MatterEvent
from fazhi.registers.framework.registry import Register


@dataclass
class Step:
    transition: str
    actor: Actor
    day: dt.date
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Planned:
    """A matter in its final state and the steps that led there (the first is the creation)."""

    matter: Matter
    steps: list[Step]


def _json(value: Any) -> Any:
    from fazhi.registers.framework.services import json_value

    return json_value(value)


@transaction.atomic
def bulk_write(reg: Register, planned: list[Planned], *, batch: int = 2000) -> int:
    """Number the matters, then write them, their events and the events' audit leaves."""
    counters: dict[tuple[int, int], int] = {}
    for seq in CaseNumberSequence.objects.filter(register=reg.name):
        counters[(seq.unit_id, seq.year)] = seq.last_value
    ctype = ContentType.objects.get_for_model(reg.model)
    now = timezone.now()
    cal = None
    for start in range(0, len(planned), batch):
        chunk = planned[start : start + batch]
        for p in chunk:
            m = p.matter
            m.year = m.received_on.year
            key = (m.unit_id, m.year)
            counters[key] = counters.get(key, 0) + 1
            m.sequence = counters[key]
            m.case_number = reg.definition.case_number_template.format(unit_short=m.unit.short_name, year=m.year, seq=m.sequence)
        reg.model.objects.bulk_create([p.matter for p in chunk], batch_size=batch)
        events = []
        for p in chunk:
            m, state = p.matter, ""
            for s in p.steps:
                t = reg.definition.transitions.get(s.transition)
                after_state = reg.definition.initial if t is None and s.transition == "register" else (state if t is None or t.target == "same" else t.target)
                events.append(
                    MatterEvent(
                        content_type=ctype,
                        object_id=m.pk,
                        register=reg.name,
                        case_number=m.case_number,
                        transition=s.transition,
                        actor=actor_row_or_none(s.actor),
                        unit_id=m.unit_id,
                        occurred_at=now,
                        event_date=s.day,
                        state_before=state,
                        state_after=after_state,
                        before={},
                        after={k: _json(v) for k, v in s.values.items()} | ({"case_number": m.case_number} if s.transition == "register" else {}),
                        note="演示数据",
                    )
                )
                state = after_state
        MatterEvent.objects.bulk_create(events, batch_size=batch)
        audit_append_many([("matter_event", e.pk, event_leaf_bytes(e)) for e in events])
        by_matter: dict[int, list[EventFact]] = defaultdict(list)
        for e in events:
            by_matter[e.object_id].append(EventFact(e.transition, e.event_date))
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for p in chunk:
            facts = by_matter[p.matter.pk]
            values = _due_values(p.matter, matter_clocks(p.matter, facts, cal=cal, explain=False, reg=reg), reg)
            p.matter.deadlines = matter_deadlines(p.matter, facts, cal=cal, reg=reg)
            groups[(values["due_on"], values["due_rule"], values["calendar_version"], json.dumps(p.matter.deadlines, sort_keys=True))].append(p.matter.pk)
        for (due_on, due_rule, version, deadlines), pks in groups.items():
            for i in range(0, len(pks), 900):
                reg.model.objects.filter(pk__in=pks[i : i + 900]).update(
                    due_on=due_on, due_rule=due_rule, calendar_version=version, deadlines=json.loads(deadlines)
                )
        from fazhi.registers.framework.services import matters_written

        matters_written(reg, [(None, p.matter) for p in chunk])
    for (unit_id, year), value in counters.items():
        CaseNumberSequence.objects.update_or_create(register=reg.name, unit_id=unit_id, year=year, defaults={"last_value": value})
    return len(planned)
