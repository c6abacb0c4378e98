"""Benchmark: due dates for many open matters.

Part 1 (engine): 1,000,000 clocks — a mix of the RULES.md §0 rules, start dates over 2016–2026,
about a quarter with a 中止/恢复 pause, some with a 补正 restart or an extension — computed with
``clock_compute(..., explain=False)`` against the current calendar.

Part 2 (database): ``fazhi clock recompute`` over N open 行政复议 matters with their events,
created directly in bulk in a scratch database (default 100,000).

    .venv/bin/python bench/clock_due.py [--clocks 1000000] [--matters 100000]

Results go to bench/results/clock_due.txt (machine, date, figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def engine(n: int, seed: int = 7) -> tuple[float, int]:
    from fazhi.law.clocks import ClockEvent, clock_compute, clock_rules
    from fazhi.law.workdays import default_calendar

    cal = default_calendar()
    rng = random.Random(seed)
    rules = [r for r in clock_rules().values()]
    cases = []
    first = dt.date(2016, 1, 1).toordinal()
    for _ in range(n):
        rule = rng.choice(rules)
        start = dt.date.fromordinal(rng.randrange(max(first, rule.values[0].since.toordinal()), dt.date(2026, 11, 1).toordinal()))
        events: list[ClockEvent] = []
        r = rng.random()
        if r < 0.25:
            a = start + dt.timedelta(days=rng.randrange(1, 20))
            events = [ClockEvent("pause", a), ClockEvent("resume", a + dt.timedelta(days=rng.randrange(1, 60)))]
        elif r < 0.30:
            events = [ClockEvent("restart", start + dt.timedelta(days=rng.randrange(1, 10)))]
        elif r < 0.35 and rule.value_on(start) and rule.value_on(start).extension:  # type: ignore[union-attr]
            events = [ClockEvent("extend", start + dt.timedelta(days=rng.randrange(1, 30)))]
        cases.append((rule.id, start, events))
    cal.nth_workday_after(dt.date(2020, 1, 1), 1)  # build the index outside the timing
    t0 = time.perf_counter()
    done = 0
    for rule_id, start, events in cases:
        if clock_compute(rule_id, start, events, cal=cal, explain=False).due is not None:
            done += 1
    return time.perf_counter() - t0, done


def database(n: int) -> dict[str, float]:
    import django

    db = ROOT / "var" / "bench-clock.sqlite3"
    on_sqlite = not os.environ.get("DATABASE_URL")
    if on_sqlite:
        db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from fazhi.core.demo import build_org
    from fazhi.registers.framework.clocks import clocks_recompute
    from fazhi.registers.framework.models import MatterEvent
    from fazhi.registers.reconsideration.models import ReconsiderationCase

    org = build_org(random.Random(1))
    body = org.reconsideration_body
    user = get_user_model().objects.create(username="bench")
    ct = ContentType.objects.get_for_model(ReconsiderationCase)
    rng = random.Random(11)
    t0 = time.perf_counter()
    now = timezone.now()
    batch = 20000
    for lo in range(0, n, batch):
        cases = []
        for i in range(lo, min(n, lo + batch)):
            received = dt.date(2026, 1, 2) + dt.timedelta(days=rng.randrange(0, 320))
            cases.append(
                ReconsiderationCase(
                    unit=body,
                    case_number=f"BENCH-{i}",
                    year=2026,
                    sequence=i + 1,
                    state="accepted",
                    received_on=received,
                    applicant_name="甲",
                    applicant_type="natural_person",
                    respondent_name="乙",
                    disputed_act="行政处罚",
                    channel="window",
                )
            )
        ReconsiderationCase.objects.bulk_create(cases, batch_size=5000)
        events = []
        for c in ReconsiderationCase.objects.filter(case_number__in=[c.case_number for c in cases]).only("pk", "received_on", "case_number"):
            accepted = c.received_on + dt.timedelta(days=rng.randrange(1, 6))
            common = {
                "content_type": ct,
                "object_id": c.pk,
                "register": "reconsideration",
                "case_number": c.case_number,
                "actor": user,
                "unit": body,
                "occurred_at": now,
            }
            events.append(MatterEvent(transition="register", event_date=c.received_on, state_after="received", **common))
            events.append(MatterEvent(transition="accept", event_date=accepted, state_before="received", state_after="accepted", **common))
            if rng.random() < 0.2:
                s = accepted + dt.timedelta(days=rng.randrange(1, 30))
                events.append(MatterEvent(transition="suspend", event_date=s, state_before="accepted", state_after="suspended", **common))
                events.append(
                    MatterEvent(
                        transition="resume", event_date=s + dt.timedelta(days=rng.randrange(1, 40)), state_before="suspended", state_after="accepted", **common
                    )
                )
        MatterEvent.objects.bulk_create(events, batch_size=5000)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    checked, moved = clocks_recompute(registers=["reconsideration"])
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    checked2, moved2 = clocks_recompute(registers=["reconsideration"])
    second = time.perf_counter() - t0
    assert checked == checked2 == n and len(moved) == n and not moved2
    if on_sqlite:
        db.unlink(missing_ok=True)
    return {"build": build, "recompute_all_changed": first, "recompute_none_changed": second}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "clock_due.txt"))
    args = parser.parse_args()
    import django

    backend = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    lines = [
        f"# bench/clock_due.py — {dt.date.today()} — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    ]
    db = database(args.matters) if args.matters else None
    if not db:
        django.setup()
    seconds, done = engine(args.clocks)
    lines.append(f"engine: {args.clocks:,} clocks in {seconds:.2f} s ({args.clocks / seconds:,.0f}/s; {done:,} with a due date, the rest paused)")
    if db:
        lines.append(f"database ({backend}): {args.matters:,} open matters, ~{2.4 * args.matters:,.0f} events; built in {db['build']:.1f} s")
        lines.append(
            f"  fazhi clock recompute, every due date written: {db['recompute_all_changed']:.2f} s ({args.matters / db['recompute_all_changed']:,.0f} /s)"
        )
        lines.append(
            f"  fazhi clock recompute, nothing moved:         {db['recompute_none_changed']:.2f} s ({args.matters / db['recompute_none_changed']:,.0f} /s)"
        )
    text = "\n".join(lines) + "\n"
    print(text, end="")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as fh:
        fh.write(text + "\n")


if __name__ == "__main__":
    main()
