"""The register part of a user's to-do list (待办): every open matter the user may see, counted
and paged in SQL, with the clock running now and the steps waiting for the user.

The counters are ``COUNT``s over all the registers (never over a cut list); the page is one
``UNION ALL`` of the registers' open matters ordered by the cached due date, then the page's
rows and their events are read with one query per register on the page. Nothing loops over
all the rows in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Value

from fazhi.law.clocks import clock_rules
from fazhi.law.workdays import current_calendar
from fazhi.registers.framework.clocks import matter_clocks
from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.models import Matter, MatterEvent
from fazhi.registers.framework.registry import REGISTRY, Register
from fazhi.registers.framework.selectors import DUE_SOON_DAYS, due_status, matters_visible_to, transitions_available

STATUSES = ("overdue", "due_today", "due_soon")
TODO_PAGE_SIZE = 50


def _status_q(status: str, today: dt.date) -> Q:
    """The matters of one counter, by the cached due date (as ``due_status`` reads it)."""
    if status == "overdue":
        return Q(due_on__lt=today)
    if status == "due_today":
        return Q(due_on=today)
    if status == "due_soon":
        return Q(due_on__gt=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    return Q()


def _open(user: Any, reg: Register) -> QuerySet[Matter]:
    """The matters waiting: open, with a deadline running (a matter open without one, e.g. a
    decision served while the party may still sue, waits for no one)."""
    return matters_visible_to(user, reg).filter(state__in=reg.definition.open_states(), due_on__isnull=False)


@dataclass
class TodoCounts:
    overdue: int = 0
    due_today: int = 0
    due_soon: int = 0
    total: int = 0
    by_register: dict[str, int] = field(default_factory=dict)


def todo_counts(user: Any, today: dt.date) -> TodoCounts:
    """The counters over every register the user may see: one aggregate query per register."""
    out = TodoCounts()
    for reg in REGISTRY.values():
        row = _open(user, reg).aggregate(
            total=Count("pk"),
            **{s: Count("pk", filter=_status_q(s, today)) for s in STATUSES},
        )
        out.total += row["total"]
        out.overdue += row["overdue"]
        out.due_today += row["due_today"]
        out.due_soon += row["due_soon"]
        if row["total"]:
            out.by_register[reg.name] = row["total"]
    return out


@dataclass
class TodoRow:
    register: Register
    matter: Matter
    status: str  # of the clock shown
    clock_label: str  # the running clock, in words
    clock_due: dt.date | None
    steps: list[Transition]
    party: str = ""

    @property
    def state_label(self) -> str:
        state = self.register.definition.states.get(self.matter.state)
        return state.label if state is not None else ""


def _keys(user: Any, today: dt.date, status: str, register: str) -> QuerySet[Any]:
    """(register, pk, due date) of the selected open matters, as one UNION ALL."""
    parts = []
    for reg in REGISTRY.values():
        if register and reg.name != register:
            continue
        qs = _open(user, reg)
        if status in STATUSES:
            qs = qs.filter(_status_q(status, today))
        parts.append(qs.order_by().annotate(todo_register=Value(reg.name, output_field=CharField())).values_list("todo_register", "pk", "due_on"))
    if not parts:
        return Matter.objects.none()  # type: ignore[attr-defined,no-any-return]
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def todo_count(user: Any, today: dt.date, *, status: str = "", register: str = "") -> int:
    """How many matters the selected tab holds (for the page links)."""
    total = 0
    for reg in REGISTRY.values():
        if register and reg.name != register:
            continue
        qs = _open(user, reg)
        if status in STATUSES:
            qs = qs.filter(_status_q(status, today))
        total += qs.count()
    return total


def running_now(matter: Matter, events: list[MatterEvent], reg: Register, today: dt.date, cal: Any = None) -> tuple[str, dt.date | None]:
    """The clock running today and its due date: a clock chained to another's expiry has not
    started before it (a 复议 case not yet accepted runs its 受理审查 period, not the decision's),
    and a clock whose expiry is a legal fact no longer runs once it expired (视为受理). Falls
    back to the cached due date."""
    clocks = [
        c
        for c in matter_clocks(matter, events, cal=cal, explain=False, reg=reg)
        if c.result.due is not None and c.result.start <= today and not (c.use.on_expiry and c.result.due < today)
    ]
    if clocks:
        first = min(clocks, key=lambda c: c.result.due or dt.date.max)
        return clock_rules()[first.rule].label, first.result.due
    if matter.due_rule and matter.due_rule in clock_rules():
        return clock_rules()[matter.due_rule].label, matter.due_on
    return "", matter.due_on


def party_column(reg: Register) -> str:
    """The register's party or subject column among its list columns (a name or a title), if any."""
    for col in reg.list_columns:
        if col.endswith("_name") or col in ("title", "subject"):
            return col
    return ""


def todo_page(user: Any, today: dt.date, *, status: str = "", register: str = "", page: int = 1) -> list[TodoRow]:
    """One page of the user's waiting matters, by due date."""
    offset = max(page - 1, 0) * TODO_PAGE_SIZE
    keys = list(_keys(user, today, status, register).order_by("due_on", "todo_register", "pk")[offset : offset + TODO_PAGE_SIZE])
    by_register: dict[str, list[int]] = {}
    for name, pk, _due in keys:
        by_register.setdefault(name, []).append(pk)
    matters: dict[tuple[str, int], Matter] = {}
    events: dict[tuple[str, int], list[MatterEvent]] = {}
    for name, pks in by_register.items():
        reg = REGISTRY[name]
        for m in reg.model.objects.filter(pk__in=pks).select_related("unit"):
            matters[(name, m.pk)] = m
            events[(name, m.pk)] = []
        for e in MatterEvent.objects.filter(register=name, object_id__in=pks).order_by("id"):
            events[(name, e.object_id)].append(e)
    cal = current_calendar()
    rows = []
    for name, pk, _due in keys:
        reg, matter = REGISTRY[name], matters[(name, pk)]
        evs = events[(name, pk)]
        label, due = running_now(matter, evs, reg, today, cal)
        done: dict[str, int] = {}
        for e in evs:
            done[e.transition] = done.get(e.transition, 0) + 1
        col = party_column(reg)
        party = str(getattr(matter, col, "") or "") if col else ""
        rows.append(TodoRow(reg, matter, due_status(due, today), label, due, transitions_available(user, matter, done=done), party))
    return rows
