"""fazhi scenario run PATH... [--json]: replay whole matters on a throwaway database and check the law."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from fazhi.core.errors import DefinitionError
from fazhi.registers.framework.scenarios import Outcome, ScenarioError, scenarios_load, scenarios_run


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A freshly migrated database of the configured engine, dropped afterwards: SQLite in
    memory, or a new database on the PostgreSQL server of DATABASE_URL."""
    conn = connections[DEFAULT_DB_ALIAS]
    test = conn.settings_dict.setdefault("TEST", {})
    saved = test.get("NAME")
    tmp = None
    if conn.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="fazhi-scenario-")
        test["NAME"] = os.path.join(tmp, "scenario.sqlite3")
    else:
        test["NAME"] = f"fazhi_scenario_{os.getpid()}"
    old_name = conn.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    try:
        yield
    finally:
        conn.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        test["NAME"] = saved
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


class Command(BaseCommand):
    help = "法律场景：在临时数据库中按步骤办理整个事项，核对状态、期限和期限遵守情况是否符合法律规定"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="运行场景文件（YAML 文件或目录）")
        run.add_argument("paths", nargs="+", metavar="PATH")
        run.add_argument("--json", action="store_true", help="以 JSON 输出 [{name, passed, differences}]")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scenarios = scenarios_load(options["paths"])
        except (ScenarioError, DefinitionError) as exc:
            raise CommandError(str(exc)) from exc
        if not scenarios:
            raise CommandError("没有找到任何场景")
        as_json = options["json"]
        total = len(scenarios)

        def progress(o: Outcome) -> None:
            if as_json:
                return
            done = progress.count = getattr(progress, "count", 0) + 1  # type: ignore[attr-defined]
            mark = "PASS" if o.passed else "FAIL"
            self.stdout.write(f"[{done}/{total}] {mark} {o.scenario.name}（{o.scenario.reference}；{o.scenario.where}）")
            for d in o.differences:
                self.stdout.write(f"    - {d}")

        if not as_json:
            self.stdout.write(f"正在建立临时数据库并运行 {total} 个场景…")
        try:
            with throwaway_database():
                outcomes = list(scenarios_run(scenarios, progress))
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        failed = sum(1 for o in outcomes if not o.passed)
        if as_json:
            self.stdout.write(json.dumps([o.as_dict() for o in outcomes], ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{total - failed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} 个场景不符合预期", returncode=1)
