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

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet, Sum

from fazhi.core.errors import DefinitionError
from fazhi.core.models import Unit
from fazhi.indicators.catalogue import Indicator, Measure, catalogue, is_table, source_model, unit_path
from fazhi.indicators.filters import anchor_expression, where_q
from fazhi.indicators.models import Rollup
from fazhi.indicators.rollups import raw_totals, unbuilt

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


@dataclass(frozen=True)
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


YOY_SMALL_BASE = "上年基数过小，不宜比较"
YOY_OUT_OF_RANGE = "变化幅度过大，不宜直接比较"


def yoy_caution(value: Value) -> str:
    """Why a year-over-year change should not be printed bare ("" when it reads as it is): a
    previous value under FAZHI_YOY_MIN_PREVIOUS, or a change beyond FAZHI_YOY_MAX_CHANGE per cent.
    The dashboard and the reports then show both values with this note."""
    if value.change is None or value.previous is None:
        return ""
    if value.previous < settings.FAZHI_YOY_MIN_PREVIOUS:
        return YOY_SMALL_BASE
    if abs(value.change) > settings.FAZHI_YOY_MAX_CHANGE:
        return YOY_OUT_OF_RANGE
    return ""


Totals = dict[tuple[str, int, int], list[int]]  # (measure, unit, bucket) -> [count, cents]
Columns = dict[tuple[str, int], dict[int, list[int]]]  # (measure, bucket) -> unit -> [count, cents] of its subtree


def _fetch_rollups(measures: Iterable[Measure], a: dt.date, b: dt.date, within: Unit | None = None) -> Totals:
    segments = cover(a, b)
    keys = sorted({m.key for m in measures})
    if not keys or not segments:
        return {}
    by_grain: dict[str, list[dt.date]] = defaultdict(list)
    for g, s in segments:
        by_grain[g].append(s)
    q = Q()
    for g, starts in by_grain.items():
        q |= Q(grain=g, start__in=starts)
    base = Rollup.objects.filter(q, measure__in=keys)
    if within is not None:
        base = base.filter(unit__path__startswith=within.path)
    qs: QuerySet[Any, Any]
    if len(segments) > 1:
        qs = base.values("measure", "unit_id", "bucket").annotate(total_n=Sum("count"), total_c=Sum("cents")).order_by()
        qs = qs.values_list("measure", "unit_id", "bucket", "total_n", "total_c")
    else:
        qs = base.values_list("measure", "unit_id", "bucket", "count", "cents")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # one row per key: a single segment is unique by the rollup key, several are grouped
    # (PostgreSQL's SUM of a bigint is a numeric: back to int)
    if len(segments) > 1:
        return {(measure, unit, bucket): [int(n), int(cents)] for measure, unit, bucket, n, cents in rows}
    return {(measure, unit, bucket): [n, cents] for measure, unit, bucket, n, cents in rows}


def _fetch_raw(measures: Iterable[Measure], a: dt.date, b: dt.date, within: Unit | None = None) -> Totals:
    out: Totals = {}
    for m in {m.key: m for m in measures}.values():
        extra: dict[str, Any] = {"_day__gte": a, "_day__lte": b}
        if within is not None:
            extra[f"{unit_path(m.register)}__path__startswith"] = within.path
        for (key, unit, _day, bucket), (n, cents) in raw_totals(m, extra, by_day=False).items():
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

    def subtree_totals(self, totals: Totals) -> Columns:
        """Each (measure, bucket) as a column: unit -> [count, cents] of the unit's whole subtree."""
        out: Columns = {}
        ancestors = self.ancestors
        for (measure, unit, bucket), (n, cents) in totals.items():
            col = out.get((measure, bucket))
            if col is None:
                col = out[(measure, bucket)] = {}
            for anc in ancestors.get(unit, (unit,)):
                slot = col.get(anc)
                if slot is None:
                    col[anc] = [n, cents]
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


def overdue_open(ind: Indicator, period: Period, within: Unit | None = None) -> QuerySet[Any]:
    """An on-time share's matters that were still open at the end of the period (or today, for a
    period not yet over) with their deadline already passed: they count as not on time (in the
    denominator, not in the numerator), or a share of the matters decided would read 100 % while
    cases lie overdue. Two kinds: those whose clock still runs now, due before that day (the due
    date the row caches, for its earliest running deadline); and, for a past period, those
    decided late after its end whose due date (recomputed from their events) fell before it.
    The first kind is read from the due date the row caches when it is this clock's (the earliest
    running deadline); when an earlier deadline of another clock is cached (a 复议 case waiting for
    the copy to the respondent), this clock's due date is recomputed from the events."""
    from django.utils import timezone

    from fazhi.law.workdays import current_calendar
    from fazhi.registers.framework.clocks import events_of, matter_last_dues
    from fazhi.registers.framework.registry import REGISTRY

    m = ind.measures["denominator"]
    rules = list(m.where_dict["deadline"]["rules"])
    model = source_model(ind.register)
    cut = min(period.end + dt.timedelta(days=1), timezone.localdate())  # due before this day, not done by then
    base = model._default_manager.filter(where_q(m, skip=("deadline",)), received_on__lt=cut)
    if within is not None:
        base = _in_subtree(base, within, ind.register)
    ids = set(base.filter(due_rule__in=rules, due_on__lt=cut).values_list("pk", flat=True))
    stopped = Q()
    for rule in rules:
        stopped |= Q(deadlines__has_key=rule)
    late = Q()
    for rule in rules:
        late |= Q(**{f"deadlines__{rule}": "late"})
    # the due dates recomputed from the events: every matter's events in a few queries, not one each
    walked = [
        *base.filter(due_on__lt=cut).exclude(due_rule__in=rules).exclude(stopped),
        *base.filter(late).annotate(_day=anchor_expression(m)).filter(_day__gte=cut),
    ]
    if walked:
        reg, cal = REGISTRY[ind.register], current_calendar()
        events = events_of(reg.name, {matter.pk for matter in walked})
        for matter in walked:
            dues = matter_last_dues(matter, events[matter.pk], reg=reg, cal=cal)
            if any((due := dues.get(rule)) is not None and due < cut for rule in rules):
                ids.add(matter.pk)
    return model._default_manager.filter(pk__in=ids)


def _share(num: int, den: int) -> decimal.Decimal | None:
    if den == 0:
        return None
    return (decimal.Decimal(num) * 100 / den).quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


class Computation:
    """The catalogue (or part of it) for every unit, over one period."""

    def __init__(
        self, period: Period, codes: Iterable[str] | None = None, *, source: str = "rollup", tree: Tree | None = None, within: Unit | None = None
    ) -> None:
        """``within``: only that unit's subtree is read (values of units outside it are not computed)."""
        self.within = within
        cat = catalogue()
        self.period = period
        self.indicators = [cat[c] for c in codes] if codes is not None else list(cat.values())
        self.source = source
        self.tree = tree or Tree()
        need = {ind.code: ind for ind in self.indicators if ind.type != "yoy"}
        for ind in self.indicators:
            if ind.type == "yoy":
                need[ind.of] = cat[ind.of]
        self._base = list(need.values())
        self._of = list({ind.of: cat[ind.of] for ind in self.indicators if ind.type == "yoy"}.values())
        self._cache: dict[tuple[dt.date, dt.date, str, tuple[str, ...]], Columns] = {}
        # the open overdue matters of each on-time share computed, by (code, period): a trace of the
        # value computed here takes them from here rather than reading them again (``trace(overdue=)``)
        self.overdue: dict[tuple[str, Period], QuerySet[Any]] = {}

    def _totals(self, a: dt.date, b: dt.date, kind: str, indicators: list[Indicator]) -> Columns:
        """Subtree totals of the measures of ``indicators`` (flows, or the open_at counts)."""
        measures = sorted({m.key: m for ind in indicators if (ind.type == "open_at") == (kind == "open") for m in ind.measures.values()}.items())
        key = (a, b, kind, tuple(k for k, _ in measures))
        if key not in self._cache:
            kept = [m for _, m in measures if not is_table(m.register)]
            rows = [m for _, m in measures if is_table(m.register)]  # tables have no rollups
            if self.source == "rollup":
                missing = unbuilt(m.key for m in kept)
                if missing:
                    raise DefinitionError(f"指标目录新增的 {len(missing)} 个统计口径尚未生成汇总，请运行 manage.py migrate 或 fazhi indicators rebuild")
                totals = _fetch_rollups(kept, a, b, self.within)
                totals.update(_fetch_raw(rows, a, b, self.within))
            else:
                totals = _fetch_raw(kept + rows, a, b, self.within)
            self._cache[key] = self.tree.subtree_totals(totals)
        return self._cache[key]

    def values(self, units: Iterable[int]) -> dict[str, dict[int, Value]]:
        units = list(units)
        p = self.period
        results = self._values(p, self._base, units)
        prev = self._values(p.year_before(), self._of, units) if self._of else {}
        out: dict[str, dict[int, Value]] = {}
        for ind in self.indicators:
            if ind.type != "yoy":
                out[ind.code] = results[ind.code]
                continue
            now, before = results[ind.of], prev[ind.of]
            column: dict[int, Value] = {}
            shared: dict[tuple[int, int], Value] = {}  # units without records either year share a value
            for u in units:
                cur, old = now[u], before[u]
                idle = cur.records == 0 and old.records == 0
                if idle and (id(cur), id(old)) in shared:
                    column[u] = shared[(id(cur), id(old))]
                    continue
                change = None
                if isinstance(cur.value, int | decimal.Decimal) and isinstance(old.value, int | decimal.Decimal) and old.value:
                    change = (decimal.Decimal(cur.value - old.value) * 100 / decimal.Decimal(old.value)).quantize(decimal.Decimal("0.1"))
                column[u] = Value(cur.value, records=cur.records + old.records, previous=old.value, change=change)
                if idle:
                    shared[(id(cur), id(old))] = column[u]
            out[ind.code] = column
        return out

    def _with_overdue(self, ind: Indicator, p: Period, dens: dict[int, list[int]]) -> dict[int, list[int]]:
        """The denominators of an on-time share (subtree totals) plus its open overdue matters."""
        own: Totals = {}
        overdue = self.overdue[(ind.code, p)] = overdue_open(ind, p, self.within)
        for unit_id in overdue.values_list("unit_id", flat=True):
            slot = own.setdefault(("overdue", unit_id, 0), [0, 0])
            slot[0] += 1
        if not own:
            return dens
        out = {u: [n, c] for u, (n, c) in dens.items()}
        for u, (n, _c) in self.tree.subtree_totals(own)[("overdue", 0)].items():
            out.setdefault(u, [0, 0])[0] += n
        return out

    def _values(self, p: Period, indicators: list[Indicator], units: list[int]) -> dict[str, dict[int, Value]]:
        """Each indicator for each unit; only units with records get their own Value (the others
        share one per indicator), so the cost follows the data, not units x indicators."""
        flows = self._totals(p.start, p.end, "flow", indicators)
        wanted = set(units)
        out: dict[str, dict[int, Value]] = {}
        none: dict[int, list[int]] = {}

        def column(key: str) -> dict[int, list[int]]:
            return flows.get((key, 0), none)

        for ind in indicators:
            m = ind.measures
            if ind.type in ("count", "sum"):
                counting = ind.type == "count"
                res = dict.fromkeys(units, Value(0 if counting else decimal.Decimal(0)))
                for u, (n, cents) in column(m["value"].key).items():
                    if u in wanted and (n or cents):
                        res[u] = Value(n if counting else decimal.Decimal(cents) / 100, records=n)
            elif ind.type == "mean":
                res = dict.fromkeys(units, Value(None))
                for u, (n, cents) in column(m["value"].key).items():
                    if u in wanted and n:
                        res[u] = Value((decimal.Decimal(cents) / 100 / n).quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP), records=n)
            elif ind.type in ("ratio", "on_time"):
                least = ind.min_denominator
                res = dict.fromkeys(units, Value(None, numerator=0, denominator=0))
                nums, dens = column(m["numerator"].key), column(m["denominator"].key)
                if ind.type == "on_time":  # the open overdue matters count as late
                    dens = self._with_overdue(ind, p, dens)
                for u in wanted & (nums.keys() | dens.keys()):
                    num, den = nums.get(u, (0, 0))[0], dens.get(u, (0, 0))[0]
                    if num or den:
                        res[u] = Value(_share(num, den), numerator=num, denominator=den, records=den, small=0 < den < least)
            elif ind.type == "median_days":
                key = m["value"].key
                hists: dict[int, list[tuple[int, int]]] = defaultdict(list)
                for (measure, bucket), col in flows.items():
                    if measure == key:
                        for u, (n, _c) in col.items():
                            if u in wanted:
                                hists[u].append((bucket, n))
                res = dict.fromkeys(units, Value(None))
                for u, hist in hists.items():
                    res[u] = Value(_median(hist), records=sum(c for _, c in hist))
            elif ind.type == "open_at":
                day = p.start - dt.timedelta(days=1) if ind.at == "start" else p.end
                totals = self._totals(EPOCH, day, "open", indicators)
                entered, left = totals.get((m["entered"].key, 0), none), totals.get((m["left"].key, 0), none)
                res = dict.fromkeys(units, Value(0))
                for u in wanted & entered.keys():
                    n = entered[u][0] - left.get(u, (0, 0))[0]
                    if n:
                        res[u] = Value(n, records=n)
            else:
                raise ValueError(ind.type)
            out[ind.code] = res
        return out


def compute(units: Iterable[Unit], period: Period, codes: Iterable[str] | None = None, *, source: str = "rollup") -> dict[str, dict[int, Value]]:
    return Computation(period, codes, source=source).values([u.pk for u in units])


# -- traces ---------------------------------------------------------------------------------


def _in_subtree(qs: QuerySet[Any], unit: Unit, source: str) -> QuerySet[Any]:
    """The rows of ``qs`` in the unit's subtree, named by their unit ids (one small query on the
    units) rather than by a join on the unit's path: SQLite then starts from the rows' unit index
    (a department's 700 cases, not the register's 23,000 through its ``kind`` index and a unit
    lookup per row: 15 ms -> 1 ms a query on the district demo). PostgreSQL can read the same rows
    through the same unit index either way (the city dataset's trace page: p95 190 -> 130 ms, bench/results/pages.txt)."""
    units = Unit.objects.values_list("pk", "path")
    ids = [pk for pk, path in units if path.startswith(unit.path)]
    if connection.vendor == "sqlite" and unit_path(source) == "unit" and 2 * len(ids) < len(units):
        # SQLite still prefers the index of the indicator's kind (``kind = ?``) over ``unit_id IN`` several
        # units; the rows' ids read through the unit index first leave it only the primary key to search.
        # Not for a subtree of most units (the district), whose rows are most of the register's.
        return qs.filter(pk__in=qs.model._default_manager.filter(unit_id__in=ids).values("pk"))
    return qs.filter(**{f"{unit_path(source)}__in": ids})


def trace(ind: Indicator, unit: Unit, period: Period, overdue: QuerySet[Any] | None = None) -> dict[str, QuerySet[Any]]:
    """The raw rows behind one value: role (numerator, denominator, value...) -> queryset.
    ``overdue``: an on-time share's open overdue matters as ``overdue_open(ind, period, unit)`` gave
    them (``Computation.overdue`` of the value traced), not read again."""
    if ind.type == "yoy":
        return trace(catalogue()[ind.of], unit, period, overdue)
    out: dict[str, QuerySet[Any]] = {}
    model = source_model(ind.register)
    if ind.type == "open_at":
        day = period.start if ind.at == "start" else period.end + dt.timedelta(days=1)
        entered, left = ind.measures["entered"], ind.measures["left"]
        open_qs: QuerySet[Any] = (
            model._default_manager.filter(where_q(entered))
            .annotate(_entered=anchor_expression(entered), _left=anchor_expression(left))
            .filter(_entered__lt=day)
        )
        out["value"] = _in_subtree(open_qs.filter(Q(_left__isnull=True) | Q(_left__gte=day)), unit, ind.register)
        return out
    for role, m in ind.measures.items():
        qs: QuerySet[Any] = model._default_manager.filter(where_q(m)).annotate(_day=anchor_expression(m)).filter(_day__gte=period.start, _day__lte=period.end)
        if m.since:
            qs = qs.filter(**{f"{m.since}__isnull": False})
        out[role] = _in_subtree(qs, unit, ind.register)
    if ind.type == "on_time":
        if overdue is None:
            overdue = overdue_open(ind, period, unit)
        # one WHERE (the measure's conditions OR the overdue ids), not an OR of two ``id IN (subquery)``:
        # PostgreSQL answers that by scanning the whole table (3 s a query on the city's 6 million cases)
        out["denominator"] = out["denominator"] | overdue
        out["overdue"] = overdue
    return out
