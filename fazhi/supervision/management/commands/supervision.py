"""fazhi supervision scan --unit CODE [--today YYYY-MM-DD]: raise the leads the rules find."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fazhi.core.models import Unit
from fazhi.core.progress import progress_bar
from fazhi.supervision import services


class Command(BaseCommand):
    help = "督察：scan 按规则扫描某单位（含下级）的督察线索（复议纠错、以罚代刑、严重超期、案卷评查不合格），不重复生成"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["scan"])
        parser.add_argument("--unit", required=True, help="督察单位编码")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"没有编码为 {options['unit']} 的单位")
        with progress_bar(total=None, desc="扫描督察线索", stream=self.stderr) as bar:
            new = services.leads_scan(unit, options["today"] or timezone.localdate(), progress=bar.update)
        self.stdout.write(services.summary(new))
