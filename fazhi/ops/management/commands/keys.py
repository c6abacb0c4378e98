"""fazhi keys init [--if-missing] | status | rotate | retire KEY_ID"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.fieldcrypt import FieldKeyError, keyring, keys_path
from fazhi.core.progress import progress_bar
from fazhi.ops import keys


class Command(BaseCommand):
    help = "个人信息加密密钥：创建、查看、轮换（重新加密全部个人信息）、停用旧密钥"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="创建密钥文件（保存在数据库之外，单独备份）")
        init.add_argument("--if-missing", action="store_true", help="密钥文件已存在时不做任何事（安装脚本用）")
        sub.add_parser("status", help="密钥文件、当前密钥，以及各密钥加密的记录数")
        sub.add_parser("rotate", help="生成新密钥作为当前密钥，并用它重新加密全部个人信息")
        retire = sub.add_parser("retire", help="从密钥文件中删除不再使用的旧密钥")
        retire.add_argument("key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._run(options)
        except (keys.KeyFileError, FieldKeyError) as exc:
            raise CommandError(str(exc)) from exc

    def _run(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "init":
            if options["if_missing"] and keys_path().exists():
                return
            kid = keys.keys_init()
            self.stdout.write(f"已创建密钥文件 {keys_path()}（当前密钥 {kid}）。请将其与数据库分开备份：丢失密钥即无法读取个人信息。")
            if "dev" in keyring().keys:
                self.stdout.write("数据库中已有用开发密钥加密的记录：请运行 fazhi keys rotate，然后 fazhi keys retire dev。")
        elif action == "status":
            ring = keyring()
            self.stdout.write(f"密钥文件：{'无（使用公开的开发密钥，仅限本机演示）' if ring.is_development else ring.path}")
            self.stdout.write(f"当前密钥：{ring.current}")
            for kid, n in keys.key_usage().items():
                missing = "（密钥文件中没有此密钥！）" if n and kid not in ring.keys else ""
                self.stdout.write(f"  {kid}{'（当前）' if kid == ring.current else ''}：{n} 条记录{missing}")
        elif action == "rotate":
            bar = progress_bar(total=None, desc="重新加密")
            kid, written = keys.keys_rotate(progress=bar.update)
            bar.close()
            self.stdout.write(f"当前密钥已换为 {kid}，重新加密 {sum(written.values())} 行：")
            for table, n in written.items():
                self.stdout.write(f"  {table}：{n}")
            self.stdout.write("旧密钥可在确认无记录使用后用 fazhi keys retire 停用（fazhi keys status 查看）。")
        elif action == "retire":
            keys.keys_retire(options["key_id"])
            self.stdout.write(f"已停用密钥 {options['key_id']}")
