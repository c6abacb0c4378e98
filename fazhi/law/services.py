"""Adding a year's holiday schedule: parse (YAML, xlsx or CSV), check, store a revision, log it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import DefinitionError, ImportFailed, PermissionDenied
from fazhi.core.selectors import user_is_admin
from fazhi.core.tabular import parse_date, read_table
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.law.models import HolidaySchedule
from fazhi.law.workdays import Schedule, current_calendar, schedule_check, schedule_from_text

TABLE_COLUMNS = ["日期", "类型", "名称"]
HOLIDAY_KINDS = {"放假", "休息", "假日", "节假日"}
MAKEUP_KINDS = {"调休上班", "上班", "补班", "调休上班日"}


def _table_schedule(data: bytes, filename: str) -> Schedule:
    """A sheet with one row per day: 日期 | 类型（放假/调休上班）| 名称; optional 年度 and 通知."""
    table = read_table(data, filename, required=TABLE_COLUMNS)
    problems: list[str] = []
    holidays: dict[dt.date, str] = {}
    makeup: set[dt.date] = set()
    notice = ""
    years: set[int] = set()
    for row, values in table.rows:
        raw = values["日期"]
        day = parse_date(raw)
        if day is None:
            problems.append(f"第{row}行“日期”：{raw!r} 不是有效日期（YYYY-MM-DD）")
            continue
        if day in holidays or day in makeup:
            problems.append(f"第{row}行“日期”：{day} 重复列出")
            continue
        kind = str(values["类型"]).strip()
        if kind in HOLIDAY_KINDS:
            holidays[day] = str(values["名称"]).strip()
            if not holidays[day]:
                problems.append(f"第{row}行“名称”：放假日期须写明节日名称")
        elif kind in MAKEUP_KINDS:
            makeup.add(day)
        else:
            problems.append(f"第{row}行“类型”：{kind!r} 应为“放假”或“调休上班”")
        if values.get("年度"):
            try:
                years.add(int(values["年度"]))
            except ValueError:
                problems.append(f"第{row}行“年度”：{values['年度']!r} 不是年份")
        notice = notice or str(values.get("通知", "") or "").strip()
    if problems:
        raise ImportFailed(problems)
    if not years:
        counts: dict[int, int] = {}
        for d in holidays:
            counts[d.year] = counts.get(d.year, 0) + 1
        years = {max(counts, key=lambda y: counts[y])} if counts else {dt.date.today().year}
    if len(years) > 1:
        raise ImportFailed([f"“年度”列有多个年份（{', '.join(map(str, sorted(years)))}）：一个文件只导入一年的安排"])
    return Schedule(year=years.pop(), holidays=holidays, makeup_workdays=frozenset(makeup), source=filename, notice=notice)


def schedule_parse(data: bytes, filename: str) -> Schedule:
    """Read a schedule file; every problem becomes an ImportFailed with Chinese messages."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".yaml", ".yml"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed(["YAML 文件应为 UTF-8 编码"]) from None
        try:
            return schedule_from_text(text, Path(filename).name)
        except DefinitionError as exc:
            raise ImportFailed(str(exc).split("；")) from None
    schedule = _table_schedule(data, filename)
    problems = schedule_check(schedule, Path(filename).name)
    if problems:
        raise ImportFailed(problems)
    return schedule


def schedule_import(schedule: Schedule, *, actor: Actor | None = None, source_name: str = "", note: str = "") -> tuple[HolidaySchedule | None, Schedule | None]:
    """Store the schedule as the year's next revision, unless the calendar already says exactly this.

    Returns (the new revision or None when nothing changed, the schedule it replaces or None).
    """
    if actor is not None and not user_is_admin(actor):
        raise PermissionDenied("只有系统管理员可以导入节假日安排")
    problems = schedule_check(schedule, source_name or "节假日安排")
    if problems:
        raise ImportFailed(problems)
    before = current_calendar()
    replaced = None
    if schedule.year in before.covered_years:
        replaced = Schedule(
            year=schedule.year,
            holidays={d: n for d, n in before.holidays.items() if d.year == schedule.year},
            makeup_workdays=frozenset(d for d in before.makeup_workdays if d.year == schedule.year),
            source=before.sources[schedule.year],
        )
        if (
            replaced.same_days(_in_year(schedule))
            and all(before.holidays.get(d) == n for d, n in schedule.holidays.items())
            and all(d in before.makeup_workdays for d in schedule.makeup_workdays)
        ):
            return None, replaced
    with transaction.atomic():
        last = HolidaySchedule.objects.select_for_update().filter(year=schedule.year).order_by("-revision").first()
        row = HolidaySchedule.objects.create(
            year=schedule.year,
            revision=(last.revision + 1) if last else 1,
            notice=schedule.notice[:200],
            holidays=[[d.isoformat(), n] for d, n in sorted(schedule.holidays.items())],
            makeup_workdays=sorted(d.isoformat() for d in schedule.makeup_workdays),
            source_name=source_name[:200],
            note=note,
            created_by=actor_row_or_none(actor) if getattr(actor, "pk", None) else None,
        )
        audit_append(source="holiday_schedule", source_id=row.pk, data=schedule_leaf_bytes(row))
    return row, replaced


def _in_year(s: Schedule) -> Schedule:
    return Schedule(
        year=s.year,
        holidays={d: n for d, n in s.holidays.items() if d.year == s.year},
        makeup_workdays=frozenset(d for d in s.makeup_workdays if d.year == s.year),
        source=s.source,
    )


def schedule_leaf_bytes(row: HolidaySchedule) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "holiday_schedule": row.pk,
            "year": row.year,
            "revision": row.revision,
            "notice": row.notice,
            "holidays": row.holidays,
            "makeup_workdays": row.makeup_workdays,
            "created_by": row.created_by_id,
        }
    )


def schedule_reencode(ids: list[int]) -> dict[int, bytes]:
    return {r.pk: schedule_leaf_bytes(r) for r in HolidaySchedule.objects.filter(pk__in=ids)}
