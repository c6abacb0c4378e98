"""Checks most registers share: no legal date in the future, and dates in procedural order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

# (field being entered, fields of the matter it may not precede — the first one set wins, what to call it)
DateOrder = list[tuple[str, tuple[str, ...], str]]


def date_errors(matter: Any, data: dict[str, Any], order: DateOrder) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for name, value in data.items():
        # one day of grace: a clerk east of the server's clock may enter "tomorrow" near midnight
        if isinstance(value, dt.date) and value > today + dt.timedelta(days=1):
            errors.setdefault(name, []).append("日期不能晚于今天")
    if matter is None:
        return errors
    for field, earlier_fields, what in order:
        value = data.get(field)
        if not value:
            continue
        earlier = next((getattr(matter, f) for f in earlier_fields if getattr(matter, f, None)), None)
        if earlier and value < earlier:
            errors.setdefault(field, []).append(f"不能早于{what}（{earlier:%Y-%m-%d}）")
    return errors
