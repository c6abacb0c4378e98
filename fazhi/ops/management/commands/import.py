"""fazhi import units|users|REGISTER FILE: load the unit tree, the users or a register's ledger (all-or-nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.errors import FazhiError, ImportFailed
from fazhi.core.importers import IMPORTERS
from fazhi.core.progress import progress_bar
from fazhi.core.tabular import read_table
from fazhi.registers.framework.ledger import ledger_import
from fazhi.registers.framework.registry import REGISTRY


class Command(BaseCommand):
    help = "从 xlsx/csv 导入单位树（units）、人员（users）、权责清单（powers）、执法人员（officers）或某个台账；出错时整个文件都不导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS) + sorted(REGISTRY))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="以该用户的名义导入台账（检查其单位和角色）；不填则以系统操作员名义导入")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        data, kind = path.read_bytes(), options["kind"]
        try:
            if kind in IMPORTERS:
                with progress_bar(total=None, desc="导入", stream=self.stderr) as bar:
                    result = IMPORTERS[kind](data=data, filename=path.name, progress=bar.update)
            else:
                actor = None
                if options["user"]:
                    actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
                    if actor is None:
                        raise CommandError(f"找不到用户 {options['user']}")
                reg = REGISTRY[kind]
                rows = len(read_table(data, path.name, required=[]).rows)
                with progress_bar(total=rows, desc=f"导入{reg.definition.label}台账", stream=self.stderr) as bar:
                    result = ledger_import(reg=reg, data=data, filename=path.name, actor=actor, progress=bar.update, cli=actor is None)
        except ImportFailed as exc:
            raise CommandError("导入未执行，文件中有以下错误：\n" + "\n".join(exc.problems)) from exc
        except FazhiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"导入完成：{result.summary()}")
