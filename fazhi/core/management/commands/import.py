"""fazhi import units|users FILE: load the unit tree or the users from xlsx/csv (all-or-nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.errors import FazhiError
from fazhi.core.importers import units_import, users_import
from fazhi.core.progress import progress_bar

IMPORTERS = {"units": units_import, "users": users_import}


class Command(BaseCommand):
    help = "从 xlsx/csv 导入单位树（units）或人员（users）；出错时整个文件都不导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        importer = IMPORTERS[options["kind"]]
        try:
            with progress_bar(total=None, desc="导入", stream=self.stderr) as bar:
                result = importer(data=path.read_bytes(), filename=path.name, progress=bar.update)
        except FazhiError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"导入完成：{result.summary()}")
