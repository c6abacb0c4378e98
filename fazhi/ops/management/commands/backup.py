"""fazhi backup DIR: the database (native dump) and the stored files, with a manifest of checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）和文书、证据文件到一个新目录，附校验清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(options["directory"], progress=lambda step: self.stderr.write(f"… {step}"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = sum(e["bytes"] for e in manifest["files"].values())
        self.stdout.write(
            f"已备份到 {options['directory']}：{len(manifest['files'])} 个文件，{size / 1048576:.1f} MB；"
            f"全过程记录 {manifest['audit']['size']} 条，根哈希 {manifest['audit']['root'][:16]}…\n"
            "检查点签名密钥和环境变量中的密钥不在备份中，请另行保管。"
        )
