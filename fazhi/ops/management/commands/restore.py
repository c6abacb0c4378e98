"""fazhi restore DIR: into an empty database, only a backup whose checksums and audit log verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从备份目录恢复到空数据库：先核对清单中每个文件的校验值，恢复后校验全过程记录，不通过则撤销恢复"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(options["directory"], progress=lambda step: self.stderr.write(f"… {step}"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.problems:
            raise CommandError("恢复的数据未通过全过程记录校验，已撤销恢复：\n  - " + "\n  - ".join(report.problems[:20]))
        self.stdout.write(f"已恢复：全过程记录 {report.leaves} 条校验通过，文件 {report.files} 个。")
