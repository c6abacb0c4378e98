"""fazhi export parquet DIR | verify DIR [--key KEY]: the indicators' rows for a province."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.progress import progress_bar
from fazhi.indicators.export import ExportError, export_parquet, export_verify


class Command(BaseCommand):
    help = "导出指标所用的数据（Parquet，附签名清单）供省级汇总；verify 核验导出目录（无需数据库）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("parquet", help="导出到一个新目录")
        p.add_argument("directory", type=Path)
        v = sub.add_parser("verify", help="核验导出目录的校验值、清单签名和检查点")
        v.add_argument("directory", type=Path)
        v.add_argument("--key", default=None, help="该城市（区）公布的公钥（名称+密钥编号+公钥）；不给出时只能核验目录完整")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["directory"]
        if options["action"] == "parquet":
            bars: list[Any] = []

            def progress(label: str, total: int | None) -> Callable[[int], None]:
                for bar in bars:
                    bar.close()
                bars[:] = [progress_bar(total=total, desc=label, stream=self.stderr)]
                return bars[0].update

            try:
                manifest = export_parquet(folder, progress)
            except ExportError as exc:
                raise CommandError(str(exc)) from exc
            finally:
                for bar in bars:
                    bar.close()
            rows = sum(e["rows"] for e in manifest["files"].values())
            size = sum(e["bytes"] for e in manifest["files"].values())
            self.stdout.write(
                f"已导出 {manifest['instance']['name']}（{manifest['instance']['code']}）到 {folder}："
                f"{len(manifest['files'])} 个文件，{rows:,} 行，{size / 1048576:.1f} MB；"
                f"检查点：全过程记录 {manifest['checkpoint']['size']} 条，根哈希 {manifest['checkpoint']['root'][:16]}…"
            )
            return
        try:
            verified = export_verify(folder, options["key"])
        except ExportError as exc:
            raise CommandError(f"核验未通过：{exc}") from exc
        m = verified.manifest
        who = f"{m['instance']['name']}（{m['instance']['code']}）"
        self.stdout.write(f"核验通过：{who}{m['as_of']} 的导出，{len(m['files'])} 个文件与清单一致，清单签名和检查点有效。")
        if not verified.key_given:
            self.stdout.write("注意：未用 --key 提供该城市（区）公布的公钥，以上只证明目录完整，未证明由该城市（区）签发。")
