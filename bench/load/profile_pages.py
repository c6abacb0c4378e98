"""Profile the pages of the load bench one at a time (issue 24, part 2): time, SQL queries and
their time, and the functions that cost most (cProfile), through Django's test client under the
production settings (DEBUG off) on a copy of the demo database.

    .venv/bin/python bench/load/profile_pages.py [--pages home,dashboard] [--repeat 5] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/bench_demo.sqlite3")
    ap.add_argument("--keys", default="/tmp/bench_keys.json")
    ap.add_argument("--pages", default="")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--cold", action="store_true", help="empty the page cache before each request (the first view after a write)")
    ap.add_argument("--filter", default="", help="only functions whose file matches this regex")
    ap.add_argument("--queries", action="store_true", help="print the SQL of one request")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi_profile_"))
    shutil.copyfile(args.db, work / "demo.sqlite3")
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FAZHI_DEMO": "1",
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{work / 'demo.sqlite3'}",
        "FAZHI_FIELD_KEYS_FILE": args.keys,
    }
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # this checkout's migrations, as run.py does
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    sys.path.insert(0, str(Path(__file__).parent))
    from plan import LINKS, REGISTER

    users = get_user_model().objects
    clerk, leader, citizen = Client(), Client(), Client()
    clerk.force_login(users.get(username="clerk"))
    leader.force_login(users.get(username="leader"))
    clinks = LINKS["clerk"](lambda p: clerk.get(p).content.decode())
    llinks = LINKS["leader"](lambda p: leader.get(p).content.decode())
    pages = {
        "login": (citizen, "/login/"),
        "home": (leader, "/"),
        "dashboard": (leader, "/zhibiao/"),
        "trace": (leader, llinks["traces"][len(llinks["traces"]) // 2]),
        "list": (clerk, f"/r/{REGISTER}/"),
        "search": (clerk, f"/r/{REGISTER}/?q=2025"),
        "matter": (clerk, clinks["matters"][0]),
        "step": (clerk, clinks["steps"][0] if clinks["steps"] else clinks["matters"][0]),
        "portal": (citizen, "/gongkai/"),
        "enforcement": (citizen, "/gongshi/zhifa/"),
        "tracking": (citizen, "/gongkai/chaxun/"),
    }
    chosen = [p for p in args.pages.split(",") if p] or list(pages)
    for name in chosen:
        client, path = pages[name]
        r = client.get(path)  # warm
        assert r.status_code == 200, (name, path, r.status_code)
        if args.cold:
            cache.clear()
        # the request resets connection.queries when it starts (and may close the connection when it
        # ends): count through a wrapper on the connection instead
        captured: list[dict[str, str]] = []

        def record(execute, sql, params, many, context, captured=captured):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append({"sql": sql, "time": f"{time.perf_counter() - t:.4f}"})

        with connection.execute_wrapper(record):
            t0 = time.perf_counter()
            client.get(path)
            one = time.perf_counter() - t0
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for _ in range(args.repeat):
            if args.cold:
                cache.clear()
            client.get(path)
        prof.disable()
        avg = (time.perf_counter() - t0) / args.repeat
        print(f"=== {name} {path}: {one * 1000:.0f} ms, {len(captured)} queries ({sql_ms:.0f} ms SQL); profiled mean {avg * 1000:.0f} ms")
        if args.queries:
            for q in captured:
                print(f"  {q['time']} {q['sql'][:300]}")
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(*([args.filter] if args.filter else []), args.top)
        print("\n".join(out.getvalue().splitlines()[6:]))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
