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

from fazhi.law.clocks import ClockEvent, ClockResult, clock_compute, clock_rules
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


def use_for(use: ClockUse, matter: Matter | SimpleNamespace) -> ClockUse:
    """The wiring in force for this matter: a matter received before a law's revision keeps the
    procedure of the old law (行政复议法 1999: accepted on receipt, no deemed acceptance)."""
    received = getattr(matter, "received_on", None)
    for before, older in use.regimes:
        if received is not None and received < before:
            return older
    return use


@dataclass
class Run:
    """One run of a clock: from its start (or restart) to the step that stopped it, if any."""

    origin: dt.date
    collected: list[ClockEvent]
    stopped_on: dt.date | None = None
    stopped_by: str = ""
    deemed_from: dt.date | None = None  # started by law on another clock's expiry


def in_force(rule: str, day: dt.date) -> bool:
    """Whether the law of the clock applied on the day it started: before it (行政处罚法 1996 had
    no decision period; the 代表法 no answer period before 2010) no clock runs."""
    return clock_rules()[rule].value_on(day) is not None


def _due(rule: str, run: Run, cal: WorkCalendar) -> dt.date | None:
    if not in_force(rule, run.origin):
        return None
    return clock_compute(rule, run.origin, run.collected, cal=cal, explain=False).due


def clock_runs(use: ClockUse, events: Sequence[MatterEvent | EventFact], chained: dt.date | None = None) -> list[Run]:
    """The runs of one clock over the matter's events (in recording order).

    ``chained``: the day another clock's expiry started this one by law (视为受理). A start
    recorded later than that day does not move the start: the clock runs from the expiry
    (行政复议法 art.30 para.3); with no start recorded, it runs from the expiry all the same.
    """
    runs: list[Run] = []
    current: Run | None = None
    for e in events:
        t = e.transition
        if t in use.start or t in use.restart:
            if chained is not None and not runs and current is None and t in use.start and e.event_date > chained:
                current = Run(chained, [], deemed_from=chained)
            else:
                current = Run(e.event_date, _fixed_due(use, e))
        elif current is None:
            if chained is not None and not runs and (t in use.stop or t in use.cancel) and e.event_date >= chained:
                later = [c for c in _later_events(use, events, chained) if c.day <= e.event_date]
                runs.append(Run(chained, later, e.event_date, t, deemed_from=chained))
        elif t in use.stop or t in use.cancel:
            current.stopped_on, current.stopped_by = e.event_date, t
            runs.append(current)
            current = None
        else:
            current.collected += _clock_event(use, e)
    if current is not None:
        runs.append(current)
    elif chained is not None and not runs:
        runs.append(Run(chained, _later_events(use, events, chained), deemed_from=chained))
    return runs


def _expiry(use: ClockUse, rule: str, runs: list[Run], starters: set[str], cal: WorkCalendar, *, chained: bool = False) -> dt.date | None:
    """The day a clock whose expiry is a legal fact (or that another clock is chained to) expired:
    the first run still going at its due date, or stopped after it by a step that starts the
    chained clock (受理 recorded late)."""
    if not (use.on_expiry or chained) or rule == NO_CLOCK:
        return None
    for run in runs:
        due = _due(rule, run, cal)
        if due is None:
            continue
        if run.stopped_on is None or (run.stopped_on > due and run.stopped_by in starters):
            return due
    return None


def _walk(
    matter: Matter | SimpleNamespace, events: Sequence[MatterEvent | EventFact], reg: Register, cal: WorkCalendar
) -> Iterator[tuple[ClockUse, str, list[Run]]]:
    """Each clock of the register with its rule for this matter and its runs."""
    uses = [use_for(u, matter) for u in reg.definition.clocks]
    expiries: dict[str, dt.date] = {}
    targets = {u.start_on_expiry_of for u in uses if u.start_on_expiry_of}
    for use in uses:
        rule = _rule_for(use, matter)
        chained = expiries.get(use.start_on_expiry_of) if use.start_on_expiry_of else None
        runs = clock_runs(use, _effective(use, events, matter, cal), chained)
        starters = {t for u in uses if u.start_on_expiry_of == use.rule for t in u.start}
        expiry = _expiry(use, rule, runs, starters, cal, chained=use.rule in targets)
        if expiry is not None:
            expiries[use.rule] = expiry
        yield use, rule, runs


# The events a step's checks read (max_times, the clocks a hook asks for): the service gives the
# matter its events once per step, read from the database; a ledger import gives the events its
# plan holds (those in the database and those of the file's rows before), nothing read again.
_EVENTS = "_events_known"


def events_known(matter: Matter | SimpleNamespace, events: list[Any]) -> None:
    """Give the matter its events (in recording order) for the checks of its next step."""
    setattr(matter, _EVENTS, events)


def events_forget(matter: Matter | SimpleNamespace) -> None:
    """The matter reads its events again (a service's step is over: others may follow)."""
    vars(matter).pop(_EVENTS, None)


def events_known_add(matter: Matter | SimpleNamespace, event: Any) -> None:
    """A step's event joins the events the matter was given (if it was given any)."""
    known = vars(matter).get(_EVENTS)
    if known is not None:
        events_known(matter, [*known, event])


def matter_events(matter: Matter | SimpleNamespace, reg: Register | None = None) -> list[Any]:
    """The matter's events in recording order: those given by :func:`events_known`, or read."""
    known = vars(matter).get(_EVENTS)
    if known is not None:
        return list(known)
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    return list(MatterEvent.objects.filter(register=reg.name, object_id=matter.pk).order_by("id"))


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
        events = matter_events(matter, reg)
    cal = cal or current_calendar()
    return _running(_walk(matter, events, reg, cal), cal, explain=explain)


def _running(walked: Iterable[tuple[ClockUse, str, list[Run]]], cal: WorkCalendar, *, explain: bool) -> list[RunningClock]:
    running: list[RunningClock] = []
    for use, rule, runs in walked:
        if not runs or runs[-1].stopped_on is not None or rule == NO_CLOCK:
            continue
        run = runs[-1]
        if not in_force(rule, run.origin):
            continue
        result = clock_compute(rule, run.origin, run.collected, cal=cal, explain=explain)
        running.append(RunningClock(use=use, rule=rule, result=result, deemed_from=run.deemed_from))
    return running


def _later_events(use: ClockUse, events: Sequence[MatterEvent | EventFact], since: dt.date) -> list[ClockEvent]:
    return [c for e in events if e.event_date >= since for c in _clock_event(use, e)]


def _clock_event(use: ClockUse, e: MatterEvent | EventFact) -> list[ClockEvent]:
    """What an event that neither starts nor stops the clock does to it: pause, resume, extend,
    set the due date."""
    for kind, names in (("pause", use.pause), ("resume", use.resume), ("extend", use.extend)):
        if e.transition in names:
            return [ClockEvent(kind, e.event_date, limit=use.pause_limit.get(e.transition, "") if kind == "pause" else "")]
    if e.transition in use.set_due:
        return [ClockEvent("set_due", e.event_date, until=getattr(e, "until", None))]
    return _fixed_due(use, e)


def _fixed_due(use: ClockUse, e: MatterEvent | EventFact) -> list[ClockEvent]:
    """The due date the step's document states (``fix_due``), when it states one."""
    until = getattr(e, "until", None) if e.transition in use.fix_due else None
    return [ClockEvent("fix_due", e.event_date, until=until)] if until is not None else []


def _effective(
    use: ClockUse, events: Sequence[MatterEvent | EventFact], matter: Matter | SimpleNamespace, cal: WorkCalendar
) -> Sequence[MatterEvent | EventFact]:
    """The events as they bear on this clock: a pause taken after the period it must be taken
    within (``pause_within``) is dropped with the restart or resume that ends it (条例 art.30: a
    补正 notice later than 7 working days after receipt neither pauses nor restarts the reply
    period), and a step that sets the due date carries the date (``set_due``)."""
    if not use.pause_within and not use.set_due and not use.fix_due:
        return events
    out: list[MatterEvent | EventFact] = []
    origin: dt.date | None = None
    dropping = False
    for e in events:
        t = e.transition
        if t in use.fix_due:
            e = EventFact(t, e.event_date, getattr(matter, use.fix_due[t], None))
        if dropping and (t in use.restart or t in use.resume):
            dropping = False
            continue
        if t in use.start or t in use.restart:
            origin = e.event_date
        elif t in use.stop:
            origin = None
        elif t in use.pause_within and origin is not None:
            window = clock_compute(use.pause_within[t], origin, cal=cal, explain=False).due
            if window is not None and e.event_date > window:
                dropping = True
                continue
        elif t in use.set_due:
            e = EventFact(t, e.event_date, getattr(matter, use.set_due[t], None))
        out.append(e)
    return out


MET, LATE = "met", "late"


def matter_deadlines(
    matter: Matter | SimpleNamespace, events: Sequence[MatterEvent | EventFact], *, cal: WorkCalendar | None = None, reg: Register | None = None
) -> dict[str, str]:
    """Whether each stopped deadline was kept: rule -> "met" or "late" (the last run of a clock
    that restarted counts). What the on-time indicators count; a clock whose expiry is a legal
    fact (视为受理) is not a deadline and is left out."""
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    cal = cal or current_calendar()
    return _kept(_walk(matter, events, reg, cal), cal)


def _kept(walked: Iterable[tuple[ClockUse, str, list[Run]]], cal: WorkCalendar) -> dict[str, str]:
    out: dict[str, str] = {}
    for use, rule, runs in walked:
        if use.on_expiry or rule == NO_CLOCK:
            continue
        for run in runs:
            if run.stopped_on is None or run.stopped_by in use.cancel:
                continue
            due = _due(rule, run, cal)
            if due is not None:
                out[rule] = MET if run.stopped_on <= due else LATE
    return out


def matter_last_dues(
    matter: Matter | SimpleNamespace,
    events: Sequence[MatterEvent | EventFact] | None = None,
    *,
    reg: Register | None = None,
    cal: WorkCalendar | None = None,
) -> dict[str, dt.date | None]:
    """The due date of each clock's last run, running or stopped (None while paused): what a
    legal scenario checks. A clock that never ran is absent."""
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    if events is None:
        events = matter_events(matter, reg)
    cal = cal or current_calendar()
    out: dict[str, dt.date | None] = {}
    for _use, rule, runs in _walk(matter, events, reg, cal):
        if runs and rule != NO_CLOCK and in_force(rule, runs[-1].origin):
            out[rule] = _due(rule, runs[-1], cal)
    return out


def events_of(register: str, ids: Iterable[int], chunk: int = 900) -> dict[int, list[MatterEvent]]:
    """The events of many matters of a register in a few queries, each matter's in order: for a
    page or a figure that walks many matters' clocks (never a query per matter)."""
    ids = list(ids)
    out: dict[int, list[MatterEvent]] = {pk: [] for pk in ids}
    for i in range(0, len(ids), chunk):
        for e in MatterEvent.objects.filter(register=register, object_id__in=ids[i : i + chunk]).order_by("object_id", "id"):
            out[e.object_id].append(e)
    return out


def _due_values(matter: Matter | SimpleNamespace, clocks: list[RunningClock], reg: Register | None = None) -> dict[str, object]:
    reg = reg or register_of(matter)  # type: ignore[arg-type]
    deadlines = [c for c in clocks if c.counts_for_due]
    if deadlines and reg.definition.states[matter.state].open:
        first = min(deadlines, key=lambda c: c.result.due or dt.date.max)
        return {"due_on": first.result.due, "due_rule": first.rule, "calendar_version": first.result.calendar_version}
    return {"due_on": None, "due_rule": "", "calendar_version": ""}


def matter_due_on(matter: Matter | SimpleNamespace, events: Sequence[MatterEvent | EventFact], *, cal: WorkCalendar, reg: Register) -> dt.date | None:
    """The due date the row caches: the earliest due date among the running deadlines."""
    due = _due_values(matter, matter_clocks(matter, events, cal=cal, explain=False, reg=reg), reg)["due_on"]
    assert due is None or isinstance(due, dt.date)
    return due


def due_values(matter: Matter | SimpleNamespace, events: Sequence[MatterEvent | EventFact], reg: Register) -> dict[str, object]:
    """What the matter caches of its clocks after these events: the earliest due date among the
    running deadlines (with its rule and calendar version) and whether the stopped deadlines were
    kept. Raises the clock's refusal (an extension beyond the law's limit, a date before the law)."""
    cal = current_calendar()
    walked = list(_walk(matter, events, reg, cal))  # one walk for both
    values: dict[str, object] = _due_values(matter, _running(walked, cal, explain=False), reg)
    values["deadlines"] = _kept(walked, cal)
    return values


def matter_refresh_due(matter: Matter) -> None:
    """Recompute the cached due date and deadlines from the matter's events in the database."""
    reg = register_of(matter)
    events = list(MatterEvent.objects.filter(register=reg.name, object_id=matter.pk).order_by("id"))
    values = due_values(matter, events, reg)
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
    until: dt.date | None = None  # the due date a ``set_due`` step set


def _due_fields(reg: Register) -> set[str]:
    """The fields holding due dates that steps set (a row must carry them to recompute)."""
    return {f for u in reg.definition.clocks for f in (*u.set_due.values(), *u.fix_due.values())}


def _open_in_chunks(reg: Register, chunk: int) -> Iterator[list[SimpleNamespace]]:
    """Open matters as plain rows (model instances cost more than the clocks themselves)."""
    fields = ["pk", "case_number", "state", "received_on", "due_on", "due_rule", "calendar_version"]
    fields += sorted({u.variant_field for u in reg.definition.clocks if u.variant_field} | _due_fields(reg))
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
        fields = ["pk", "case_number", "received_on", "deadlines"]
        fields += sorted({u.variant_field for u in reg.definition.clocks if u.variant_field} | _due_fields(reg))
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
