"""Benchmark: `fazhi audit verify` on an existing database (the demo district by default).

Measures the three parts separately, CPU and wall time:
  1. the log: every leaf rehashed, the tree rebuilt and compared with every stored node and
     checkpoint, every event re-encoded from its row (``projections=False``);
  2. the rows: every matter's events replayed against its row, clocks recomputed
     (``fazhi.registers.framework.projection.matters_check``);
  3. a signed checkpoint held outside checked (``--against``), on top of 1.

    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python bench/audit_verify.py

Results are appended to bench/results/audit_verify.txt (machine, date, figures).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from fazhi.audit import signing
    from fazhi.audit.models import Checkpoint
    from fazhi.audit.services import audit_verify
    from fazhi.registers.framework.projection import matters_check

    log, w1, c1 = timed(lambda: audit_verify(projections=False))
    (rows, problems), w2, c2 = timed(matters_check)
    signed = Checkpoint.objects.exclude(note="").order_by("-size").first()
    anchors = [signing.note_verify(signed.note)] if signed is not None and signing.verifier_key() else []
    _, w3, c3 = timed(lambda: audit_verify(projections=False, anchors=anchors))
    workers = os.cpu_count() or 1
    w1b = timed(lambda: audit_verify(projections=False))[1]  # single again, beside the parallel run
    par, w4, _ = timed(lambda: audit_verify(projections=False, workers=workers))
    lines = [
        f"# bench/audit_verify.py — {dt.date.today()} — {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {connection.vendor}",
        f"log: {log.size:,} leaves, {log.checkpoints_checked} checkpoints: {w1:.1f} s wall, {c1:.1f} s CPU "
        f"({log.size / c1:,.0f} leaves/s CPU); problems {len(log.problems)}",
        f"rows: {rows:,} matters replayed against their events and clocks: {w2:.1f} s wall, {c2:.1f} s CPU "
        f"({rows / c2:,.0f} rows/s CPU); problems {len(problems)}",
        f"log + {len(anchors)} checkpoint held outside: {w3:.1f} s wall, {c3:.1f} s CPU",
        f"log in {workers} processes (--workers): {w4:.1f} s wall ({par.size / w4:,.0f} leaves/s wall; one process just before: "
        f"{w1b:.1f} s wall, {log.size / w1b:,.0f} leaves/s wall); problems {len(par.problems)}",
    ]
    print("\n".join(lines))
    with (ROOT / "bench" / "results" / "audit_verify.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
