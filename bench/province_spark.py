"""The province's job on one machine: export -> Spark local vs the engine's rollups vs DuckDB,
the whole catalogue for every unit for one year, over the same rows; the three must agree value
for value (the script stops if they do not).

    DATABASE_URL=... FAZHI_CHECKPOINT_KEY_FILE=... .venv/bin/python bench/province_spark.py EXPORT_DIR [--year 2025] [--runs 3] [--cores 2]

EXPORT_DIR must not exist (the export is written and timed first).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from fazhi.core.models import Unit  # noqa: E402
from fazhi.indicators.catalogue import catalogue  # noqa: E402
from fazhi.indicators.engine import Computation, Period, Tree  # noqa: E402
from fazhi.indicators.export import export_parquet  # noqa: E402
from fazhi.indicators.province import DuckDBBackend, Province, SparkBackend, local_session  # noqa: E402


def line(label: str, times: list[float]) -> str:
    return f"{label:<46} best {min(times):.3f} s  median {statistics.median(times):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    period = Period.year(args.year)
    units = list(Unit.objects.values_list("pk", flat=True))
    t0 = time.perf_counter()
    manifest = export_parquet(args.folder, lambda label, total: lambda n: None)
    export_s = time.perf_counter() - t0
    rows = sum(e["rows"] for e in manifest["files"].values() if e["kind"] in ("register", "table"))
    size = sum(e["bytes"] for e in manifest["files"].values())

    times, expected = [], None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        expected = Computation(period, tree=Tree()).values(units)
        times.append(time.perf_counter() - t0)
    assert expected is not None
    n_values = sum(len(c) for c in expected.values())
    city = manifest["instance"]["code"]

    def check(got: dict[str, dict[str, dict[int, object]]]) -> str:
        bad = [(code, u) for code, col in expected.items() for u, v in col.items() if got[city][code][u] != v]
        if bad:
            raise SystemExit(f"{len(bad)} values differ, e.g. {bad[0]}")
        return f"identical ({n_values:,} values)"

    out = [line("rollups (this engine, from the database)", times)]
    for name, make in (("DuckDB over the Parquet files", DuckDBBackend), (f"Spark local[{args.cores}] over the Parquet files", None)):
        t0 = time.perf_counter()
        if make is None:
            session = local_session(args.cores)
            session.sparkContext.setLogLevel("ERROR")
            backend = SparkBackend(session)
        else:
            backend = make()
        province = Province([args.folder], backend)
        setup = time.perf_counter() - t0
        times, verdict = [], ""
        for _ in range(args.runs):
            province._flows.clear()
            province._overdue.clear()
            t0 = time.perf_counter()
            got = province.values(period)
            times.append(time.perf_counter() - t0)
            verdict = check(got)
        out.append(line(name, times) + f"  {verdict}  (start + verify + register: {setup:.1f} s)")
    with open("/proc/cpuinfo") as f:
        cpu = next((x.split(":", 1)[1].strip() for x in f if x.startswith("model name")), platform.processor())
    load = os.getloadavg()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"== the province's job on one machine: whole catalogue, every unit, {args.year}, database {connection.vendor} ==")
    print(f"date: {time.strftime('%Y-%m-%d')}  commit: {commit}  machine: {os.cpu_count()} vCPU {cpu}  load average at the end: {load:.1f}")
    print(f"units: {len(units)}  indicators: {len(catalogue())}  values: {n_values:,}  exported rows (registers and tables): {rows:,}  runs: {args.runs}")
    print(f"export (fazhi export parquet, {len(manifest['files'])} files, {size / 1048576:.1f} MB, signed): {export_s:.1f} s")
    for x in out:
        print(x)


if __name__ == "__main__":
    main()
