"""Benchmark: `fazhi audit verify` on an existing database (the demo district by default).

Measures, CPU and wall time, in one run:
  0. the floor: every leaf read (keyset batches of 16,384, tuples) and rehashed, nothing else;
  1. the log alone: every leaf rehashed, the tree rebuilt and compared with every stored node and
     checkpoint (``sources=False``);
  2. the log and the source rows: 1, and every leaf compared with its source row encoded again
     (``projections=False``, what `audit verify` does before the projections); the rows' own rate
     is the difference of 2 and 1;
  3. the rows users see: every matter's events replayed against its row, clocks recomputed
     (``fazhi.registers.framework.projection.matters_check``);
  4. a signed checkpoint held outside checked (``--against``), on top of 2;
  5. 2 in as many processes as there are CPUs (``--workers``), beside 2 in one process again;
  6. everything `fazhi audit verify` does (2 and 3) in one process and in as many as there are CPUs.

``--before DIR``: the code of another checkout (e.g. ``git archive main | tar -x -C DIR``) measured
against this one on the same database, parts 2 and 3 alternately in fresh processes (``--rounds`` each).

    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python bench/audit_verify.py [--before DIR]

Results are appended to bench/results/audit_verify.txt (machine, date, figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# part 2 in a fresh process of the code in argv[1] (its own checkout): {"cpu", "wall", "size", "problems"}
ONE_RUN = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from fazhi.audit.services import audit_verify
from fazhi.registers.framework.projection import matters_check
wall, cpu = time.perf_counter(), time.process_time()
report = audit_verify(projections=False)
cpu, wall, cpu3 = time.process_time() - cpu, time.perf_counter() - wall, time.process_time()
rows, found = matters_check()
cpu3 = time.process_time() - cpu3
out = {"cpu": cpu, "wall": wall, "size": report.size, "problems": len(report.problems)}
print(json.dumps(out | {"rows": rows, "rows_cpu": cpu3, "rows_problems": len(found)}))
"""


def timed(fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def floor() -> int:
    """Read every leaf and rehash it: what no verification can beat."""
    import hashlib

    from django.db import connection

    i = connection.ops.quote_name("index")
    last, n, sha = -1, 0, hashlib.sha256
    with connection.cursor() as cur:
        while True:
            cur.execute(f"SELECT {i}, source, source_id, data, leaf_hash FROM audit_auditleaf WHERE {i} > %s ORDER BY {i} LIMIT 16384", [last])
            rows = cur.fetchall()
            if not rows:
                return n
            hashes = [sha(b"\x00" + bytes(r[3])).digest() for r in rows]
            if hashes != [bytes(r[4]) for r in rows]:
                raise SystemExit("a leaf's hash does not match its data: run fazhi audit verify")
            n += len(rows)
            last = rows[-1][0]


def one_run(code: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", ONE_RUN, str(code)], cwd=code, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, help="another checkout's code, measured against this one (part 2, alternated)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from fazhi.audit import signing
    from fazhi.audit.models import AuditLeaf, Checkpoint
    from fazhi.audit.services import audit_verify
    from fazhi.registers.framework.projection import matters_check

    leaves, w0, c0 = timed(floor)
    log, w1, c1 = timed(lambda: audit_verify(projections=False, sources=False))
    full, w2, c2 = timed(lambda: audit_verify(projections=False))
    events = AuditLeaf.objects.count()
    (rows, problems), w3, c3 = timed(matters_check)
    signed = Checkpoint.objects.exclude(note="").order_by("-size").first()
    anchors = [signing.note_verify(signed.note)] if signed is not None and signing.verifier_key() else []
    _, w4, c4 = timed(lambda: audit_verify(projections=False, anchors=anchors))
    workers = os.cpu_count() or 1
    w2b = timed(lambda: audit_verify(projections=False))[1]  # single again, beside the parallel run
    par, w5, _ = timed(lambda: audit_verify(projections=False, workers=workers))
    whole1, w6a, _ = timed(audit_verify)
    whole2, w6b, _ = timed(lambda: audit_verify(workers=workers))
    load = os.getloadavg()[0]
    lines = [
        f"# bench/audit_verify.py — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {connection.vendor}, load average {load:.1f} at the end",
        f"floor (read every leaf, rehash it): {leaves:,} leaves: {w0:.2f} s wall, {c0:.2f} s CPU ({leaves / c0:,.0f} leaves/s CPU)",
        f"log alone (leaves, nodes, checkpoints): {log.size:,} leaves, {log.checkpoints_checked} checkpoints: {w1:.2f} s wall, {c1:.2f} s CPU "
        f"({log.size / c1:,.0f} leaves/s CPU); problems {len(log.problems)}",
        f"log + source rows against their leaves: {w2:.2f} s wall, {c2:.2f} s CPU ({full.size / c2:,.0f} leaves/s CPU); problems {len(full.problems)}; "
        f"the rows alone (difference): {events / max(c2 - c1, 1e-9):,.0f} rows/s CPU",
        f"rows users see: {rows:,} matters replayed against their events and clocks: {w3:.1f} s wall, {c3:.1f} s CPU "
        f"({rows / c3:,.0f} rows/s CPU); problems {len(problems)}",
        f"log + rows + {len(anchors)} checkpoint held outside: {w4:.2f} s wall, {c4:.2f} s CPU",
        f"log + rows in {workers} processes (--workers): {w5:.2f} s wall ({par.size / w5:,.0f} leaves/s wall; one process just before: "
        f"{w2b:.2f} s wall, {full.size / w2b:,.0f} leaves/s wall); problems {len(par.problems)}",
        f"all of `audit verify` (log, source rows, rows users see): one process {w6a:.2f} s wall, {workers} processes {w6b:.2f} s wall; "
        f"{whole1.rows_checked:,} / {whole2.rows_checked:,} rows; problems {len(whole1.problems)} / {len(whole2.problems)}",
    ]
    if args.before:
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            runs["before"].append(one_run(args.before.resolve()))
            runs["after"].append(one_run(ROOT))
        for name, code in (("before", args.before.resolve()), ("after", ROOT)):
            figures = " / ".join(f"{r['size'] / r['cpu']:,.0f}" for r in runs[name])
            walls = " / ".join(f"{r['wall']:.2f}" for r in runs[name])
            found = runs[name][-1]["problems"]
            lines.append(f"{name} ({code}): log + source rows, alternated fresh processes: {figures} leaves/s CPU ({walls} s wall); problems {found:.0f}")
            rows = " / ".join(f"{r['rows'] / r['rows_cpu']:,.0f}" for r in runs[name])
            lines.append(f"{name} ({code}): rows users see, the same processes: {rows} rows/s CPU; problems {runs[name][-1]['rows_problems']:.0f}")
    print("\n".join(lines))
    with (ROOT / "bench" / "results" / "audit_verify.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
