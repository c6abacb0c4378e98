"""fazhi indicators list | compute | check | rebuild."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.models import Unit
from fazhi.core.progress import progress_bar
from fazhi.indicators import rollups
from fazhi.indicators.catalogue import all_measures, catalogue
from fazhi.indicators.engine import Computation, Period, yoy_caution


def period_from(options: dict[str, Any]) -> Period:
    if options.get("start") or options.get("end"):
        if not (options.get("start") and options.get("end")):
            raise CommandError("--from 与 --to 须同时给出")
        start, end = options["start"], options["end"]
        if end < start:
            raise CommandError("--to 不能早于 --from")
        return Period(start, end, f"{start} 至 {end}")
    year = options.get("year")
    if not year:
        raise CommandError("请给出 --year，或 --from 与 --to")
    if options.get("quarter"):
        return Period.quarter(year, options["quarter"])
    if options.get("month"):
        return Period.month(year, options["month"])
    return Period.year(year)


class Command(BaseCommand):
    help = "指标：list 列出指标目录；compute 计算某单位（含下级）某期间的全部指标；check 核对汇总与原始记录；rebuild 重建汇总"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="列出指标目录")
        c = sub.add_parser("compute", help="计算指标")
        c.add_argument("--unit", required=True, help="单位编码，如 JC-MD")
        c.add_argument("--year", type=int)
        c.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        c.add_argument("--month", type=int, choices=range(1, 13))
        c.add_argument("--from", dest="start", type=dt.date.fromisoformat)
        c.add_argument("--to", dest="end", type=dt.date.fromisoformat)
        c.add_argument("--json", action="store_true", help="以 JSON 输出")
        c.add_argument("--raw", action="store_true", help="直接统计原始记录（不用汇总表），用于核对")
        sub.add_parser("check", help="核对汇总表与原始记录是否一致")
        sub.add_parser("rebuild", help="由原始记录重建汇总表")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for ind in catalogue().values():
                self.stdout.write(f"{ind.code:<28} {ind.section}｜{ind.name}（{ind.type}，{ind.unit}）")
                self.stdout.write(f"    {ind.formula}")
                if ind.variant:
                    self.stdout.write(f"    口径：{ind.variant}")
                self.stdout.write(f"    依据：{ind.source}")
            return
        if action == "compute":
            try:
                unit = Unit.objects.get(code=options["unit"])
            except Unit.DoesNotExist:
                raise CommandError(f"没有编码为 {options['unit']} 的单位") from None
            period = period_from(options)
            started = time.monotonic()
            values = Computation(period, source="raw" if options["raw"] else "rollup").values([unit.pk])
            elapsed = time.monotonic() - started
            if options["json"]:
                doc = {
                    "unit": unit.code,
                    "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
                    "source": "raw" if options["raw"] else "rollup",
                    "values": {code: v[unit.pk].as_dict() for code, v in values.items()},
                }
                self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1))
                return
            cat = catalogue()
            self.stdout.write(f"{unit.name}　{period.label or period.start}（含下级单位）")
            for code, v in values.items():
                val = v[unit.pk]
                ind = cat[code]
                text = "无记录" if val.records == 0 and ind.type not in ("open_at",) else f"{val.value}{ind.unit}"
                if val.denominator is not None and val.records:
                    text += f"（{val.numerator}/{val.denominator}{'，样本过少' if val.small else ''}）"
                if ind.type == "yoy":
                    caution = yoy_caution(val)
                    change = caution if caution else f"变化 {val.change if val.change is not None else '—'}%"
                    text = f"{val.value}，上年同期 {val.previous}，{change}"
                self.stdout.write(f"  {ind.name:<24} {text}")
            self.stderr.write(f"用时 {elapsed:.3f} 秒")
            return
        if action == "check":
            with progress_bar(total=len(all_measures()), desc="核对汇总", stream=self.stderr) as bar:
                problems = rollups.check(bar.update)
            if problems:
                raise CommandError("汇总表与原始记录不一致：\n" + "\n".join(problems))
            self.stdout.write(f"一致：{len(all_measures())} 个统计口径的汇总与原始记录完全相符。")
            return
        if action == "rebuild":
            with progress_bar(total=len(all_measures()), desc="重建汇总", stream=self.stderr) as bar:
                n = rollups.rebuild(bar.update)
            self.stdout.write(f"已由原始记录重建 {n} 个统计口径的汇总。")
