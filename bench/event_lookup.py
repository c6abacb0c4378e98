"""A matter's events by (register, object_id): the lookup of the matter page, the due-date refresh
and the ledger import (issue 24). Times the ORM query for 300 random matters of the database as it
is and prints the plan; run it before and after `migrate` adds the index, append both to
bench/results/event_lookup.txt.

    DATABASE_URL=postgres://postgres@127.0.0.1:54330/fazhi .venv/bin/python bench/event_lookup.py --label "before"
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from fazhi.registers.framework.models import MatterEvent  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="")
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    total = MatterEvent.objects.count()
    rng = random.Random(1)
    max_id = MatterEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    pairs = []
    while len(pairs) < args.n and max_id:
        row = MatterEvent.objects.filter(id__gte=rng.randint(1, max_id)).order_by("id").values_list("register", "object_id").first()
        if row:
            pairs.append(row)
    times = []
    for register, object_id in pairs:
        t = time.perf_counter()
        list(MatterEvent.objects.filter(register=register, object_id=object_id).order_by("id"))
        times.append((time.perf_counter() - t) * 1000)
    qs = MatterEvent.objects.filter(register=pairs[0][0], object_id=pairs[0][1]).order_by("id")
    plan = qs.explain().replace("\n", " / ")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    times.sort()
    print(f"== bench/event_lookup.py on {connection.vendor} {args.label} ==")
    print(f"date: {time.strftime('%Y-%m-%d')}  commit: {commit}  machine: {platform.machine()}, {os.cpu_count()} CPUs (shared)")
    print(f"events: {total:,}; {len(times)} lookups of one matter's events")
    print(f"median {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms, max {times[-1]:.2f} ms")
    print(f"plan: {plan[:300]}")
    print()


if __name__ == "__main__":
    main()
