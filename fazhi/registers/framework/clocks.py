"""Which clocks of a matter are running, and their due dates, from the matter's events.

The due date stored on the matter is a cache (with the calendar version that produced it);
this module is the only code that writes it, and ``fazhi clock recompute`` redoes it in bulk.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.db import transaction

from fazhi.law.clocks import ClockEvent, ClockResult, clock_compute
from fazhi.law.workdays import WorkCalendar, current_calendar
from fazhi.registers.framework.definition import ClockUse
from fazhi.registers.framework.models import Matter, MatterEvent
from fazhi.registers.framework.registry import REGISTRY, Register, register_of


@dataclass
class RunningClock:
    use: ClockUse
    rule: str
    result: ClockResult
    deemed_from: dt.date | None = None  # started by the expiry of another clock (视为受理)

    @property
    def counts_for_due(self) -> bool:
        """A clock whose expiry is a legal fact (on_expiry) is never overdue: it is not a deadline."""
        return not self.use.on_expiry and self.result.due is not None


NO_CLOCK = "none"  # a variant that runs no clock (e.g. 行政检查 has no statutory period)


def _rule_for(use: ClockUse, matter: Matter | SimpleNamespace) -> str:
    if use.variant_field:
        return use.variants.get(str(getattr(matter, use.variant_field, "") or ""), use.rule)
    return use.rule


def matter_clocks(
    matter: Matter | SimpleNamespace,
    events: Sequence[MatterEvent | EventFact] | None = None,
    *,
    cal: WorkCalendar | None = None,
    explain: bool = True,
    reg: Register | None = None,
) -> list[RunningClock]:
    """Every clock of the matter that is running now (started, not stopped)."""
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    if events is None:
        events = list(MatterEvent.objects.filter(register=reg.name, object_id=matter.pk).order_by("id"))
    cal = cal or current_calendar()
    running: list[RunningClock] = []
    expiries: dict[str, dt.date] = {}  # rule of a running on_expiry clock -> its due date
    for use in reg.definition.clocks:
        origin: dt.date | None = None
        collected: list[ClockEvent] = []
        deemed_from = None
        chained = expiries.get(use.start_on_expiry_of) if use.start_on_expiry_of else None
        for e in events:
            t = e.transition
            if t in use.start or t in use.restart:
                origin, collected, deemed_from = e.event_date, [], None
            elif origin is None:
                continue
            elif t in use.stop:
                origin = None
            else:
                collected += _clock_event(use, e)
        if origin is None and chained is not None:
            # Not started by an event, but the clock it hangs on is still running: it starts,
            # by law, on that clock's expiry; later events (中止, 延期) still apply to it.
            origin, deemed_from = chained, chained
            collected = _later_events(use, events, chained)
        if origin is None:
            continue
        rule = _rule_for(use, matter)
        if rule == NO_CLOCK:
            continue
        result = clock_compute(rule, origin, collected, cal=cal, explain=explain)
        running.append(RunningClock(use=use, rule=rule, result=result, deemed_from=deemed_from))
        if use.on_expiry and result.due is not None:
            expiries[use.rule] = result.due
    return running


def _later_events(use: ClockUse, events: Sequence[MatterEvent | EventFact], since: dt.date) -> list[ClockEvent]:
    return [c for e in events if e.event_date >= since for c in _clock_event(use, e)]


def _clock_event(use: ClockUse, e: MatterEvent | EventFact) -> list[ClockEvent]:
    """What an event that neither starts nor stops the clock does to it: pause, resume, extend."""
    for kind, names in (("pause", use.pause), ("resume", use.resume), ("extend", use.extend)):
        if e.transition in names:
            return [ClockEvent(kind, e.event_date)]
    return []


MET, LATE = "met", "late"


def matter_deadlines(
    matter: Matter | SimpleNamespace, events: Sequence[MatterEvent | EventFact], *, cal: WorkCalendar | None = None, reg: Register | None = None
) -> dict[str, str]:
    """Whether each stopped deadline was kept: rule -> "met" or "late" (the last run of a clock
    that restarted counts). What the on-time indicators count; a clock whose expiry is a legal
    fact (视为受理) is not a deadline and is left out."""
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    cal = cal or current_calendar()
    out: dict[str, str] = {}
    expiries: dict[str, dt.date] = {}
    for use in reg.definition.clocks:
        origin: dt.date | None = None
        collected: list[ClockEvent] = []
        rule = _rule_for(use, matter)
        for e in events:
            t = e.transition
            if t in use.start or t in use.restart:
                origin, collected = e.event_date, []
            elif origin is None and t in use.stop and use.start_on_expiry_of in expiries and expiries[use.start_on_expiry_of] <= e.event_date:
                origin = expiries[use.start_on_expiry_of]  # started by law on that expiry
                collected = [c for c in _later_events(use, events, origin) if c.day <= e.event_date]
            if origin is None:
                continue
            if t in use.stop:
                if rule != NO_CLOCK:
                    due = clock_compute(rule, origin, collected, cal=cal, explain=False).due
                    if due is not None and not use.on_expiry:
                        out[rule] = MET if e.event_date <= due else LATE
                origin = None
            else:
                collected += _clock_event(use, e)
        if use.on_expiry and origin is not None and rule != NO_CLOCK:
            due = clock_compute(rule, origin, collected, cal=cal, explain=False).due
            if due is not None:
                expiries[use.rule] = due
    return out


def _due_values(matter: Matter | SimpleNamespace, clocks: list[RunningClock], reg: Register | None = None) -> dict[str, object]:
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    deadlines = [c for c in clocks if c.counts_for_due]
    if deadlines and reg.definition.states[matter.state].open:
        first = min(deadlines, key=lambda c: c.result.due or dt.date.max)
        return {"due_on": first.result.due, "due_rule": first.rule, "calendar_version": first.result.calendar_version}
    return {"due_on": None, "due_rule": "", "calendar_version": ""}


def matter_refresh_due(matter: Matter) -> None:
    """Recompute the cached due date (the earliest due date among the running deadlines) and
    whether the stopped deadlines were kept."""
    reg = register_of(matter)
    events = list(MatterEvent.objects.filter(register=reg.name, object_id=matter.pk).order_by("id"))
    values: dict[str, object] = _due_values(matter, matter_clocks(matter, events, explain=False, reg=reg), reg)
    values["deadlines"] = matter_deadlines(matter, events, reg=reg)
    type(matter).objects.filter(pk=matter.pk).update(**values)
    for k, v in values.items():
        setattr(matter, k, v)


@dataclass
class Moved:
    register: str
    case_number: str
    rule: str
    old: dt.date | None
    new: dt.date | None
    old_version: str
    new_version: str


class EventFact(NamedTuple):
    """What a clock needs of an event: which step, on which legal date."""

    transition: str
    event_date: dt.date


def _open_in_chunks(reg: Register, chunk: int) -> Iterator[list[SimpleNamespace]]:
    """Open matters as plain rows (model instances cost more than the clocks themselves)."""
    fields = ["pk", "case_number", "state", "due_on", "due_rule", "calendar_version"]
    fields += sorted({u.variant_field for u in reg.definition.clocks if u.variant_field})
    qs = reg.model.objects.filter(state__in=reg.definition.open_states()).order_by("pk").values(*fields)
    last = 0
    while True:
        batch = [SimpleNamespace(**row) for row in qs.filter(pk__gt=last)[:chunk]]
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def clocks_recompute(
    *, registers: Iterable[str] | None = None, dry_run: bool = False, chunk: int = 5000, progress: Callable[[int], None] | None = None
) -> tuple[int, list[Moved]]:
    """Recompute the stored due date of every open matter with the current calendar.

    Returns how many matters were checked and those whose due date changed (a change of
    calendar version alone is written but not listed). Writes are grouped by the new values,
    so a calendar change that moves many matters to the same dates costs few statements.
    """
    cal = current_calendar()
    checked = 0
    moved: list[Moved] = []
    for name in registers or list(REGISTRY):
        reg = REGISTRY[name]
        for batch in _open_in_chunks(reg, chunk):
            by_matter: dict[int, list[Any]] = {m.pk: [] for m in batch}
            rows = (
                MatterEvent.objects.filter(register=reg.name, object_id__in=list(by_matter)).order_by("id").values_list("object_id", "transition", "event_date")
            )
            for object_id, transition, event_date in rows:
                by_matter[object_id].append(EventFact(transition, event_date))
            groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
            for m in batch:
                values = _due_values(m, matter_clocks(m, by_matter[m.pk], cal=cal, explain=False, reg=reg), reg)
                new_due = values["due_on"]
                assert new_due is None or isinstance(new_due, dt.date)
                if new_due != m.due_on or values["calendar_version"] != m.calendar_version or values["due_rule"] != m.due_rule:
                    if new_due != m.due_on:
                        rule = str(values["due_rule"] or m.due_rule)
                        moved.append(Moved(reg.name, m.case_number, rule, m.due_on, new_due, m.calendar_version, str(values["calendar_version"])))
                    groups[(new_due, values["due_rule"], values["calendar_version"])].append(m.pk)
            if groups and not dry_run:
                with transaction.atomic():
                    for (due_on, due_rule, version), pks in groups.items():
                        for i in range(0, len(pks), 900):
                            reg.model.objects.filter(pk__in=pks[i : i + 900]).update(due_on=due_on, due_rule=due_rule, calendar_version=version)
            checked += len(batch)
            if progress:
                progress(len(batch))
    return checked, moved


@dataclass
class Kept:
    register: str
    case_number: str
    old: dict[str, str]
    new: dict[str, str]


def deadlines_recompute(
    *, registers: Iterable[str] | None = None, dry_run: bool = False, chunk: int = 5000, progress: Callable[[int], None] | None = None
) -> tuple[int, list[Kept]]:
    """Recompute whether each stopped deadline was kept (``deadlines``), open and closed matters
    alike, with the current calendar: a revised holiday schedule can turn a kept deadline late or
    the other way round. Changed matters go through the write observers, so the on-time rollups
    follow. Generated copies (no step events) keep what they carry."""
    from fazhi.registers.framework.services import matters_written

    cal = current_calendar()
    checked = 0
    changed: list[Kept] = []
    for name in registers or list(REGISTRY):
        reg = REGISTRY[name]
        fields = ["pk", "case_number", "deadlines"] + sorted({u.variant_field for u in reg.definition.clocks if u.variant_field})
        qs = reg.model.objects.order_by("pk").values(*fields)
        last = 0
        while True:
            batch = [SimpleNamespace(**row) for row in qs.filter(pk__gt=last)[:chunk]]
            if not batch:
                break
            last = batch[-1].pk
            by_matter: dict[int, list[Any]] = {m.pk: [] for m in batch}
            rows = (
                MatterEvent.objects.filter(register=reg.name, object_id__in=list(by_matter)).order_by("id").values_list("object_id", "transition", "event_date")
            )
            for object_id, transition, event_date in rows:
                by_matter[object_id].append(EventFact(transition, event_date))
            stale: dict[int, dict[str, str]] = {}
            for m in batch:
                if not by_matter[m.pk]:
                    continue
                new = matter_deadlines(m, by_matter[m.pk], cal=cal, reg=reg)
                if new != (m.deadlines or {}):
                    stale[m.pk] = new
                    changed.append(Kept(reg.name, m.case_number, m.deadlines or {}, new))
            if stale and not dry_run:
                with transaction.atomic():
                    pairs: list[tuple[Matter | None, Matter]] = []
                    for matter in reg.model.objects.select_for_update().filter(pk__in=list(stale)).order_by("pk"):
                        before = copy.copy(matter)
                        matter.deadlines = stale[matter.pk]
                        reg.model.objects.filter(pk=matter.pk).update(deadlines=matter.deadlines)
                        pairs.append((before, matter))
                    matters_written(reg, pairs)
            checked += len(batch)
            if progress:
                progress(len(batch))
    return checked, changed
