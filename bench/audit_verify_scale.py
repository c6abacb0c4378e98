"""Benchmark: `fazhi audit verify` of the log alone at the issue's scale (issue 24, part 4: "a
10M-leaf log verifies in <= 2 min").

No demo reaches 10 million leaves, so this builds a log of that size in a database of its own: leaves
of ~300 bytes (the size of a register event's canonical encoding), appended through the services'
own batch append (``audit_append_many``: the leaves and the tree's nodes as the import writes them),
a checkpoint every million leaves and one at the end, 100,000 leaves before it. Then, one after the
other in the same run:

  0. the floor: every leaf read (keyset batches) and rehashed, nothing else;
  1. the log alone (``sources=False, projections=False``) in one process;
  2. the same in as many processes as there are CPUs (``workers``);
  3. from the checkpoint before the last 100,000 leaves (``since``: what a nightly run does).

The leaves have no source rows (their source is not a register), so the source-row comparison and
the projections are not part of this run: bench/audit_verify.py measures them on the demo.

    .venv/bin/python bench/audit_verify_scale.py --db /tmp/log10m.sqlite3 [--leaves 10000000]
    .venv/bin/python bench/audit_verify_scale.py --database-url postgres://... [--leaves N]

The database is built on the first run and reused by later ones (same --leaves). Results are
appended to bench/results/audit_verify.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BATCH = 100_000
TAIL = 100_000  # leaves after the checkpoint that part 3 starts from


def _leaf(i: int) -> bytes:
    """A leaf of the shape and size of a register event's canonical encoding."""
    from fazhi.core.canonical import canonical_bytes

    day = f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    return canonical_bytes(
        {
            "after": {"decided_on": day, "state": "decided"},
            "at": f"{day}T{i % 24:02d}:{i % 60:02d}:{i % 60:02d}+08:00",
            "before": {"state": "reviewing"},
            "id": i,
            "matter": i // 7,
            "register": "enforcement",
            "step": "decide",
            "unit": i % 998,
            "user": i % 5000,
            "why": "按期作出处理决定",
        }
    )


def build(leaves: int) -> bool:
    """Build the log unless the database holds it already; whether it was built."""
    from django.core.management import call_command
    from django.db import transaction

    from fazhi.audit.models import AuditLeaf
    from fazhi.audit.services import audit_append_many, checkpoint_take

    call_command("migrate", verbosity=0)
    have = AuditLeaf.objects.count()
    if have == leaves:
        return False
    if have:
        raise SystemExit(f"the database holds {have:,} leaves, not {leaves:,}: give a fresh one")
    t0 = time.perf_counter()
    done = 0
    while done < leaves:
        cut = leaves - TAIL if done < leaves - TAIL else leaves  # a batch ends at the tail's checkpoint
        n = min(BATCH, cut - done)
        with transaction.atomic():
            audit_append_many([("bench", done + i, _leaf(done + i)) for i in range(n)])
        done += n
        if done % 1_000_000 == 0 or done == leaves - TAIL or done == leaves:
            with transaction.atomic():
                checkpoint_take()
        rate = done / (time.perf_counter() - t0)
        print(f"\rbuilding the log: {done:,}/{leaves:,} leaves, {rate:,.0f} leaves/s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return True


def floor() -> tuple[int, float, float]:
    from django.db import connection

    from fazhi.audit import merkle

    wall, cpu = time.perf_counter(), time.process_time()
    n, after = 0, -1
    with connection.cursor() as cur:
        while True:
            cur.execute('SELECT "index", data FROM audit_auditleaf WHERE "index" > %s ORDER BY "index" LIMIT 16384', [after])
            rows = cur.fetchall()
            if not rows:
                break
            for _, data in rows:
                merkle.leaf_hash(bytes(data))
            n += len(rows)
            after = rows[-1][0]
    return n, time.perf_counter() - wall, time.process_time() - cpu


def timed(**kwargs: object) -> tuple[object, float, float]:
    from fazhi.audit.services import audit_verify

    wall, cpu = time.perf_counter(), time.process_time()
    report = audit_verify(projections=False, sources=False, **kwargs)  # type: ignore[arg-type]
    return report, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="SQLite file (created if absent)")
    ap.add_argument("--database-url", help="a PostgreSQL database instead (empty, or built by an earlier run)")
    ap.add_argument("--leaves", type=int, default=10_000_000)
    ap.add_argument("--out", default=str(ROOT / "bench/results/audit_verify.txt"))
    args = ap.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    elif args.db:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.db).resolve()}"
    else:
        raise SystemExit("give --db or --database-url")
    import django

    django.setup()
    from django.db import connection

    from fazhi.audit.models import Checkpoint

    t0 = time.perf_counter()
    built = f"built in {time.perf_counter() - t0:.0f} s" if build(args.leaves) else "built by an earlier run"
    cpus = os.cpu_count() or 1
    lines = []
    n, wall, cpu = floor()
    lines.append(f"floor (read every leaf, rehash it): {n:,} leaves: {wall:.1f} s wall, {cpu:.1f} s CPU ({n / wall:,.0f} leaves/s wall)")
    print(lines[-1], file=sys.stderr)
    report, wall, cpu = timed()
    lines.append(
        f"log alone, 1 process: {report.size:,} leaves, {report.checkpoints_checked} checkpoints: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({report.size / wall:,.0f} leaves/s wall); problems {len(report.problems)}"
    )
    print(lines[-1], file=sys.stderr)
    connection.close()
    report, wall, cpu = timed(workers=cpus)
    lines.append(
        f"log alone, {cpus} processes (--workers {cpus}): {wall:.1f} s wall ({report.size / wall:,.0f} leaves/s wall); problems {len(report.problems)}"
    )
    print(lines[-1], file=sys.stderr)
    since = Checkpoint.objects.filter(size=args.leaves - TAIL).order_by("-pk").first()
    report, wall, cpu = timed(since=since)
    lines.append(
        f"from the checkpoint of {since.size:,} leaves (--since): the last {report.size - since.size:,} leaves: {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU; problems {len(report.problems)}"
    )
    print(lines[-1], file=sys.stderr)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0]
    head = (
        f"# bench/audit_verify_scale.py — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC — {rev} — {platform.machine()}, {cpus} CPUs, "
        f"Python {platform.python_version()}, {connection.vendor}, load average {load:.1f} at the end; "
        f"a synthetic log of {args.leaves:,} leaves ({built})"
    )
    with open(args.out, "a", encoding="utf-8") as f:
        f.write("\n".join([head, *lines]) + "\n")
    print(head, *lines, sep="\n")


if __name__ == "__main__":
    main()
