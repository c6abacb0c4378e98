"""Every waiting step of every workflow for a user: the to-do list's part beyond the registers.

Derived from the workflow definitions (``definitions/workflows/*.yaml``): a record waits for a
user when it is in a state a transition leaves from and the user holds one of the transition's
roles over the unit the transition names (its ``unit:``, or the workflow's). SQL selects the
candidates by state and unit (a membership reaches its unit and the units below it, as
:func:`fazhi.core.selectors.user_has_role` decides), then :func:`workflow_check` confirms each
step on the page, so the list offers exactly the steps the services accept. The ``admin:``
fallback is a power, not a duty: an administrator's list is not filled with every record.

Each app registers, in its ``ready()``, the link to a record's page (:func:`workflow_todo_register`),
and may add the statutory dates a record carries, leave out steps whose unit the definition cannot
name (a 评查 notice's unit, a 供稿 unit below the report's) and list those itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from fazhi.core.errors import PermissionDenied, TransitionNotAllowed
from fazhi.core.selectors import unit_scope_q, user_scope_paths
from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.models import WorkflowEvent
from fazhi.registers.framework.workflow import WORKFLOWS, workflow_check

WAITING_LIMIT = 20  # records shown per workflow; the count says how many there are


@dataclass(frozen=True)
class WorkflowTodo:
    """How an app shows its workflow's waiting records."""

    link: Callable[[Any], str]  # the record's page
    list_url: str = ""  # the URL name of the page listing the records
    deadlines: Callable[[Any], Sequence[tuple[dt.date, str]]] | None = None  # (date, label) in order
    order_by: tuple[str, ...] = ("pk",)
    shown_unit: str = ""  # the unit field the list shows (default: the workflow's)
    not_listed: tuple[str, ...] = ()  # steps the app lists itself (``extra``) or the platform takes
    extra: Callable[[Any, dt.date], Sequence[WaitingRecord]] | None = None


WORKFLOW_TODOS: dict[str, WorkflowTodo] = {}


def workflow_todo_register(name: str, todo: WorkflowTodo) -> None:
    WORKFLOW_TODOS[name] = todo


@dataclass
class WaitingRecord:
    obj: Any
    title: str
    unit_name: str
    state_label: str
    steps: list[str]
    url: str
    deadlines: Sequence[tuple[dt.date, str]] = ()


@dataclass
class WaitingGroup:
    workflow: str
    label: str
    total: int
    records: list[WaitingRecord] = field(default_factory=list)
    list_url: str = ""


def _candidates(name: str, user: Any, steps: list[Transition], shown: tuple[str, ...] = ()) -> models.QuerySet[Any] | None:
    """The workflow's records in a state one of ``steps`` leaves from, over a unit where the user
    holds one of that step's roles; None when the user holds none of them."""
    wf = WORKFLOWS[name]
    d = wf.definition
    q = Q(pk__in=[])
    any_step = False
    state = d.state_field or "todo_state"
    for t in steps:
        paths = user_scope_paths(user, t.roles)
        if not paths:
            continue
        any_step = True
        q |= Q(**{f"{state}__in": list(t.sources)}) & unit_scope_q(paths, f"{t.unit_field or d.unit_field}__path")
    if not any_step:
        return None
    qs = wf.model._default_manager.all()
    if not d.state_field:  # the state lives in the events: the last one's
        last = WorkflowEvent.objects.filter(workflow=name, object_id=OuterRef("pk")).order_by("-id").values("state_after")[:1]
        qs = qs.annotate(todo_state=Subquery(last))
    units = sorted({d.unit_field} | {t.unit_field for t in steps if t.unit_field} | set(shown))
    return qs.filter(q).select_related(*units)


def _allowed(name: str, obj: Any, t: Transition, user: Any) -> bool:
    try:
        workflow_check(name, obj, t.name, user)
    except (PermissionDenied, TransitionNotAllowed):
        return False
    return True


def workflow_waiting(user: Any, today: dt.date, *, limit: int = WAITING_LIMIT) -> list[WaitingGroup]:
    """Per workflow (with a registered link), the records waiting for the user, with the steps."""
    out: list[WaitingGroup] = []
    for name, wf in WORKFLOWS.items():
        todo = WORKFLOW_TODOS.get(name)
        if todo is None:
            continue
        d = wf.definition
        steps = [t for t in d.transitions.values() if t.name not in todo.not_listed]
        group = WaitingGroup(name, d.label, 0, list_url=reverse(todo.list_url) if todo.list_url else "")
        qs = _candidates(name, user, steps, (todo.shown_unit,) if todo.shown_unit else ())
        if qs is not None:
            group.total = qs.count()
            for obj in qs.order_by(*todo.order_by)[:limit]:
                state = getattr(obj, d.state_field or "todo_state")
                labels = [t.label for t in steps if state in t.sources and _allowed(name, obj, t, user)]
                if labels:
                    unit = getattr(obj, todo.shown_unit or d.unit_field)
                    dates = todo.deadlines(obj) if todo.deadlines else ()
                    group.records.append(WaitingRecord(obj, str(obj), unit.name, d.state_label(state), labels, todo.link(obj), dates))
        if todo.extra is not None:
            extra = list(todo.extra(user, today))
            group.records += extra
            group.total += len(extra)
        if group.records:
            out.append(group)
    return out
