"""The whole indicator catalogue for every unit for one year, from the rollups (issue 6's target:
at most 0.3 s on PostgreSQL on the city-scale dataset of bench/city_build.sh).

    DATABASE_URL=postgres://postgres@127.0.0.1:54330/fazhi .venv/bin/python bench/indicators_city.py [--year 2025] [--runs 5]

Prints the machine, the database, the row counts and the best / median of the runs. The
pandas and DuckDB baselines over the same rows are still to be written (see issue 6's note).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
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
from fazhi.indicators.models import Rollup  # noqa: E402
from fazhi.registers.enforcement.models import EnforcementCase  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    units = list(Unit.objects.values_list("pk", flat=True))
    times, tree_times = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        tree = Tree()
        t1 = time.perf_counter()
        values = Computation(Period.year(args.year), tree=tree).values(units)
        t2 = time.perf_counter()
        times.append(t2 - t0)
        tree_times.append(t1 - t0)
    n_values = sum(len(v) for v in values.values())
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), platform.processor())
    print(f"== indicators for every unit, one year ({args.year}), from the rollups, on {connection.vendor} ==")
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {os.cpu_count()} vCPU {cpu}")
    print(f"units: {len(units)}  indicators: {len(catalogue())}  values: {n_values}  enforcement cases: {EnforcementCase.objects.count():,}")
    print(f"rollup rows: {Rollup.objects.count():,}  runs: {args.runs}")
    print(f"best: {min(times):.3f} s  median: {statistics.median(times):.3f} s  (of which the unit tree: {statistics.median(tree_times):.3f} s)")


if __name__ == "__main__":
    main()
