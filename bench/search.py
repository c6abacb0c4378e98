"""Search, count and sorted pages of the register list at scale: LIKE '%q%' on the matter table
against the search table's index (FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL).

Builds its own data set in an empty database: a city of ``--districts`` districts with five
enforcement departments each, and ``--rows`` 行政执法 cases written in bulk (random but plausible
names of people and companies, decision numbers on the decided ones; a benchmark data set, not
a procedure: no events), then the search rows by ``search_rebuild``.

    DATABASE_URL=sqlite:////tmp/fazhi-search.sqlite3 .venv/bin/python bench/search.py --rows 300000
    URL=$(scripts/pg-local start /tmp/pg_search 54342)
    DATABASE_URL=$URL .venv/bin/python bench/search.py --rows 300000

``--existing`` measures the database as it is instead, e.g. the city dataset that
``bench/city_build.sh postgresql`` leaves on its server (port 54330):

    DATABASE_URL=postgres://postgres@127.0.0.1:54330/fazhi .venv/bin/python bench/search.py --existing

Prints a block for bench/results/search.txt (machine, date, figures: median of ``--runs``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F, Q  # noqa: E402

from fazhi.core.models import Kind, Level, Role  # noqa: E402
from fazhi.core.services import membership_grant, unit_create  # noqa: E402
from fazhi.registers.enforcement.models import EnforcementCase, Officer, PowerItem  # noqa: E402
from fazhi.registers.framework.models import SearchEntry  # noqa: E402
from fazhi.registers.framework.registry import REGISTRY  # noqa: E402
from fazhi.registers.framework.search import matters_search, search_matches, search_rebuild  # noqa: E402
from fazhi.registers.framework.selectors import matters_visible_to  # noqa: E402

PAGE = 50
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏飞建国志强海燕春梅晓东文斌浩宇欣怡子涵梓轩雨萱俊杰嘉豪思远佳琪博文天翊"
FIRMS = ["商贸", "食品", "建材", "餐饮", "电器", "物流", "科技", "医药", "农业", "服装"]
STATES = ["investigating", "notified", "under_review", "decided", "served", "executed", "closed", "closed", "closed", "closed"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def build(rows: int, districts: int, seed: int) -> float:
    """An empty database: the city, its units and ``rows`` cases. A filled one: nothing."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if EnforcementCase.objects.exists():
        return time.perf_counter() - started
    rng = random.Random(seed)
    with transaction.atomic():
        city = unit_create(name="江城市人民政府", short_name="江城", code="JC", level=Level.CITY, kind=Kind.GOVERNMENT)
        admin = get_user_model().objects.create_user("admin", first_name="管理员")
        membership_grant(user=admin, unit=city, role=Role.ADMIN)
        depts = []
        for d in range(districts):
            district = unit_create(
                name=f"江城市第{d + 1}区人民政府", short_name=f"{d + 1}区", code=f"JC-{d:02}", level=Level.DISTRICT, kind=Kind.GOVERNMENT, parent=city
            )
            for k in range(5):
                dept = unit_create(
                    name=f"第{d + 1}区执法局{k + 1}",
                    short_name=f"{d + 1:02}区{k + 1}",
                    code=f"JC-{d:02}-{k}",
                    level=Level.DISTRICT,
                    kind=Kind.DEPARTMENT,
                    parent=district,
                )
                item = PowerItem.objects.create(unit=dept, code=f"CF-{d}-{k}", name="对违法经营的处罚", kind="penalty", legal_basis="《测试法》第一条")
                officers = [
                    Officer.objects.create(
                        unit=dept,
                        name=f"执法{i}",
                        code=f"42{d:03}{k}{i}",
                        certificate_issued_on=dt.date(2020, 1, 1),
                        certificate_valid_until=dt.date(2030, 12, 31),
                    )
                    for i in range(2)
                ]
                depts.append((dept, item, officers))
    sequences: dict[tuple[int, int], int] = {}
    batch: list[EnforcementCase] = []
    start = dt.date(2024, 1, 1)
    for n in range(rows):
        dept, item, officers = depts[n % len(depts)]
        received = start + dt.timedelta(days=rng.randrange(730))
        key = (dept.pk, received.year)
        sequences[key] = seq = sequences.get(key, 0) + 1
        state = rng.choice(STATES)
        decided = state in ("decided", "served", "executed", "closed")
        company = rng.random() < 0.4
        batch.append(
            EnforcementCase(
                unit=dept,
                case_number=f"{dept.short_name}执〔{received.year}〕{seq}号",
                year=received.year,
                sequence=seq,
                state=state,
                power_item=item,
                received_on=received,
                due_on=None if state == "closed" else received + dt.timedelta(days=90),
                closed_on=received + dt.timedelta(days=60) if state == "closed" else None,
                party_type="legal_person" if company else "natural_person",
                party_name=f"江城{_name(rng)}{rng.choice(FIRMS)}有限公司" if company else _name(rng),
                facts="违法经营",
                lead_officer=officers[0],
                second_officer=officers[1],
                decision_number=f"{dept.short_name}罚决〔{received.year}〕{seq}号" if decided else "",
            )
        )
        if len(batch) >= 5000:
            EnforcementCase.objects.bulk_create(batch, batch_size=1000)
            batch = []
    EnforcementCase.objects.bulk_create(batch, batch_size=1000)
    search_rebuild(REGISTRY["enforcement"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()  # warm the cache
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--districts", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--existing", action="store_true", help="measure the database as it is (the city dataset)")
    args = parser.parse_args()
    built = 0.0 if args.existing else build(args.rows, args.districts, args.seed)
    reg = REGISTRY["enforcement"]
    model = reg.model
    admin = get_user_model().objects.get(username="admin")  # sees the whole city: the largest list
    visible = matters_visible_to(admin, reg)
    n = model.objects.count()
    sample = model.objects.exclude(decision_number="").order_by("pk")[n // 3]
    name = sample.party_name
    two = next((v for v in model.objects.values_list("party_name", flat=True)[:2000] if len(v) == 3), name)[:2]
    queries = [
        ("a party's full name", name),
        ("a decision number (part)", sample.decision_number[-8:]),
        ("a case number", model.objects.order_by("-pk").values_list("case_number", flat=True)[n // 2]),
        ("a two-character name", two),
        ("absent text (4 chars)", "不存在的"),
    ]
    lines = [
        f"== bench/search.py on {connection.vendor} ({connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}) ==",
        f"date: {dt.date.today()}  commit: {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}",
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs (shared); "
        + ("the existing database (the city dataset: fazhi demo --scale city)" if args.existing else f"build {built:.0f} s"),
        f"enforcement cases: {n:,}; search rows: {SearchEntry.objects.filter(register='enforcement').count():,}; median of {args.runs} runs, whole-city user",
        "",
        f"{'query':30} {'matches':>8} {'LIKE on table: page+count ms':>30} {'index: page+count ms':>22}",
    ]
    for label, q in queries:
        naive = visible.filter(Q(case_number__contains=q) | Q(party_name__contains=q) | Q(decision_number__contains=q))
        indexed = matters_search(visible, reg, q)

        def run(qs: Any) -> tuple[int, list[int]]:
            return qs.count(), list(qs.order_by("-pk").values_list("pk", flat=True)[:PAGE])

        t_naive, r_naive = timed(lambda qs=naive: run(qs), args.runs)
        t_index, r_index = timed(lambda qs=indexed: run(qs), args.runs)
        assert r_naive == r_index, (label, q, r_naive[0], r_index[0])
        lines.append(f"{label + ' ' + repr(q):30} {r_index[0]:>8,} {t_naive:>30.1f} {t_index:>22.1f}")
    lines.append("")
    t, total = timed(lambda: visible.count(), args.runs)
    lines.append(f"COUNT of the whole list ({total:,} cases): {t:.1f} ms")
    t, _ = timed(lambda: list(visible.order_by("-pk").values_list("pk", flat=True)[:PAGE]), args.runs)
    lines.append(f"default order, first page (keyset): {t:.1f} ms")
    deep = visible.order_by("-pk").values_list("pk", flat=True)[total // 2]
    t, _ = timed(lambda: list(visible.filter(pk__lt=deep).order_by("-pk").values_list("pk", flat=True)[:PAGE]), args.runs)
    lines.append(f"default order, a page half way (keyset): {t:.1f} ms")
    for key in ("received_on", "due_on"):
        order = [F(key).asc(nulls_last=True), "pk"]
        t1, _ = timed(lambda order=order: list(visible.order_by(*order).values_list("pk", flat=True)[:PAGE]), args.runs)
        t2, _ = timed(lambda order=order: list(visible.order_by(*order).values_list("pk", flat=True)[total // 2 : total // 2 + PAGE]), args.runs)
        lines.append(f"sorted by {key}: first page {t1:.1f} ms, page {total // 2 // PAGE:,} (OFFSET) {t2:.1f} ms")
    if connection.vendor == "postgresql":
        sql, params = search_matches(reg, name).values("matter_id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = [r[0] for r in cursor.fetchall()]
        lines.append("plan of the search rows: " + " / ".join(p.strip() for p in plan if "Scan" in p))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
