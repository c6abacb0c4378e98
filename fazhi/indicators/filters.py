"""One filter language, two evaluations: ORM ``Q`` for raw rows, Python for one matter.

Both must agree on every row (``fazhi indicators check`` and the tests compare rollups built
by the Python side with counts made by the ORM side). NULL follows SQL through Django: a
comparison with a missing value is false; ``not`` / ``not_in`` keep missing values (Django's
``exclude`` does the same).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db.models import DateField, DecimalField, Expression, F, Q
from django.db.models.functions import Coalesce, Least

from fazhi.indicators.catalogue import Measure, source_model
from fazhi.registers.framework.registry import REGISTRY


def _coerce(model: Any, name: str, value: Any) -> Any:
    from fazhi.indicators.tables import resolve

    f = resolve(model, name)
    if value is None:
        return None
    if isinstance(f, DecimalField) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    if isinstance(f, DateField) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _outcomes(register: str, groups: Any) -> list[str]:
    wanted = groups if isinstance(groups, list) else [groups]
    return [o.code for o in REGISTRY[register].definition.outcomes.values() if o.group in wanted]


def where_q(m: Measure, skip: Iterable[str] = ()) -> Q:
    """The measure's filter as a ``Q`` (``skip``: where-keys left out)."""
    model = source_model(m.register)
    q = Q()
    for key, cond in m.where_dict.items():
        if key in skip:
            continue
        if key == "outcome_group":
            q &= Q(**{f"{REGISTRY[m.register].definition.outcome_field}__in": _outcomes(m.register, cond)})
        elif key == "deadline":
            any_rule = Q()
            for rule in cond["rules"]:
                any_rule |= Q(**{f"deadlines__{rule}__in": list(cond["in"])})
            q &= any_rule
        elif isinstance(cond, list):
            q &= Q(**{f"{key}__in": [_coerce(model, key, v) for v in cond]})
        elif isinstance(cond, dict):
            for op, v in cond.items():
                if op == "not":
                    q &= ~Q(**{key: _coerce(model, key, v)})
                elif op == "in":
                    q &= Q(**{f"{key}__in": [_coerce(model, key, x) for x in v]})
                elif op == "not_in":
                    q &= ~Q(**{f"{key}__in": [_coerce(model, key, x) for x in v]})
                elif op == "isnull":
                    q &= Q(**{f"{key}__isnull": bool(v)})
                else:
                    q &= Q(**{f"{key}__{op}": _coerce(model, key, v)})
        else:
            q &= Q(**{key: _coerce(model, key, cond)})
    return q


def anchor_expression(m: Measure) -> Expression | F:
    """The day a matter counts on: the date field, or the earliest filled of several."""
    if len(m.date) == 1:
        return F(m.date[0])
    fields = list(m.date)
    return Least(*[Coalesce(*[F(f) for f in fields[i:] + fields[:i]], output_field=DateField()) for i in range(len(fields))])


def matches(m: Measure, matter: Any) -> bool:
    model = type(matter)
    for key, cond in m.where_dict.items():
        if key == "outcome_group":
            if getattr(matter, REGISTRY[m.register].definition.outcome_field or "") not in _outcomes(m.register, cond):
                return False
            continue
        if key == "deadline":
            kept = matter.deadlines or {}
            if not any(kept.get(rule) in cond["in"] for rule in cond["rules"]):
                return False
            continue
        value = getattr(matter, model._meta.get_field(key).attname)
        if isinstance(cond, list):
            if value not in [_coerce(model, key, v) for v in cond]:
                return False
        elif isinstance(cond, dict):
            for op, v in cond.items():
                target = _coerce(model, key, v) if op not in ("in", "not_in", "isnull") else v
                if op == "not" and value == target:
                    return False
                if op == "in" and value not in [_coerce(model, key, x) for x in v]:
                    return False
                if op == "not_in" and value in [_coerce(model, key, x) for x in v]:
                    return False
                if op == "isnull" and (value is None) != bool(v):
                    return False
                if op in ("gte", "lte", "gt", "lt"):
                    if value is None:
                        return False
                    ok = {"gte": value >= target, "lte": value <= target, "gt": value > target, "lt": value < target}[op]
                    if not ok:
                        return False
        elif value != _coerce(model, key, cond):
            return False
    return True


def anchor(m: Measure, matter: Any) -> dt.date | None:
    days = [d for d in (getattr(matter, f) for f in m.date) if d is not None]
    return min(days) if days else None


def contribution(m: Measure, matter: Any) -> tuple[dt.date, int, int] | None:
    """(day, bucket, cents) of this matter in the measure, or None when it does not count.
    ``bucket`` is the number of days since ``since`` for histograms, else 0."""
    day = anchor(m, matter)
    if day is None or not matches(m, matter):
        return None
    bucket = 0
    if m.since:
        start = getattr(matter, m.since)
        if start is None:
            return None
        bucket = (day - start).days
    cents = 0
    if m.field:
        value = getattr(matter, m.field)
        cents = int(decimal.Decimal(value or 0) * 100)
    return day, bucket, cents
