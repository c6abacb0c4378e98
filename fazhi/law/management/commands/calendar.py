"""fazhi calendar status | import FILE | export --year Y: the holiday schedules behind every clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.errors import FazhiError, ImportFailed
from fazhi.law.services import schedule_import, schedule_parse
from fazhi.law.workdays import Schedule, current_calendar, schedule_to_yaml


class Command(BaseCommand):
    help = "节假日安排：查看（status）、导入（import FILE）、导出模板（export --year）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="当前日历版本、已覆盖年度及来源")
        imp = sub.add_parser("import", help="导入一年的节假日安排（YAML、xlsx 或 CSV）")
        imp.add_argument("file")
        imp.add_argument("--note", default="", help="说明（如：据国办发明电〔2026〕×号）")
        ex = sub.add_parser("export", help="以 YAML 输出某年的安排（可作导入模板）")
        ex.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        cal = current_calendar()
        if action == "status":
            self.stdout.write(f"日历版本：{cal.version}")
            self.stdout.write(f"已公布安排的年度：{min(cal.covered_years)}–{cal.last_covered_year}；其后年度仅按周末计算，结果标注为暂定")
            for year in sorted(cal.covered_years)[-5:]:
                self.stdout.write(f"  {year}：{cal.sources[year]}")
            return
        if action == "export":
            year = options["year"]
            if year not in cal.covered_years:
                raise CommandError(f"{year} 年尚无节假日安排")
            self.stdout.write(
                schedule_to_yaml(
                    Schedule(
                        year=year,
                        holidays={d: n for d, n in cal.holidays.items() if d.year == year},
                        makeup_workdays=frozenset(d for d in cal.makeup_workdays if d.year == year),
                        source=cal.sources[year],
                    )
                ),
                ending="",
            )
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        try:
            schedule = schedule_parse(path.read_bytes(), path.name)
            row, replaced = schedule_import(schedule, source_name=path.name, note=options["note"])
        except ImportFailed as exc:
            raise CommandError("导入失败，未作任何更改：\n" + "\n".join(exc.problems)) from exc
        except FazhiError as exc:
            raise CommandError(str(exc)) from exc
        if row is None:
            self.stdout.write(f"{schedule.year} 年的安排与现行日历一致，未作更改（日历版本 {cal.version}）")
            return
        what = f"替换了 {replaced.source}" if replaced else "新增年度"
        self.stdout.write(
            f"已导入 {schedule.year} 年节假日安排第{row.revision}版（{what}）：放假 {len(schedule.holidays)} 天，调休上班 {len(schedule.makeup_workdays)} 天"
        )
        self.stdout.write(f"日历版本：{cal.version} → {current_calendar().version}")
        self.stdout.write("请运行 fazhi clock recompute 重新计算未办结事项的期限。")
