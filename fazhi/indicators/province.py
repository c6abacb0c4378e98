"""The catalogue over many cities' exports, on Spark (or DuckDB): what a province runs.

    python -m fazhi.indicators.province --year 2025 --out values.json EXPORT_DIR [EXPORT_DIR ...]
    spark-submit --master yarn --py-files fazhi.zip fazhi/indicators/province.py --year 2025 \\
        --out values.json s3a://province/exports/2025/*/        # see README, "Province: many cities on Spark"

Each folder is one city's ``fazhi export parquet``; each is verified first (checksums, manifest
signature, audit checkpoint) and must come from the same indicator definitions as this code. The
sums are SQL generated from the definitions (``sqlcompile``): per city and unit subtree, the counts
and cents of every measure, the day histograms of the medians and the open overdue matters of the
on-time shares. The values are then made from those totals by the engine's own code
(``Computation._values``), so shares, means, medians, year-over-year changes and small-base flags
follow the same rules as the city's dashboard, value for value.

The province's own figures are the cities' top-unit totals added up before the values are made:
counts, sums and open matters add; shares and means are made from the added numerators and
denominators; medians from the added day histograms. Every indicator of the catalogue is thereby
exact for the province, not an average of averages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fazhi.indicators.catalogue import Indicator, Measure, catalogue
from fazhi.indicators.engine import Columns, Computation, Period, Value
from fazhi.indicators.export import ExportError, definitions_digest, export_verify, sources
from fazhi.indicators.sqlcompile import DUCKDB, SPARK, Compiler

PROVINCE = 0  # the unit id the province's own totals are kept under


class Backend:
    """Runs the generated SQL over the exports' Parquet files."""

    compiler: Compiler

    def register(self, name: str, paths: list[str]) -> None:
        raise NotImplementedError

    def register_rows(self, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError


class DuckDBBackend(Backend):
    def __init__(self) -> None:
        import duckdb

        self.compiler = Compiler(DUCKDB)
        self.con = duckdb.connect()

    def register(self, name: str, paths: list[str]) -> None:
        files = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet([{files}])')

    def register_rows(self, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        import pyarrow as pa

        table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
        self.con.register(f"_{name}", table)
        self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "_{name}"')

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        return self.con.execute(query).fetchall()


class SparkBackend(Backend):
    def __init__(self, spark: Any = None) -> None:
        self.compiler = Compiler(SPARK)
        self.spark = spark or local_session()

    def register(self, name: str, paths: list[str]) -> None:
        self.spark.read.parquet(*paths).createOrReplaceTempView(name)

    def register_rows(self, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        self.spark.createDataFrame(rows, columns).createOrReplaceTempView(name)

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(query).collect()]


def local_session(cores: int = 1) -> Any:
    """A Spark session in local mode (tests, one machine); on a cluster spark-submit gives one."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("fazhi-province")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("FAZHI_SPARK_DRIVER_MEMORY", "1g"))
        .getOrCreate()
    )


class Province:
    """The verified exports of many cities, and their totals computed by a backend."""

    def __init__(self, folders: Sequence[Path | str], backend: Backend, verifiers: dict[str, str] | None = None) -> None:
        self.backend = backend
        self.cities: dict[str, dict[str, Any]] = {}  # city code -> manifest
        digest = definitions_digest()
        paths: dict[str, list[str]] = {}
        for folder in folders:
            folder = Path(folder)
            manifest = export_verify(folder, (verifiers or {}).get(str(folder))).manifest
            code = manifest["instance"]["code"]
            if code in self.cities:
                raise ExportError(f"城市 {code} 的导出重复：{folder}")
            if manifest["definitions"]["digest"] != digest:
                raise ExportError(f"{folder}（{manifest['instance']['name']}）的指标定义与本程序的指标定义不同，不能合并计算")
            self.cities[code] = manifest
            for name in manifest["files"]:
                paths.setdefault(name.removesuffix(".parquet"), []).append(str(folder / name))
        self.sources = sources()
        for name in [*self.sources, "units"]:
            backend.register(name, paths[name])
        units = backend.sql("SELECT city, id, path FROM units")
        by_path = {(city, path): pk for city, pk, path in units}
        anc: list[tuple[Any, ...]] = []
        self.units: dict[str, list[int]] = {}
        self.tops: dict[str, list[int]] = {}
        for city, pk, path in units:
            parts = path.split(".")[:-1]
            anc += [(city, pk, by_path[(city, ".".join(parts[: i + 1]) + ".")]) for i in range(len(parts))]
            self.units.setdefault(city, []).append(pk)
            if len(parts) == 1:
                self.tops.setdefault(city, []).append(pk)
        backend.register_rows("anc", ["city", "unit_id", "anc_id"], anc)
        self._flows: dict[tuple[Any, ...], dict[str, Columns]] = {}
        self._overdue: dict[tuple[str, dt.date, dt.date], dict[str, dict[int, int]]] = {}
        self._recording = False
        self._wanted_flows: dict[tuple[Any, ...], list[Measure]] = {}
        self._wanted_overdue: dict[tuple[str, dt.date, dt.date], tuple[Indicator, Period]] = {}

    # -- totals, per city, from the generated SQL --------------------------------------------
    # The engine asks for totals one period and one group of measures at a time. A first pass
    # records what it will ask (``_recording``), then every total is computed by one UNION ALL
    # query (one Spark job instead of one per question), then the engine runs on the answers.

    def totals(self, measures: list[Measure], a: dt.date, b: dt.date) -> dict[str, Columns]:
        """city -> (measure, bucket) -> unit -> [count, cents] of the unit's subtree."""
        key = (a, b, tuple(sorted({m.key for m in measures})))
        if key not in self._flows:
            if not self._recording:
                self._wanted_flows = {key: measures}
                self._fetch()
            else:
                self._wanted_flows[key] = measures
                return {c: {} for c in self.cities}
        return self._flows[key]

    def overdue(self, ind: Indicator, p: Period) -> dict[str, dict[int, int]]:
        """city -> unit -> the on-time share's open overdue matters in the unit's subtree."""
        key = (ind.code, p.start, p.end)
        if key not in self._overdue:
            if not self._recording:
                self._wanted_overdue = {key: (ind, p)}
                self._fetch()
            else:
                self._wanted_overdue[key] = (ind, p)
                return {c: {} for c in self.cities}
        return self._overdue[key]

    def _fetch(self) -> None:
        c = self.backend.compiler
        branches: list[str] = []
        plan: list[tuple[str, list[tuple[Any, Measure | None]]]] = []  # per tag: kind, (cache key, measure) per array slot
        plain: dict[str, list[tuple[Any, Measure, dt.date, dt.date]]] = {}  # source -> every flow asked of it
        for key, measures in self._wanted_flows.items():
            a, b, _ = key
            self._flows[key] = {city: {} for city in self.cities}
            for m in {m.key: m for m in measures}.values():
                if m.since:
                    branches.append(c.histogram(len(plan), m.register, m, a, b))
                    plan.append(("flows", [(key, m)]))
                else:
                    plain.setdefault(m.register, []).append((key, m, a, b))
        for source, items in sorted(plain.items()):  # one scan of each source for all its sums
            branches.append(c.flows(len(plan), source, [(m, a, b) for _, m, a, b in items]))
            plan.append(("flows", [(key, m) for key, m, _, _ in items]))
        for key, (ind, p) in self._wanted_overdue.items():
            cuts = {city: min(p.end + dt.timedelta(days=1), dt.date.fromisoformat(man["as_of"])) for city, man in self.cities.items()}
            branches.append(c.overdue(len(plan), ind.register, ind, cuts))
            plan.append(("overdue", [(key, None)]))
            self._overdue[key] = {city: {} for city in self.cities}
        self._wanted_flows, self._wanted_overdue = {}, {}
        if not branches:
            return
        for tag, city, unit, bucket, ns, cs in self.backend.sql(" UNION ALL ".join(f"({q})" for q in branches)):
            kind, slots = plan[tag]
            if kind == "overdue":
                if ns[0]:
                    self._overdue[slots[0][0]][city][int(unit)] = int(ns[0])
                continue
            for (key, m), n, cents in zip(slots, ns, cs, strict=True):
                if m is not None and (n or cents):
                    self._flows[key][city].setdefault((m.key, int(bucket)), {})[int(unit)] = [int(n or 0), int(cents or 0)]

    # -- values ----------------------------------------------------------------------------

    def values(self, period: Period, codes: Iterable[str] | None = None) -> dict[str, dict[str, dict[int, Value]]]:
        """city -> indicator -> unit -> value, and under the city code ``"province"`` the
        province's own values (unit ``PROVINCE``)."""
        codes = list(codes) if codes is not None else None
        self._recording = True
        try:
            _Computation(self, None, period, codes).values([PROVINCE])
        finally:
            self._recording = False
        self._fetch()
        out = {city: _Computation(self, city, period, codes).values(self.units[city]) for city in sorted(self.cities)}
        out["province"] = _Computation(self, None, period, codes).values([PROVINCE])
        return out


class _NoTree:
    """The engine's unit tree is not needed: the subtree sums are made in SQL."""


class _Computation(Computation):
    """The engine's values made from a province's totals: one city's (``city``), or the
    province's own (``city=None``: the cities' top units added up as unit ``PROVINCE``)."""

    def __init__(self, province: Province, city: str | None, period: Period, codes: list[str] | None) -> None:
        super().__init__(period, codes, source="export", tree=_NoTree())  # type: ignore[arg-type]
        self.province, self.city = province, city

    def _pick(self, per_city: dict[str, dict[Any, dict[int, Any]]]) -> dict[Any, dict[int, Any]]:
        if self.city is not None:
            return per_city[self.city]
        out: dict[Any, dict[int, Any]] = {}
        for city, columns in per_city.items():
            for key, col in columns.items():
                for top in self.province.tops.get(city, []):
                    if top in col:
                        v = col[top]
                        slot = out.setdefault(key, {})
                        if isinstance(v, list):
                            total = slot.setdefault(PROVINCE, [0, 0])
                            total[0] += v[0]
                            total[1] += v[1]
                        else:
                            slot[PROVINCE] = slot.get(PROVINCE, 0) + v
        return out

    def _totals(self, a: dt.date, b: dt.date, kind: str, indicators: list[Indicator]) -> Columns:
        measures = [m for ind in indicators if (ind.type == "open_at") == (kind == "open") for m in ind.measures.values()]
        return self._pick(self.province.totals(measures, a, b))

    def _with_overdue(self, ind: Indicator, p: Period, dens: dict[int, list[int]]) -> dict[int, list[int]]:
        per_city = self.province.overdue(ind, p)
        own = self._pick({city: {"overdue": col} for city, col in per_city.items()}).get("overdue", {})
        if not own:
            return dens
        out = {u: [n, c] for u, (n, c) in dens.items()}
        for u, n in own.items():
            out.setdefault(u, [0, 0])[0] += n
        return out


def as_json(values: dict[str, dict[str, dict[int, Value]]]) -> dict[str, Any]:
    return {city: {code: {str(u): v.as_dict() for u, v in col.items()} for code, col in inds.items()} for city, inds in values.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="各城市导出数据的指标计算（Spark 或 DuckDB）")
    parser.add_argument("folders", nargs="+", help="各城市 fazhi export parquet 的导出目录")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--engine", choices=["spark", "duckdb"], default="spark")
    parser.add_argument("--master", default="", help="Spark master（spark-submit 时由其指定）")
    parser.add_argument("--out", type=Path, required=True, help="结果 JSON 文件")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    backend: Backend
    if args.engine == "spark":
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("fazhi-province")
        if args.master:
            builder = builder.master(args.master)
        backend = SparkBackend(builder.getOrCreate())
    else:
        backend = DuckDBBackend()
    try:
        province = Province(args.folders, backend)
    except ExportError as exc:
        sys.exit(f"导出核验未通过：{exc}")
    values = province.values(Period.year(args.year))
    args.out.write_text(json.dumps(as_json(values), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"已计算 {len(province.cities)} 个城市、{len(catalogue())} 项指标，结果写入 {args.out}")


if __name__ == "__main__":
    main()
