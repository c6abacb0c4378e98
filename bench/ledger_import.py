"""A ledger import while the office works (issue 24, part 3).

Takes the district demo's own 行政执法 ledger (exported from the database, case numbers renamed so
that each row is a new case; beyond the demo's rows, its rows again under further new numbers),
imports N rows through `ledger_import` and, in the same run, a clerk's thread registering a 行政复议
case through the services every 0.25 s. Reports:

- the import: rows/s, and how long it held the database's write lock for its final write (wall
  and CPU seconds: on a loaded machine the CPU tells the work from the wait), and the planning before it;
- the clerk: every write's wait, and whether any failed ("database is locked");
- the floor: the same rows written as plain tuples with executemany into a scratch table (and,
  on PostgreSQL, with one COPY).

Run on a copy of a demo database (it writes to it):

    cp /tmp/bench_demo.sqlite3 /tmp/imp.sqlite3
    DATABASE_URL=sqlite:////tmp/imp.sqlite3 .venv/bin/python -m fazhi migrate   # the copy at this code's schema
    DATABASE_URL=sqlite:////tmp/imp.sqlite3 FAZHI_FIELD_KEYS_FILE=/tmp/bench_keys.json \\
        .venv/bin/python bench/ledger_import.py --rows 200 --label after

and append the printed block to bench/results/ledger_import.txt. A file of more than ~70,000 rows
is larger than the default upload limit: set FAZHI_MAX_UPLOAD_BYTES (e.g. 67108864) for the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import openpyxl  # noqa: E402
from django.db import connection, connections  # noqa: E402

from fazhi.core.models import Membership, Role  # noqa: E402
from fazhi.registers.framework import bulk  # noqa: E402
from fazhi.registers.framework.ledger import NUMBER_COLUMN, ledger_export, ledger_import  # noqa: E402
from fazhi.registers.framework.registry import register_get  # noqa: E402
from fazhi.registers.framework.services import matter_create  # noqa: E402


def ledger_file(rows: int) -> tuple[bytes, list[tuple[Any, ...]]]:
    """The demo's ledger, each row renamed into a new case; a ledger longer than the demo's
    repeats its rows, each copy under its own case numbers (-导入, -导入2, ...)."""
    reg = register_get("enforcement")
    data = ledger_export(reg, reg.model.objects.order_by("pk")[:rows])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index(NUMBER_COLUMN)
    source = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    out_wb = openpyxl.Workbook(write_only=True)
    out_ws = out_wb.create_sheet(ws.title)
    out_ws.append(header)
    values = []
    for i in range(rows):
        row = list(source[i % len(source)])
        copy = i // len(source)
        row[col] = f"{row[col]}-导入{copy + 1 if copy else ''}"
        out_ws.append(row)
        values.append(tuple("" if v is None else str(v) for v in row))
    out = io.BytesIO()
    out_wb.save(out)
    return out.getvalue(), values


def floor(values: list[tuple[Any, ...]], *, copy: bool = False) -> float:
    """Rows a second of the same rows as plain text tuples into a scratch table: executemany, or
    (``copy``, PostgreSQL) one COPY."""
    width = len(values[0])
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE bench_rows ({', '.join(f'c{i} TEXT' for i in range(width))})")
        start = time.perf_counter()
        if copy:
            with cur.cursor.copy("COPY bench_rows FROM STDIN") as out:
                for row in values:
                    out.write_row(row)
        else:
            cur.executemany(f"INSERT INTO bench_rows VALUES ({', '.join(['%s'] * width)})", values)
        seconds = time.perf_counter() - start
        cur.execute("DROP TABLE bench_rows")
    return len(values) / seconds


def clerk_loop(stop: threading.Event, working: threading.Event, waits: list[float], failures: list[str]) -> None:
    from fazhi.registers.reconsideration.models import ReconsiderationCase  # noqa: F401

    assignment = Membership.objects.filter(role=Role.CLERK, unit__is_reconsideration_body=True).select_related("user", "unit").first()
    assert assignment is not None, "the demo has a 行政复议 clerk"
    data = {
        "received_on": dt.date.today(),
        "applicant_name": "基准测试",
        "applicant_type": "natural_person",
        "respondent_name": "某局",
        "disputed_act": "行政处罚决定",
        "channel": "post",
    }
    try:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                matter_create(register="reconsideration", unit=assignment.unit, actor=assignment.user, data=data)
                waits.append(time.perf_counter() - start)
                working.set()
            except Exception as exc:  # what the clerk would see as a server error
                failures.append(f"{type(exc).__name__}: {exc}")
            stop.wait(0.25)
    finally:
        connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    data, values = ledger_file(args.rows)
    writes: list[tuple[float, float]] = []  # the final write transaction: (wall, CPU of the process) seconds
    readied: list[tuple[float, float]] = []  # the final write made ready before it (where the code does)

    import fazhi.registers.framework.ledger as ledger_module

    def timed(real: Any, into: list[tuple[float, float]], *, effects_only: bool) -> Any:
        def call(*a: Any, **kw: Any) -> Any:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return real(*a, **kw)
            finally:
                if kw.get("effects") or not effects_only:
                    into.append((time.perf_counter() - start, time.process_time() - cpu))

        return call

    if hasattr(ledger_module, "final_write"):  # the transaction (re-check included), made ready before it
        ledger_module.final_write = timed(ledger_module.final_write, writes, effects_only=False)
        ledger_module.written_prepare = timed(ledger_module.written_prepare, readied, effects_only=False)  # type: ignore[attr-defined]
    elif getattr(bulk, "written_replay", None) is not None:  # the code before the planning import had no final write of its own
        ledger_module.written_replay = timed(bulk.written_replay, writes, effects_only=True)  # type: ignore[attr-defined]
    stop = threading.Event()
    waits: list[float] = []
    failures: list[str] = []
    working = threading.Event()
    clerk = threading.Thread(target=clerk_loop, args=(stop, working, waits, failures))
    clerk.start()
    if not working.wait(60):  # the import starts once the clerk has registered a first case
        raise SystemExit(f"the clerk registered no case: {failures[:1]}")
    cpu, start = time.process_time(), time.perf_counter()
    result = ledger_import(reg=register_get("enforcement"), data=data, filename="bench.xlsx", cli=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    stop.set()
    clerk.join()
    rate = floor(values)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    load = os.getloadavg()[0]
    when = f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    print(f"## {args.label} — {when} · {rev} · {platform.machine()} {os.cpu_count()} cores · load {load:.1f} · {connection.vendor}")
    print(f"import of {args.rows} 行政执法 rows: {result.summary()} in {seconds:.1f} s wall, {args.rows / seconds:.2f} rows/s")
    print(f"  CPU of this process (the clerk's included): {cpu:.1f} s")
    if writes:
        wall, used = writes[-1]
        print(f"final write transaction (rows, events, leaves, rollups, search): {wall:.2f} s wall, {used:.2f} s CPU")
        if readied:
            ready_wall, ready_cpu = readied[-1]
            print(f"  made ready before it, no lock held (values, ids, leaves, rollup deltas, search): {ready_wall:.2f} s wall, {ready_cpu:.2f} s CPU")
            wall, used = wall + ready_wall, used + ready_cpu
        print(f"  before it (reading and planning every row): {seconds - wall:.1f} s wall, {cpu - used:.1f} s CPU")
    if waits:
        print(
            f"clerk during the import: {len(waits)} cases registered, wait p50 {statistics.median(waits) * 1000:.0f} ms, "
            f"max {max(waits) * 1000:.0f} ms; failed: {len(failures)}"
        )
    else:
        print(f"clerk during the import: none registered; failed: {len(failures)}")
    for f in failures[:3]:
        print(f"  failure: {f[:160]}")
    print(f"floor: executemany of the same {len(values)} rows as plain text tuples: {rate:,.0f} rows/s")
    if connection.vendor == "postgresql":
        print(f"floor: COPY of the same {len(values)} rows as plain text tuples: {floor(values, copy=True):,.0f} rows/s")


if __name__ == "__main__":
    main()
