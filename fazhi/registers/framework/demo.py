"""What every register's demo generator shares: working-day dates and walking a matter."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator
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


# The demo holds two full years: the year before the current one at about the current volume
# (times this share: the ``small`` scale keeps it lighter), so that year-over-year figures compare
# like with like. ``fazhi demo`` sets it for its scale.
_prior_share = [1.0]


@contextlib.contextmanager
def prior_year_share(share: float) -> Iterator[None]:
    _prior_share.append(share)
    try:
        yield
    finally:
        _prior_share.pop()


def prior_share() -> float:
    return _prior_share[-1]


def two_years(rng: random.Random, today: dt.date, n: int, carried: tuple[dt.date, dt.date, int]) -> list[tuple[dt.date, bool]]:
    """The received dates of a register's demo matters, with whether each was carried in.

    ``carried`` is the window (given in the year before the current one, as the registers wrote it
    for one year) and the number of matters received before the demo's first year and carried into
    it; it moves back one year. Then the previous year at about ``n`` times the prior share (a draw
    between 85 % and 110 %, so that the change from year to year is plausible, not nil), then the
    current year up to yesterday: ``n``. The matters of the previous year still open at its end
    are carried into the current one by their own steps."""
    start, end, k = carried
    plans = [(d, True) for d in received_dates(rng, _year_back(start), _year_back(end), k)]
    year = today.year
    n_prior = round(n * prior_share() * rng.uniform(0.85, 1.1))
    plans += [(d, False) for d in received_dates(rng, dt.date(year - 1, 1, 2), dt.date(year - 1, 12, 31), n_prior)]
    plans += [(d, False) for d in received_dates(rng, dt.date(year, 1, 2), today - dt.timedelta(days=1), n)]
    return plans


def _year_back(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


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
