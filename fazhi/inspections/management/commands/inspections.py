"""fazhi inspections verify-draw FILE: re-run a published 双随机 draw and compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.inspections.draw import verify


class Command(BaseCommand):
    help = "双随机抽查：verify-draw FILE 按公布的输入重新抽取，核对结果是否一致"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify-draw", help="核验一次公布的随机抽取")
        v.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取抽取文件 {path}：{exc}") from exc
        try:
            problems = verify(document)
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"文件内容不完整或格式错误：{exc!r}") from exc
        if problems:
            raise CommandError("核验未通过：\n" + "\n".join(problems))
        result = document["result"]
        self.stdout.write(
            f"核验通过：重新抽取得到相同的 {len(result['selected'])} 个检查对象（符合条件 {result['eligible']} 个）及其检查人员；"
            f"种子来源：{document['inputs']['seed']['source']}，值 {document['inputs']['seed']['value']}"
        )
