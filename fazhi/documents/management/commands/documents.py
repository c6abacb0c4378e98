"""fazhi documents verify FILE [--against CHECKPOINT] [--key KEY] | render [--date D] [--unit CODE]"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fazhi.audit import signing
from fazhi.core.errors import FazhiError
from fazhi.core.http import failure_message
from fazhi.core.models import Unit
from fazhi.core.progress import progress_bar
from fazhi.documents import services
from fazhi.documents.models import IssuedDocument
from fazhi.documents.proof import inclusion_check


class Command(BaseCommand):
    help = "文书：查验文书文件（可对照库外签名检查点），预先生成某日文书的 PDF"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="查验一份文书文件（PDF 或 DOCX）是否由本平台出具且未被改动")
        verify.add_argument("file", help="文书文件路径")
        verify.add_argument("--against", metavar="CHECKPOINT", help="库外保存的签名检查点文件：同时证明该文书的记录包含在检查点中")
        verify.add_argument("--key", help="核验检查点签名用的公钥（“名称+密钥编号+公钥”，或含此串的文件）；默认本站密钥")
        render = sub.add_parser("render", help="预先生成（并固定）某日出具文书的 PDF")
        render.add_argument("--date", help="出具日期 YYYY-MM-DD，默认今天")
        render.add_argument("--unit", help="出具单位的单位编码，默认全部单位")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self._verify(Path(options["file"]), options.get("against"), options.get("key"))
        else:
            self._render(options.get("date"), options.get("unit"))

    def _verify(self, path: Path, against: str | None, key: str | None) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        content = path.read_bytes()
        note = None
        if against:
            if key and Path(key).is_file():
                key = Path(key).read_text(encoding="utf-8").strip()
            if not Path(against).is_file():
                raise CommandError(f"找不到检查点文件：{against}")
            try:
                note = signing.note_verify(Path(against).read_text(encoding="utf-8"), key)
            except (signing.NoteError, UnicodeDecodeError) as exc:
                raise CommandError(f"检查点：{exc}") from exc
        verdict = services.verify_file(content)
        self.stdout.write(verdict.message)
        ok = verdict.ok
        if note is not None and verdict.found and verdict.file_matches:
            inclusion = inclusion_check(content, note)
            for line in inclusion.lines:
                self.stdout.write(line)
            ok = ok and inclusion.ok
        if not ok:
            raise CommandError("查验未通过。")
        self.stdout.write("查验通过。" if note is None else "查验通过：文件与出具的文书一致，且其记录包含在签名检查点中。")

    def _render(self, day_arg: str | None, unit_code: str | None) -> None:
        try:
            day = dt.date.fromisoformat(day_arg) if day_arg else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"出具日期格式不正确：{day_arg}（应为 YYYY-MM-DD）") from exc
        qs = IssuedDocument.objects.filter(issued_on=day).select_related("unit").order_by("id")
        if unit_code:
            unit = Unit.objects.filter(code=unit_code).first()
            if unit is None:
                raise CommandError(f"没有单位编码为 {unit_code} 的单位")
            qs = qs.filter(unit=unit)
        todo = list(qs.exclude(renditions__kind="pdf"))
        failed = 0
        batch = 25  # documents per LibreOffice run (its start-up is most of the cost of one)
        with progress_bar(total=len(todo), desc="生成 PDF", stream=self.stderr) as bar:
            for start in range(0, len(todo), batch):
                part = todo[start : start + batch]
                try:
                    services.documents_pdf(part)
                except FazhiError as exc:
                    failed += len(part)
                    self.stderr.write(f"{part[0].number} 等 {len(part)} 份：{failure_message(exc)}")
                except subprocess.SubprocessError:
                    failed += len(part)
                    self.stderr.write(f"{part[0].number} 等 {len(part)} 份：LibreOffice 转换失败或超时")
                bar.update(len(part))
        total = qs.count()
        self.stdout.write(f"{day.isoformat()}：文书 {total} 份，本次生成 PDF {len(todo) - failed} 份，此前已生成 {total - len(todo)} 份。")
        if failed:
            raise CommandError(f"{failed} 份文书的 PDF 未能生成。")
