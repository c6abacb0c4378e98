"""Measure the pages users wait for through the production server (issue 24, part 1).

    .venv/bin/python bench/load/run.py --label before [--seconds 20] [--users 8] [--pages home,dashboard]

Copies the demo database (``--db``, default /tmp/bench_demo.sqlite3) to a private file (or, with
``--database-url``, serves a PostgreSQL database in place: the city dataset), serves it
with gunicorn on 127.0.0.1 and a free port the way ``scripts/run`` does (the same WSGI application,
workers by cores, static files through WhiteNoise, ``FAZHI_DEMO=1`` so that the development keys are
accepted, DEBUG off), then runs locust headless against one page at a time (``--users`` simulated
users sending their next request as soon as the last is answered, for ``--seconds``), the login page
first and last as the floor, and appends a text summary (p50, p95, req/s, failures per page; machine,
date, git revision) to ``--out`` (bench/results/pages.txt). Loopback only; nothing is posted but
the logins (one per simulated user).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.cookiejar
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from plan import LINKS

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "bin"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# locust (requirements-bench.txt) from another environment when this one lacks it
LOCUST = os.environ.get("FAZHI_BENCH_LOCUST", str(VENV / "locust"))

# tag of the locustfile -> (user class, the name its requests carry)
PAGES = {
    "login": ("Floor", "login page"),
    "home": ("Leader", "home / to-do"),
    "dashboard": ("Leader", "dashboard /zhibiao/"),
    "trace": ("Leader", "trace page"),
    "list": ("Clerk", "register list"),
    "search": ("Clerk", "register search"),
    "matter": ("Clerk", "matter page"),
    "step": ("Clerk", "step form (GET)"),
    "portal": ("Citizen", "portal: request page"),
    "enforcement": ("Citizen", "portal: enforcement decisions"),
    "tracking": ("Citizen", "portal: tracking lookup"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, seconds: float = 60) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def _session(host: str, username: str, password: str) -> tuple[str, Callable[[str], str]]:
    """Log in once (outside the timed part) and return the session cookie and a GET through it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(host + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}).encode()
    opener.open(urllib.request.Request(host + "/login/", body, headers={"Referer": host + "/login/"})).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise SystemExit(f"login of {username} failed")
    return session, lambda path: str(opener.open(host + path).read().decode())


def _stats(prefix: str, name: str) -> dict[str, float]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == name:
                return {
                    "n": float(row["Request Count"]),
                    "fail": float(row["Failure Count"]),
                    "p50": float(row["50%"]),
                    "p95": float(row["95%"]),
                    "p99": float(row["99%"]),
                    "rps": float(row["Requests/s"]),
                }
    raise SystemExit(f"locust recorded no request named {name!r} ({prefix}_stats.csv)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", required=True, help="what is measured (before/after ...), written in the summary")
    ap.add_argument("--db", default="/tmp/bench_demo.sqlite3", help="the demo database, copied first (never written)")
    ap.add_argument("--keys", default="/tmp/bench_keys.json", help="its key file of personal data")
    ap.add_argument(
        "--database-url",
        help="serve this database instead of a copy of --db (PostgreSQL: the city dataset of bench/city_build.sh); "
        "the logins write their sessions to it, nothing else is written",
    )
    ap.add_argument("--seconds", type=int, default=20, help="seconds of load per page")
    ap.add_argument("--warm", type=int, default=3, help="seconds of the same load before each page's timed part (each worker's first requests fill its caches)")
    ap.add_argument("--users", type=int, default=8, help="simulated users (concurrent clients)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("FAZHI_WORKERS", 2 * (os.cpu_count() or 1) + 1)))
    ap.add_argument("--pages", default=",".join(p for p in PAGES if p != "login"), help="comma-separated, of: " + ", ".join(PAGES))
    ap.add_argument("--clerk", default="clerk")
    ap.add_argument("--leader", default="leader")
    ap.add_argument("--password", default="fazhi-demo-2026", help="the demo accounts' password")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "pages.txt"))
    args = ap.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        raise SystemExit(f"unknown pages: {unknown}")
    order = ["login", *[p for p in pages if p != "login"], "login"]

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="fazhi_load_"))
    if args.database_url:
        database_url, db_desc = args.database_url, args.database_url.split("@")[-1] + " (served in place)"
    else:
        db = work / "demo.sqlite3"
        shutil.copyfile(args.db, db)
        database_url, db_desc = f"sqlite:///{db}", f"{args.db} (copied)"
    vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    static = Path(os.environ.get("FAZHI_BENCH_STATIC", "/tmp/fazhi_load_static"))
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FAZHI_DEMO": "1",
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "FAZHI_FIELD_KEYS_FILE": args.keys,
        "FAZHI_STATIC_ROOT": str(static),
    }
    # the copy gets this checkout's migrations, as scripts/run does before it serves
    subprocess.run([str(VENV / "python"), "-m", "fazhi", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    if not (static / "vendor").exists():
        print("collectstatic (once) ...", flush=True)
        subprocess.run([str(VENV / "python"), "-m", "fazhi", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 (closed after the server stops)
    server = subprocess.Popen(
        [str(VENV / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "300"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        _wait_up(host + "/login/")
        plan = {}
        for role, username in (("clerk", args.clerk), ("leader", args.leader)):
            session, get = _session(host, username, args.password)
            plan[role] = {"session": session, "links": LINKS[role](get)}
            print(f"{role} ({username}): " + ", ".join(f"{len(v)} {k}" for k, v in plan[role]["links"].items()), flush=True)
        for i, page in enumerate(order):
            cls, name = PAGES[page]
            prefix = str(work / f"{i:02d}_{page}")
            print(f"{page}: {args.users} users, {args.warm} s warm-up (not counted) + {args.seconds} s ...", flush=True)
            for seconds, csv_prefix in ((args.warm, prefix + "_warm"), (args.seconds, prefix)):
                subprocess.run(
                    [
                        LOCUST,
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        "--only-summary",
                        "--host",
                        host,
                        "-u",
                        str(args.users),
                        "-r",
                        str(args.users),
                        "-t",
                        f"{seconds}s",
                        "--tags",
                        page,
                        "--csv",
                        csv_prefix,
                        "--loglevel",
                        "WARNING",
                        cls,
                    ],
                    env=os.environ | {"FAZHI_BENCH_WAIT": os.environ.get("FAZHI_BENCH_WAIT", "0"), "FAZHI_BENCH_PLAN": json.dumps(plan)},
                    cwd=ROOT,
                    check=False,
                    stdout=subprocess.DEVNULL,
                )
            s = _stats(prefix, name)
            rows.append((page, name, s))
            print(f"  p50 {s['p50']:.0f} ms  p95 {s['p95']:.0f} ms  {s['rps']:.1f} req/s  failures {s['fail']:.0f}/{s['n']:.0f}", flush=True)
    finally:
        server.terminate()
        server.wait(30)
        log.close()

    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "fazhi", "config"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    lines = [
        f"## {args.label} — {dt.datetime.now():%Y-%m-%d %H:%M} — git {rev}{' + uncommitted changes' if dirty else ''}",
        f"# machine: {platform.machine()}, {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {vendor}; "
        f"1-min load average before/after the run: {load_before:.1f}/{os.getloadavg()[0]:.1f}",
        f"# gunicorn {args.workers} workers (scripts/run's 2*nproc+1), WhiteNoise, FAZHI_DEMO=1, DEBUG off; database {db_desc};",
        f"# locust 2.47.0 on the same machine, {args.users} users each sending the next request when the last is answered, {args.seconds} s a page",
        f"# after {args.warm} s of the same load not counted;",
        "# the login page first and last (the floor, same run).",
        f"{'page':34} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7} {'fail':>6} {'requests':>9}",
    ]
    for _page, name, s in rows:
        lines.append(f"{name:34} {s['p50']:7.0f} {s['p95']:7.0f} {s['p99']:7.0f} {s['rps']:7.1f} {s['fail']:6.0f} {s['n']:9.0f}")
    text = "\n".join(lines) + "\n\n"
    print(text)
    with open(args.out, "a") as f:
        f.write(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
