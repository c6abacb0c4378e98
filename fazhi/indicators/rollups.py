"""Keeping the rollups exact: deltas as matters are written, rebuild and check against raw rows."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from fazhi.core.bulkrows import rows_insert
from fazhi.core.pagecache import RECORDS, bump
from fazhi.indicators.catalogue import Measure, all_measures, measures_of, source_model, unit_path
from fazhi.indicators.filters import anchor_expression, contribution, where_q
from fazhi.indicators.models import BuiltMeasure, Rollup
from fazhi.registers.framework.registry import Register

Key = tuple[str, int, dt.date, int]  # measure, unit, day, bucket
Deltas = dict[Key, list[int]]  # -> [count, cents]


def grains(day: dt.date) -> tuple[tuple[str, dt.date], ...]:
    return (("Y", day.replace(month=1, day=1)), ("M", day.replace(day=1)), ("D", day))


def contributions(measures: Iterable[Measure], matter: Any, sign: int, into: Deltas) -> None:
    for m in measures:
        c = contribution(m, matter)
        if c is not None:
            day, bucket, cents = c
            slot = into.setdefault((m.key, matter.unit_id, day, bucket), [0, 0])
            slot[0] += sign
            slot[1] += sign * cents


def points(measures: Iterable[Measure], matter: Any) -> list[tuple[str, dt.date, int, int]]:
    """(measure, day, bucket, cents) of each measure the matter counts in, whatever its unit."""
    out = []
    for m in measures:
        c = contribution(m, matter)
        if c is not None:
            out.append((m.key, *c))
    return out


def on_matters_written(reg: Register, pairs: list[tuple[Any, Any]]) -> None:
    """Write observer of the register services: apply what each write changed."""
    deltas_ready(reg, pairs)()


def deltas_ready(reg: Register, pairs: list[tuple[Any, Any]]) -> Callable[[], None]:
    """What a write of ``pairs`` changes in the rollups, summed per key without touching them;
    returns their application (a bulk write computes the deltas before its transaction)."""
    measures = measures_of(reg.name)
    if not measures:
        return lambda: None
    deltas: Deltas = {}
    for before, after in pairs:
        if before is not None:
            contributions(measures, before, -1, deltas)
        contributions(measures, after, +1, deltas)
    return functools.partial(apply, deltas)


def _expand(deltas: Deltas) -> dict[tuple[str, dt.date, str, int, int], list[int]]:
    rows: dict[tuple[str, dt.date, str, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for (measure, unit, day, bucket), (n, cents) in deltas.items():
        if n == 0 and cents == 0:
            continue
        for grain, start in grains(day):
            slot = rows[(grain, start, measure, unit, bucket)]
            slot[0] += n
            slot[1] += cents
    return rows


def apply(deltas: Deltas, chunk: int = 500) -> None:
    """Add the deltas to the year, month and day rows (insert or increment, in key order)."""
    bump(RECORDS)  # the cached dashboard figures read these rollups
    rows = sorted((k, v) for k, v in _expand(deltas).items() if v != [0, 0])
    if not rows:
        return
    table = Rollup._meta.db_table
    cols = "grain, start, measure, unit_id, bucket, count, cents"
    upsert = (
        f"ON CONFLICT (grain, start, measure, unit_id, bucket) DO UPDATE SET count = {table}.count + excluded.count, cents = {table}.cents + excluded.cents"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > chunk:
            # many rows (a bulk write): COPY into a temporary table and one upsert in key order,
            # instead of multi-row VALUES statements for psycopg to build and the server to parse
            cursor.execute(
                "CREATE TEMPORARY TABLE rollup_delta (grain varchar(1), start date, measure varchar(24), unit_id bigint, bucket integer, "
                "count bigint, cents bigint) ON COMMIT DROP"
            )
            rows_insert("rollup_delta", [c.strip() for c in cols.split(",")], ((*key, n, cents) for key, (n, cents) in rows))
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM rollup_delta ORDER BY grain, start, measure, unit_id, bucket {upsert}")
            cursor.execute("DROP TABLE rollup_delta")
            return
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(part))
            params: list[Any] = []
            for (grain, start, measure, unit, bucket), (n, cents) in part:
                params += [grain, start, measure, unit, bucket, n, cents]
            cursor.execute(f"INSERT INTO {table} ({cols}) VALUES {values} {upsert}", params)


def raw_totals(m: Measure, extra: dict[str, Any] | None = None, *, by_day: bool = True) -> Deltas:
    """The measure computed from the raw rows, by unit, day and bucket (the ORM side);
    ``by_day=False`` adds the days up in the database (the day in the key is then None)."""
    model = source_model(m.register)
    unit = "unit_id" if unit_path(m.register) == "unit" else unit_path(m.register)
    qs = model._default_manager.filter(where_q(m)).annotate(_day=anchor_expression(m)).filter(_day__isnull=False)
    if extra:
        qs = qs.filter(**extra)
    out: Deltas = {}
    if m.since:
        for unit_id, day, since in qs.filter(**{f"{m.since}__isnull": False}).values_list(unit, "_day", m.since).iterator(chunk_size=20000):
            slot = out.setdefault((m.key, unit_id, day, (day - since).days), [0, 0])
            slot[0] += 1
        return out
    agg: dict[str, Any] = {"n": Count("pk")}
    if m.field:
        agg["s"] = Sum(m.field)
    rows: Iterable[Any] = (qs.values(unit, "_day") if by_day else qs.values(unit)).annotate(**agg).order_by()
    for row in rows:
        cents = int(row["s"] * 100) if m.field and row["s"] is not None else 0
        slot = out.setdefault((m.key, row[unit], row.get("_day"), 0), [0, 0])
        slot[0] += row["n"]
        slot[1] += cents
    return out


@transaction.atomic
def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Recompute every rollup from the raw rows."""
    Rollup.objects.all().delete()
    BuiltMeasure.objects.all().delete()
    n = 0
    for m in all_measures().values():
        apply(raw_totals(m), chunk=1000)
        BuiltMeasure.objects.create(key=m.key, register=m.register)
        n += 1
        if progress:
            progress(1)
    return n


@transaction.atomic
def backfill(progress: Callable[[int], None] | None = None) -> list[Measure]:
    """Build the rollups of the measures the catalogue has gained since they were last built
    (run by ``migrate``): each from the raw rows, replacing any partial rows the write observer
    left for it. Returns the measures built."""
    built = set(BuiltMeasure.objects.values_list("key", flat=True))
    missing = [m for key, m in sorted(all_measures().items()) if key not in built]
    for m in missing:
        Rollup.objects.filter(measure=m.key).delete()
        apply(raw_totals(m), chunk=1000)
        BuiltMeasure.objects.create(key=m.key, register=m.register)
        if progress:
            progress(1)
    return missing


def unbuilt(keys: Iterable[str]) -> list[str]:
    """Of these measure keys, those whose rollups were never built."""
    wanted = set(keys)
    return sorted(wanted - set(BuiltMeasure.objects.filter(key__in=wanted).values_list("key", flat=True)))


def check(progress: Callable[[int], None] | None = None) -> list[str]:
    """Compare the stored rollups with the raw rows, at every grain. Returns the differences."""
    problems: list[str] = []
    for m in all_measures().values():
        expected = {k: tuple(v) for k, v in _expand(raw_totals(m)).items() if v != [0, 0]}
        stored = {
            (g, s, m.key, u, b): (n, c)
            for g, s, u, b, n, c in Rollup.objects.filter(measure=m.key).values_list("grain", "start", "unit_id", "bucket", "count", "cents")
            if (n, c) != (0, 0)
        }
        if expected != stored:
            keys = sorted(set(expected) ^ set(stored) | {k for k in expected if k in stored and expected[k] != stored[k]})
            for k in keys[:5]:
                problems.append(f"{m.key}（{m.register}）{k[0]} {k[1]} 单位#{k[3]} 分组{k[4]}：汇总 {stored.get(k)}，原始记录 {expected.get(k)}")
            if len(keys) > 5:
                problems.append(f"{m.key}：另有 {len(keys) - 5} 处不一致")
        if progress:
            progress(1)
    return problems
