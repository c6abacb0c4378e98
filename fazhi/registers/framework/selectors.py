"""Reading matters, always within what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fazhi.core.selectors import unit_scope_q, user_scope_paths
from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.models import Matter, MatterEvent
from fazhi.registers.framework.registry import Register, register_of

DUE_SOON_DAYS = 3


def matters_visible_to(user: Any, reg: Register) -> QuerySet[Matter]:
    return reg.model.objects.filter(unit_scope_q(user_scope_paths(user), field="unit__path"))


def matter_get_for(user: Any, reg: Register, pk: int) -> Matter | None:
    return matters_visible_to(user, reg).select_related("unit").filter(pk=pk).first()


def matter_events(matter: Matter) -> QuerySet[MatterEvent]:
    return MatterEvent.objects.filter(register=register_of(matter).name, object_id=matter.pk).select_related("actor").order_by("id")


def transitions_available(user: Any, matter: Matter, *, done: dict[str, int] | None = None) -> list[Transition]:
    """The steps this user may take on this matter now (state and role). ``done``: how many
    times each step was taken, when the caller has read the matter's events already."""
    from fazhi.core.selectors import user_roles_for_unit

    reg = register_of(matter)
    roles = user_roles_for_unit(user, matter.unit)
    out = []
    for t in reg.definition.transitions_from(matter.state):
        if not roles & set(t.roles):
            continue
        if t.max_times is not None and (done.get(t.name, 0) if done is not None else matter_events(matter).filter(transition=t.name).count()) >= t.max_times:
            continue
        # a step that cannot apply to this matter (no 意见书 issued, no review requested) is not offered
        applies = getattr(reg.hooks, "applies", None)
        if applies is not None and not applies(matter, t.name):
            continue
        out.append(t)
    return out


def due_status(due_on: dt.date | None, today: dt.date) -> str:
    """Derived, never stored: overdue / due_today / due_soon / running / ''."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due_today"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "running"


def matter_shows_personal(reg: Register, matter: Matter) -> bool:
    """The record's page shows personal data: a field its register declares personal is filled."""
    return any(getattr(matter, name, None) not in (None, "") for name in reg.definition.personal_data)
