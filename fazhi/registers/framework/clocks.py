"""Which clock of a matter is running, and its due date, from the matter's events.

The due date stored on the matter is a cache (with the calendar version that produced it);
this module is the only code that writes it, and ``fazhi clock recompute`` can redo it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fazhi.law.clocks import ClockEvent, ClockResult, clock_compute
from fazhi.registers.framework.definition import ClockUse
from fazhi.registers.framework.models import Matter, MatterEvent
from fazhi.registers.framework.registry import register_of


@dataclass
class RunningClock:
    use: ClockUse
    rule: str
    result: ClockResult


def _rule_for(use: ClockUse, matter: Matter) -> str:
    if use.variant_field:
        return use.variants.get(str(getattr(matter, use.variant_field, "") or ""), use.rule)
    return use.rule


def matter_clocks(matter: Matter, events: list[MatterEvent] | None = None) -> list[RunningClock]:
    """Every clock of the matter that is running now (started, not stopped)."""
    reg = register_of(matter)
    if events is None:
        events = list(MatterEvent.objects.filter(register=reg.name, object_id=matter.pk).order_by("id"))
    running = []
    for use in reg.definition.clocks:
        origin: dt.date | None = None
        collected: list[ClockEvent] = []
        for e in events:
            t = e.transition
            if t in use.start or t in use.restart:
                origin, collected = e.event_date, []
            elif origin is None:
                continue
            elif t in use.stop:
                origin = None
            elif t in use.pause:
                collected.append(ClockEvent("pause", e.event_date))
            elif t in use.resume:
                collected.append(ClockEvent("resume", e.event_date))
            elif t in use.extend:
                collected.append(ClockEvent("extend", e.event_date))
        if origin is not None:
            rule = _rule_for(use, matter)
            running.append(RunningClock(use=use, rule=rule, result=clock_compute(rule, origin, collected)))
    return running


def matter_refresh_due(matter: Matter) -> None:
    """Recompute the cached due date: the earliest due date among the running clocks."""
    clocks = [c for c in matter_clocks(matter) if c.result.due is not None]
    reg = register_of(matter)
    if clocks and reg.definition.states[matter.state].open:
        first = min(clocks, key=lambda c: c.result.due or dt.date.max)
        values = {"due_on": first.result.due, "due_rule": first.rule, "calendar_version": first.result.calendar_version}
    else:
        values = {"due_on": None, "due_rule": "", "calendar_version": ""}
    type(matter).objects.filter(pk=matter.pk).update(**values)
    for k, v in values.items():
        setattr(matter, k, v)
