"""fazhi evaluation load | compute | show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.errors import FazhiError
from fazhi.core.models import Unit
from fazhi.evaluation import services
from fazhi.evaluation.models import Result, Scheme


class Command(BaseCommand):
    help = "考核：load 载入某年度考核方案；compute 按方案计分排名；show 列出得分"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "compute", "show"])
        parser.add_argument("--unit", required=True, help="组织考核的单位编码")
        parser.add_argument("--file", type=Path, help="考核方案文件（load）")
        parser.add_argument("--year", type=int, help="考核年度（compute、show）")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"没有编码为 {options['unit']} 的单位")
        try:
            if options["action"] == "load":
                if not options["file"]:
                    raise CommandError("load 需要 --file")
                scheme = services.scheme_load(unit=unit, path=options["file"])
                self.stdout.write(f"已载入 {scheme.name}（{len(services.spec_of(scheme).items)} 个项目，SHA-256 {scheme.sha256[:16]}…）")
                return
            found = Scheme.objects.filter(unit=unit, year=options["year"]).first()
            if found is None:
                raise CommandError(f"{unit.name}没有 {options['year']} 年度的考核方案")
            if options["action"] == "compute":
                results = services.scheme_compute(found)
                self.stdout.write(f"已计分 {len(results)} 个单位")
            for r in Result.objects.filter(scheme=found).select_related("unit").order_by("rank", "unit__path"):
                self.stdout.write(
                    f"{r.rank or '—':>4}  {r.unit.name:<24} {r.score if r.score is not None else '—':>7}  {r.earned}/{r.applicable}  {r.not_ranked_reason}"
                )
        except FazhiError as exc:
            raise CommandError(exc.message) from exc
