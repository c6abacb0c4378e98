"""What every register's demo generator shares: working-day dates and walking a matter."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.types import Actor
from fazhi.law.workdays import current_calendar
from fazhi.registers.framework.models import Matter
from fazhi.registers.framework.services import matter_transition


def workdays_after(day: dt.date, n: int) -> dt.date:
    return current_calendar().nth_workday_after(day, n) if n > 0 else day


def workday_before(day: dt.date) -> dt.date:
    cal = current_calendar()
    while not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def received_dates(rng: random.Random, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """n working days between start and end (inclusive), sorted, drawn with replacement."""
    cal = current_calendar()
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if cal.is_workday(d)]
    return sorted(rng.choice(days) for _ in range(n)) if days else []


def stepper(matter: Matter, today: dt.date) -> Callable[..., bool]:
    """step(transition, actor, day, **data): take the step through the real service unless it lies in the future."""

    def step(name: str, actor: Actor, day: dt.date, **data: Any) -> bool:
        if day > today:
            return False
        matter_transition(matter=matter, transition=name, actor=actor, data=data)
        return True

    return step


def weighted_picker(rng: random.Random, weights: dict[str, int]) -> Callable[[], str]:
    """Each value once first (so every outcome appears in the demo), then by weight."""
    unused = list(weights)

    def pick() -> str:
        return unused.pop(0) if unused else rng.choices(list(weights), list(weights.values()))[0]

    return pick


def department_staff(org: Any) -> dict[Any, tuple[Any, Any]]:
    """(clerk, reviewer) of each district department of the demo organisation."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    by_name = {u.username: u for u in users.filter(username__endswith="_clerk1") | users.filter(username__endswith="_reviewer")}
    out = {}
    for dept in org.departments:
        code = dept.code.lower().replace("-", "_")
        if f"{code}_clerk1" in by_name:
            out[dept] = (by_name[f"{code}_clerk1"], by_name[f"{code}_reviewer"])
    return out
