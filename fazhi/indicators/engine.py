"""Computing the catalogue for units and periods, from the rollups or from the raw rows.

A unit's value covers its whole subtree (a district includes its departments and their
sections). ``source="rollup"`` reads the pre-aggregates (what the dashboard and the reports
use); ``source="raw"`` counts the indexed raw rows with the same filters (what the tests and
``fazhi indicators check`` compare it with). Traces always come from the raw rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import Unit
from fazhi.indicators.catalogue import Indicator, Measure, catalogue
from fazhi.indicators.filters import anchor_expression, where_q
from fazhi.indicators.models import Rollup
from fazhi.indicators.rollups import raw_totals
from fazhi.registers.framework.registry import REGISTRY

EPOCH = dt.date(1990, 1, 1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str = ""

    @classmethod
    def year(cls, y: int) -> Period:
        return cls(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年")

    @classmethod
    def quarter(cls, y: int, q: int) -> Period:
        m = 3 * q - 2
        return cls(dt.date(y, m, 1), dt.date(y, m + 2, calendar.monthrange(y, m + 2)[1]), f"{y}年第{q}季度")

    @classmethod
    def month(cls, y: int, m: int) -> Period:
        return cls(dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1]), f"{y}年{m}月")

    def year_before(self) -> Period:
        def back(d: dt.date) -> dt.date:
            return d.replace(year=d.year - 1, day=min(d.day, calendar.monthrange(d.year - 1, d.month)[1]))

        return Period(back(self.start), back(self.end), f"上年同期（{back(self.start)} 至 {back(self.end)}）")


def cover(a: dt.date, b: dt.date) -> list[tuple[str, dt.date]]:
    """The fewest year, month and day rows that cover [a, b] exactly."""
    out: list[tuple[str, dt.date]] = []
    d = a
    while d <= b:
        if d.month == 1 and d.day == 1 and dt.date(d.year, 12, 31) <= b:
            out.append(("Y", d))
            d = dt.date(d.year + 1, 1, 1)
        elif d.day == 1 and dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1]) <= b:
            out.append(("M", d))
            d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        else:
            out.append(("D", d))
            d += dt.timedelta(days=1)
    return out


@dataclass
class Value:
    """One indicator for one unit and period. ``records`` is how many matters stand behind it
    (the denominator for shares): zero means "no records", not a result of 0."""

    value: decimal.Decimal | int | None
    numerator: int | decimal.Decimal | None = None
    denominator: int | None = None
    records: int = 0
    small: bool = False  # a share over fewer records than the indicator's minimum
    previous: decimal.Decimal | int | None = None  # yoy
    change: decimal.Decimal | None = None  # yoy, per cent

    def as_dict(self) -> dict[str, Any]:
        def j(v: Any) -> Any:
            return str(v) if isinstance(v, decimal.Decimal) else v

        return {k: j(v) for k, v in self.__dict__.items()}


Totals = dict[tuple[str, int, int], list[int]]  # (measure, unit, bucket) -> [count, cents]


def _fetch_rollups(measures: Iterable[Measure], a: dt.date, b: dt.date) -> Totals:
    segments = cover(a, b)
    by_grain: dict[str, list[dt.date]] = defaultdict(list)
    for g, s in segments:
        by_grain[g].append(s)
    q = Q()
    for g, starts in by_grain.items():
        q |= Q(grain=g, start__in=starts)
    out: Totals = {}
    keys = sorted({m.key for m in measures})
    if not keys or not segments:
        return out
    rows = Rollup.objects.filter(q, measure__in=keys).values_list("measure", "unit_id", "bucket", "count", "cents")
    for measure, unit, bucket, n, cents in rows.iterator(chunk_size=20000):
        slot = out.get((measure, unit, bucket))
        if slot is None:
            out[(measure, unit, bucket)] = [n, cents]
        else:
            slot[0] += n
            slot[1] += cents
    return out


def _fetch_raw(measures: Iterable[Measure], a: dt.date, b: dt.date) -> Totals:
    out: Totals = {}
    for m in {m.key: m for m in measures}.values():
        for (key, unit, _day, bucket), (n, cents) in raw_totals(m, {"_day__gte": a, "_day__lte": b}).items():
            slot = out.setdefault((key, unit, bucket), [0, 0])
            slot[0] += n
            slot[1] += cents
    return out


class Tree:
    """Units and their ancestors, to add each unit's own totals into every unit above it."""

    def __init__(self) -> None:
        rows = list(Unit.objects.values_list("pk", "path"))
        by_path = {path: pk for pk, path in rows}
        self.ancestors: dict[int, list[int]] = {}
        for pk, path in rows:
            parts = path.split(".")[:-1]
            self.ancestors[pk] = [by_path[".".join(parts[: i + 1]) + "."] for i in range(len(parts))]

    def subtree_totals(self, totals: Totals) -> dict[tuple[str, int, int], list[int]]:
        out: dict[tuple[str, int, int], list[int]] = {}
        for (measure, unit, bucket), (n, cents) in totals.items():
            for anc in self.ancestors.get(unit, [unit]):
                slot = out.get((measure, anc, bucket))
                if slot is None:
                    out[(measure, anc, bucket)] = [n, cents]
                else:
                    slot[0] += n
                    slot[1] += cents
        return out


def _median(hist: list[tuple[int, int]]) -> decimal.Decimal | None:
    n = sum(c for _, c in hist)
    if n == 0:
        return None
    hist.sort()
    lo_rank, hi_rank = (n - 1) // 2, n // 2
    seen, lo, hi = 0, None, None
    for value, c in hist:
        if lo is None and seen + c > lo_rank:
            lo = value
        if seen + c > hi_rank:
            hi = value
            break
        seen += c
    assert lo is not None and hi is not None
    return decimal.Decimal(lo + hi) / 2


def _share(num: int, den: int) -> decimal.Decimal | None:
    if den == 0:
        return None
    return (decimal.Decimal(num) * 100 / den).quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


class Computation:
    """The catalogue (or part of it) for every unit, over one period."""

    def __init__(self, period: Period, codes: Iterable[str] | None = None, *, source: str = "rollup", tree: Tree | None = None) -> None:
        cat = catalogue()
        self.period = period
        self.indicators = [cat[c] for c in codes] if codes is not None else list(cat.values())
        self.source = source
        self.tree = tree or Tree()
        need = {ind.code: ind for ind in self.indicators}
        for ind in self.indicators:
            if ind.type == "yoy":
                need[ind.of] = cat[ind.of]
        self._all = list(need.values())
        self._cache: dict[tuple[dt.date, dt.date, str], dict[tuple[str, int, int], list[int]]] = {}

    def _totals(self, a: dt.date, b: dt.date, kind: str) -> dict[tuple[str, int, int], list[int]]:
        key = (a, b, kind)
        if key not in self._cache:
            measures = [m for ind in self._all if ind.type != "yoy" and (ind.type == "open_at") == (kind == "open") for m in ind.measures.values()]
            fetch = _fetch_rollups if self.source == "rollup" else _fetch_raw
            self._cache[key] = self.tree.subtree_totals(fetch(measures, a, b))
        return self._cache[key]

    def _hist(self, totals: dict[tuple[str, int, int], list[int]]) -> dict[tuple[str, int], list[tuple[int, int]]]:
        out: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for (measure, unit, bucket), (n, _c) in totals.items():
            out[(measure, unit)].append((bucket, n))
        return out

    def values(self, units: Iterable[int]) -> dict[str, dict[int, Value]]:
        units = list(units)
        p = self.period
        out: dict[str, dict[int, Value]] = {}
        results = self._values(p, units)
        prev: dict[str, dict[int, Value]] | None = None
        for ind in self.indicators:
            if ind.type != "yoy":
                out[ind.code] = results[ind.of or ind.code]
                continue
            if prev is None:
                prev = self._values(p.year_before(), units)
            now, before = results[ind.of], prev[ind.of]
            out[ind.code] = {}
            for u in units:
                cur, old = now[u], before[u]
                change = None
                if isinstance(cur.value, int | decimal.Decimal) and isinstance(old.value, int | decimal.Decimal) and old.value:
                    change = (decimal.Decimal(cur.value - old.value) * 100 / decimal.Decimal(old.value)).quantize(decimal.Decimal("0.1"))
                out[ind.code][u] = Value(cur.value, records=cur.records + old.records, previous=old.value, change=change)
        return out

    def _values(self, p: Period, units: list[int]) -> dict[str, dict[int, Value]]:
        flows = self._totals(p.start, p.end, "flow")
        hists = self._hist(flows)
        out: dict[str, dict[int, Value]] = {}
        for ind in self._all:
            if ind.type == "yoy":
                continue
            res: dict[int, Value] = {}
            for u in units:
                res[u] = self._one(ind, u, flows, hists, p)
            out[ind.code] = res
        return out

    def _one(self, ind: Indicator, u: int, flows: Any, hists: Any, p: Period) -> Value:
        m = ind.measures
        if ind.type == "count":
            n = flows.get((m["value"].key, u, 0), [0, 0])[0]
            return Value(n, records=n)
        if ind.type == "sum":
            n, cents = flows.get((m["value"].key, u, 0), [0, 0])
            return Value(decimal.Decimal(cents) / 100, records=n)
        if ind.type in ("ratio", "on_time"):
            num = flows.get((m["numerator"].key, u, 0), [0, 0])[0]
            den = flows.get((m["denominator"].key, u, 0), [0, 0])[0]
            return Value(_share(num, den), numerator=num, denominator=den, records=den, small=0 < den < ind.min_denominator)
        if ind.type == "median_days":
            hist = list(hists.get((m["value"].key, u), []))
            return Value(_median(hist), records=sum(c for _, c in hist))
        if ind.type == "open_at":
            day = p.start - dt.timedelta(days=1) if ind.at == "start" else p.end
            totals = self._totals(EPOCH, day, "open")
            entered = totals.get((m["entered"].key, u, 0), [0, 0])[0]
            left = totals.get((m["left"].key, u, 0), [0, 0])[0]
            return Value(entered - left, records=entered - left)
        raise ValueError(ind.type)


def compute(units: Iterable[Unit], period: Period, codes: Iterable[str] | None = None, *, source: str = "rollup") -> dict[str, dict[int, Value]]:
    return Computation(period, codes, source=source).values([u.pk for u in units])


# -- traces ---------------------------------------------------------------------------------


def _in_subtree(qs: QuerySet[Any], unit: Unit) -> QuerySet[Any]:
    return qs.filter(unit__path__startswith=unit.path)


def trace(ind: Indicator, unit: Unit, period: Period) -> dict[str, QuerySet[Any]]:
    """The raw rows behind one value: role (numerator, denominator, value...) -> queryset."""
    if ind.type == "yoy":
        return trace(catalogue()[ind.of], unit, period)
    out: dict[str, QuerySet[Any]] = {}
    model = REGISTRY[ind.register].model
    if ind.type == "open_at":
        day = period.start if ind.at == "start" else period.end + dt.timedelta(days=1)
        entered, left = ind.measures["entered"], ind.measures["left"]
        open_qs: QuerySet[Any] = model.objects.filter(where_q(entered), received_on__lt=day).annotate(_left=anchor_expression(left))
        out["value"] = _in_subtree(open_qs.filter(Q(_left__isnull=True) | Q(_left__gte=day)), unit)
        return out
    for role, m in ind.measures.items():
        qs: QuerySet[Any] = model.objects.filter(where_q(m)).annotate(_day=anchor_expression(m)).filter(_day__gte=period.start, _day__lte=period.end)
        if m.since:
            qs = qs.filter(**{f"{m.since}__isnull": False})
        out[role] = _in_subtree(qs, unit)
    return out
