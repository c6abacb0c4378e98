"""fazhi reader extract FILE [--json] | check FILE | compare FILES... [--xlsx OUT] [--metric M]."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.progress import progress_bar
from fazhi.reader import compare as comparing
from fazhi.reader.document import Report, read_path
from fazhi.reader.labels import LabelError
from fazhi.reader.loaders import ReaderError


class Command(BaseCommand):
    help = "报告阅读器：extract 提取数字及标签；check 检查合计、比率、法定内容、重复段落、年份；compare 多份报告对比（可导出 xlsx）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["extract", "check", "compare"])
        parser.add_argument("files", nargs="+", help=".txt / .html / .pdf / .docx / .zip（保存的网页）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--text", action="store_true", help="JSON 中包含清洗后的正文")
        parser.add_argument("--xlsx", help="compare：写入 xlsx 文件")
        parser.add_argument("--metric", default=comparing.DEFAULT_METRIC, help="compare：图表所用指标")
        parser.add_argument("--all", action="store_true", help="compare：列出全部指标（默认只列至少两份报告都有的）")

    def _read(self, path: str) -> Report:
        bar = None

        def progress(done: int, total: int) -> None:  # a scanned PDF: seconds a page
            nonlocal bar
            if bar is None:
                bar = progress_bar(total=total, desc=f"文字识别（OCR）{Path(path).name}", stream=self.stderr, unit="页")
            bar.update(done - bar.n)

        try:
            return read_path(path, progress=progress)
        except (ReaderError, LabelError) as exc:
            raise CommandError(f"{path}：{exc}") from exc
        finally:
            if bar is not None:
                bar.close()

    def handle(self, *args: Any, **options: Any) -> None:
        action, files = options["action"], options["files"]
        if action in ("extract", "check") and len(files) != 1:
            raise CommandError(f"{action} 一次读取一个文件")
        if action == "extract":
            report = self._read(files[0])
            if options["json"]:
                self.stdout.write(json.dumps(report.as_dict(with_text=options["text"]), ensure_ascii=False, indent=2))
                return
            self.stdout.write(f"{report.title}｜{report.jurisdiction or '地区不详'}｜{report.year or '年度不详'}年度｜{len(report.figures)} 个数字")
            for f in report.figures:
                approx = "约" if f.approx else ""
                low = f"（置信度低；{f.alternatives_note}）" if f.alternatives_note else "（置信度低）" if f.low_confidence else ""
                self.stdout.write(f"{f.start:>6}  {f.quote:<16}{approx}{f.value:>14} {f.unit:<5} {f.metric or '（未归类）'}{low}")
            return
        if action == "check":
            report = self._read(files[0])
            if options["json"]:
                self.stdout.write(json.dumps([c.as_dict() for c in report.checks], ensure_ascii=False, indent=2))
                return
            if not report.checks:
                self.stdout.write("未发现问题。")
            for c in report.checks:
                d = c.as_dict()
                where = f"@{c.start}" if c.start is not None else ""
                self.stdout.write(f"[{d['severity_name']}] {d['kind_name']}{where}：{c.message}")
            return
        reports = []
        with progress_bar(total=len(files), desc="读取报告", stream=self.stderr) as bar:
            for path in files:
                reports.append(self._read(path))
                bar.update(1)
        result = comparing.compare(reports, min_reports=1 if options["all"] else 2)
        if options["json"]:
            data = {
                "reports": [{"file": r.name, "jurisdiction": r.jurisdiction, "year": r.year, "title": r.title} for r in reports],
                "metrics": {m: [(c.value if (c := result.cells.get((m, i))) else None) for i in range(len(reports))] for m in result.metrics},
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            header = ["指标", *(result.column(i) for i in range(len(reports)))]
            self.stdout.write("\t".join(header))
            for m in result.metrics:
                self.stdout.write("\t".join([m, *((c.shown if (c := result.cells.get((m, i))) else "—") for i in range(len(reports)))]))
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(comparing.to_xlsx(result, options["metric"]))
            self.stderr.write(f"已写入 {options['xlsx']}（{len(result.metrics)} 项指标，{len(reports)} 份报告）")
