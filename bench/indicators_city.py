"""The whole indicator catalogue for every unit for one year, from the rollups (issue 6's target:
at most 0.3 s on PostgreSQL on the city-scale dataset of bench/city_build.sh), and, with
``--baselines``, 14 of the enforcement register's indicators (over the 6 million cases)
computed side by side by the rollups, pandas, DuckDB in memory and a plain PostgreSQL GROUP BY
with conditional aggregates, over the same rows; the four must agree value for value.

    bash scripts/setup-env requirements-bench.txt     # pandas, DuckDB (benchmarks only)
    DATABASE_URL=postgres://postgres@127.0.0.1:54330/fazhi .venv/bin/python bench/indicators_city.py [--year 2025] [--runs 5] [--baselines]

Loading the rows into pandas / DuckDB is timed apart: the baselines are timed on data already
in memory, as the issue's reference figures are.
"""

from __future__ import annotations

import argparse
import decimal
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from fazhi.core.models import Unit  # noqa: E402
from fazhi.indicators.catalogue import catalogue  # noqa: E402
from fazhi.indicators.engine import Computation, Period, Tree  # noqa: E402
from fazhi.indicators.models import Rollup  # noqa: E402
from fazhi.registers.enforcement.models import EnforcementCase  # noqa: E402

# the enforcement indicators the baselines compute by hand (the columns of from_engine)
ENFORCEMENT = [
    "zf.cases",
    "zf.cases.yoy",
    "zf.penalty",
    "zf.licence",
    "zf.coercion",
    "zf.inspection",
    "zf.decided",
    "zf.fines",
    "zf.legal_review",
    "zf.hearings",
    "zf.publicity_on_time",
    "zf.on_time_rate",
    "zf.carried_out",
    "zf.median_days",
]


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def report(label: str, times: list[float]) -> str:
    return f"{label:<44} best {min(times):.3f} s  median {statistics.median(times):.3f} s"


# -- the enforcement indicators, by hand, for the baselines -------------------------------------


def _rules(code: str) -> list[str]:
    return list(catalogue()[code].measures["numerator"].where_dict["deadline"]["rules"])


def _any_kept(rules: list[str], states: str) -> str:
    return "(" + " OR ".join(f"deadlines->>'{r}' IN ({states})" for r in rules) + ")"


def load_sql() -> str:
    """The columns the baselines need, one row per case (the deadlines JSON pre-evaluated)."""
    pub, dec = _rules("zf.publicity_on_time"), _rules("zf.on_time_rate")
    return f"""SELECT unit_id, kind, received_on, decided_on, closed_on, reviewed_on, hearing_held_on, published_on,
      review_result = 'passed' AS review_passed, outcome = 'penalty_imposed' AS imposed,
      COALESCE(ROUND(fine_amount * 100), 0)::bigint AS cents,
      {_any_kept(pub, "'met'")} AS pub_met, {_any_kept(pub, "'met','late'")} AS pub_ran,
      {_any_kept(dec, "'met'")} AS dec_met, {_any_kept(dec, "'met','late'")} AS dec_ran
    FROM {EnforcementCase._meta.db_table}"""


def group_sql(source: str, a: str, b: str, pa: str, pb: str, median: str) -> str:
    """Every enforcement indicator for every unit subtree, conditional aggregates per unit, then
    summed into the ancestors (table ``anc``: unit_id, anc_id); medians over the rows."""

    def span(col: str, lo: str = a, hi: str = b) -> str:
        return f"{col} BETWEEN DATE '{lo}' AND DATE '{hi}'"

    return f"""
    WITH per_unit AS (
      SELECT unit_id,
        count(*) FILTER (WHERE {span("received_on")}) AS cases,
        count(*) FILTER (WHERE {span("received_on", pa, pb)}) AS cases_prev,
        count(*) FILTER (WHERE kind = 'penalty' AND {span("received_on")}) AS penalty,
        count(*) FILTER (WHERE kind = 'licence' AND {span("received_on")}) AS licence,
        count(*) FILTER (WHERE kind = 'coercion' AND {span("received_on")}) AS coercion,
        count(*) FILTER (WHERE kind = 'inspection' AND {span("received_on")}) AS inspection,
        count(*) FILTER (WHERE {span("decided_on")}) AS decided,
        coalesce(sum(cents) FILTER (WHERE imposed AND {span("decided_on")}), 0) AS fines,
        count(*) FILTER (WHERE review_passed AND {span("reviewed_on")}) AS reviewed,
        count(*) FILTER (WHERE {span("hearing_held_on")}) AS hearings,
        count(*) FILTER (WHERE pub_met AND kind IN ('penalty', 'licence') AND {span("published_on")}) AS pub_met,
        count(*) FILTER (WHERE pub_ran AND kind IN ('penalty', 'licence') AND {span("published_on")}) AS pub_ran,
        count(*) FILTER (WHERE dec_met AND kind = 'penalty' AND {span("decided_on")}) AS dec_met,
        count(*) FILTER (WHERE dec_ran AND kind = 'penalty' AND {span("decided_on")}) AS dec_ran,
        count(*) FILTER (WHERE received_on <= DATE '{b}' AND (least(decided_on, closed_on) IS NULL OR least(decided_on, closed_on) > DATE '{b}')) AS open_end
      FROM {source} GROUP BY unit_id)
    SELECT anc_id, sum(cases), sum(cases_prev), sum(penalty), sum(licence), sum(coercion), sum(inspection), sum(decided),
      sum(fines), sum(reviewed), sum(hearings), sum(pub_met), sum(pub_ran), sum(dec_met), sum(dec_ran), sum(open_end)
    FROM per_unit JOIN anc USING (unit_id) GROUP BY anc_id;
    SELECT anc_id, {median} FROM {source} JOIN anc USING (unit_id)
    WHERE kind = 'penalty' AND {span("decided_on")} AND received_on IS NOT NULL GROUP BY anc_id"""


COLUMNS = [
    "cases",
    "cases_prev",
    "penalty",
    "licence",
    "coercion",
    "inspection",
    "decided",
    "fines",
    "reviewed",
    "hearings",
    "pub_met",
    "pub_ran",
    "dec_met",
    "dec_ran",
    "open_end",
]


def from_engine(values: dict[str, dict[int, Any]], units: list[int]) -> dict[int, tuple[Any, ...]]:
    """The same figures as the baselines' columns, read from the engine's values."""
    out = {}
    for u in units:
        v = {code: values[code][u] for code in ENFORCEMENT}
        out[u] = (
            v["zf.cases"].value,
            v["zf.cases.yoy"].previous or 0,
            v["zf.penalty"].value,
            v["zf.licence"].value,
            v["zf.coercion"].value,
            v["zf.inspection"].value,
            v["zf.decided"].value,
            int(v["zf.fines"].value * 100),
            v["zf.legal_review"].value,
            v["zf.hearings"].value,
            v["zf.publicity_on_time"].numerator,
            v["zf.publicity_on_time"].denominator,
            v["zf.on_time_rate"].numerator,
            v["zf.on_time_rate"].denominator,
            v["zf.carried_out"].value,
            v["zf.median_days"].value,
        )
    return out


def rows_to_result(main: list[tuple[Any, ...]], medians: list[tuple[Any, ...]], units: list[int]) -> dict[int, tuple[Any, ...]]:
    med = {int(u): m for u, m in medians}
    by = {int(r[0]): tuple(int(x) for x in r[1:]) for r in main}
    out = {}
    for u in units:
        m = med.get(u)
        out[u] = by.get(u, (0,) * len(COLUMNS)) + (None if m is None else decimal.Decimal(str(float(m))).normalize(),)
    return out


def same(a: dict[int, tuple[Any, ...]], b: dict[int, tuple[Any, ...]]) -> str:
    def norm(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(decimal.Decimal(str(x)).normalize() if isinstance(x, decimal.Decimal | float) else x for x in row)

    diffs = [u for u in a if norm(a[u]) != norm(b[u])]
    if diffs:
        u = diffs[0]
        raise SystemExit(f"results differ for {len(diffs)} units, e.g. unit {u}: {a[u]} != {b[u]}")
    return "identical for every unit"


def baselines(args: argparse.Namespace, units: list[int], tree: Tree, engine_values: dict[str, dict[int, Any]]) -> list[str]:
    import duckdb
    import pandas as pd

    lines = []
    p, q = Period.year(args.year), Period.year(args.year).year_before()
    a, b, pa, pb = p.start.isoformat(), p.end.isoformat(), q.start.isoformat(), q.end.isoformat()
    expected = from_engine(engine_values, units)
    anc_rows = [(u, anc) for u, ancestors in tree.ancestors.items() for anc in ancestors]

    # PostgreSQL: the same SQL over the table itself
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE anc (unit_id integer, anc_id integer)")
        cursor.executemany("INSERT INTO anc VALUES (%s, %s)", anc_rows)
        first, second = group_sql(f"({load_sql()}) cases", a, b, pa, pb, "percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_on - received_on)").split(";")

        def pg() -> dict[int, tuple[Any, ...]]:
            cursor.execute(first)
            main = cursor.fetchall()
            cursor.execute(second)
            return rows_to_result(main, cursor.fetchall(), units)

        times, result = timed(pg, max(1, args.runs // 2))
        lines.append(report("PostgreSQL GROUP BY, conditional aggregates", times) + "  " + same(expected, result))

        # loading the rows (not timed in the figures)
        t0 = time.perf_counter()
        buf = io.BytesIO()
        with cursor.connection.cursor().copy(f"COPY ({load_sql()}) TO STDOUT WITH CSV HEADER") as copy:
            for chunk in copy:
                buf.write(chunk)
        buf.seek(0)
        dates = ["received_on", "decided_on", "closed_on", "reviewed_on", "hearing_held_on", "published_on"]
        df = pd.read_csv(buf, parse_dates=dates, true_values=["t"], false_values=["f"], dtype={"kind": "category"})
        for col in ("review_passed", "imposed", "pub_met", "pub_ran", "dec_met", "dec_ran"):
            df[col] = df[col].fillna(False).astype(bool)
        load_s = time.perf_counter() - t0
    lines.append(f"(loading {len(df):,} rows into pandas: {load_s:.1f} s, not counted)")

    anc = pd.DataFrame(anc_rows, columns=["unit_id", "anc_id"])
    ts = pd.Timestamp

    def pandas_run() -> dict[int, tuple[Any, ...]]:
        def within(col: str, lo: str = a, hi: str = b) -> Any:
            return df[col].between(ts(lo), ts(hi))

        rec, dec = within("received_on"), within("decided_on")
        pen, pub = df["kind"] == "penalty", within("published_on") & df["kind"].isin(["penalty", "licence"])
        left = df[["decided_on", "closed_on"]].min(axis=1)
        flags = pd.DataFrame(
            {
                "unit_id": df["unit_id"],
                "cases": rec,
                "cases_prev": within("received_on", pa, pb),
                "penalty": rec & pen,
                "licence": rec & (df["kind"] == "licence"),
                "coercion": rec & (df["kind"] == "coercion"),
                "inspection": rec & (df["kind"] == "inspection"),
                "decided": dec,
                "fines": df["cents"].where(dec & df["imposed"], 0),
                "reviewed": within("reviewed_on") & df["review_passed"],
                "hearings": within("hearing_held_on"),
                "pub_met": pub & df["pub_met"],
                "pub_ran": pub & df["pub_ran"],
                "dec_met": dec & pen & df["dec_met"],
                "dec_ran": dec & pen & df["dec_ran"],
                "open_end": (df["received_on"] <= ts(b)) & (left.isna() | (left > ts(b))),
            }
        )
        per_unit = flags.groupby("unit_id").sum()
        subtree = per_unit.merge(anc, left_index=True, right_on="unit_id").drop(columns="unit_id").groupby("anc_id").sum()
        m = df.loc[pen & dec & df["received_on"].notna(), ["unit_id", "received_on", "decided_on"]]
        days = pd.DataFrame({"unit_id": m["unit_id"], "days": (m["decided_on"] - m["received_on"]).dt.days}).merge(anc, on="unit_id")
        medians = days.groupby("anc_id")["days"].median()
        return rows_to_result(list(subtree[COLUMNS].itertuples(name=None)), list(medians.items()), units)

    times, result = timed(pandas_run, args.runs)
    lines.append(report("pandas (rows in memory)", times) + "  " + same(expected, result))

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute("CREATE TABLE cases AS SELECT * FROM df")
    con.execute("CREATE TABLE anc AS SELECT * FROM anc")
    lines.append(f"(loading the rows into DuckDB: {time.perf_counter() - t0:.1f} s, not counted)")
    first, second = group_sql("cases", a, b, pa, pb, "median(decided_on::DATE - received_on::DATE)").split(";")

    def duck() -> dict[int, tuple[Any, ...]]:
        return rows_to_result(con.execute(first).fetchall(), con.execute(second).fetchall(), units)

    times, result = timed(duck, args.runs)
    lines.append(report(f"DuckDB {duckdb.__version__} in memory", times) + "  " + same(expected, result))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baselines", action="store_true", help="also the enforcement indicators by pandas, DuckDB and a PostgreSQL GROUP BY")
    args = parser.parse_args()
    units = list(Unit.objects.values_list("pk", flat=True))
    period = Period.year(args.year)
    times, values = timed(lambda: Computation(period, tree=Tree()).values(units), args.runs)
    n_values = sum(len(v) for v in values.values())
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), platform.processor())
    print(f"== indicators for every unit, one year ({args.year}), on {connection.vendor} ==")
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {os.cpu_count()} vCPU {cpu}")
    print(f"units: {len(units)}  indicators: {len(catalogue())}  values: {n_values}  enforcement cases: {EnforcementCase.objects.count():,}")
    print(f"rollup rows: {Rollup.objects.count():,}  runs: {args.runs}")
    print(report(f"whole catalogue ({len(catalogue())}), rollups", times))
    if args.baselines:
        tree = Tree()
        times, values = timed(lambda: Computation(period, ENFORCEMENT, tree=tree).values(units), args.runs)
        print(f"-- the {len(ENFORCEMENT)} enforcement indicators, every unit, four ways --")
        print(report("rollups (this engine)", times))
        for line in baselines(args, units, tree, values):
            print(line)


if __name__ == "__main__":
    main()
