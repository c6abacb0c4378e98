"""The working-day calendar: public holidays and make-up workdays (调休上班日) as data.

Three layers, later ones winning year by year:

1. the ``chinese-calendar`` package (the State Council notices it carries, 2004–2026);
2. schedule files under ``definitions/calendar/<year>.yaml`` (versioned with the code);
3. schedules an administrator imports (``fazhi calendar import FILE`` or the admin), kept as
   numbered revisions in the database, so next year's notice needs no release.

A year's schedule replaces every entry of that calendar year and adds its own entries (a
notice may reach into the previous December, e.g. 元旦 2024 began on 2023-12-30). A date in a
year without any schedule falls back to weekends only and is marked provisional (RULES.md §4:
the schedule is published each year between late October and early December).

The calendar's version names the last year it covers and a digest of its data, e.g.
``2026-3f9a1c2b``; every stored due date records the version that produced it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar
from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.strictyaml import check_keys, load_strict, loads_strict

PACKAGE_VERSION = "chinese-calendar 1.11.0"

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# The span the index covers; dates outside it are refused (no statutory clock reaches them).
INDEX_FIRST = dt.date(1990, 1, 1)
INDEX_LAST = dt.date(2100, 12, 31)
# How far a year's notice may reach into the neighbouring years (元旦 bridges).
NEIGHBOUR_DAYS = 15


@dataclass(frozen=True)
class Schedule:
    """One year's holiday schedule, as one notice gives it."""

    year: int
    holidays: dict[dt.date, str]
    makeup_workdays: frozenset[dt.date]
    source: str  # where it came from: the package, a file, "导入第N版"
    notice: str = ""

    def canonical(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "holidays": [[d.isoformat(), n] for d, n in sorted(self.holidays.items())],
            "makeup_workdays": sorted(d.isoformat() for d in self.makeup_workdays),
        }

    def same_days(self, other: Schedule) -> bool:
        return self.canonical() == other.canonical()


def schedule_check(s: Schedule, where: str) -> list[str]:
    """What is wrong with a schedule, as Chinese sentences naming the date."""
    problems = []
    lo = dt.date(s.year, 1, 1) - dt.timedelta(days=NEIGHBOUR_DAYS)
    hi = dt.date(s.year, 12, 31) + dt.timedelta(days=NEIGHBOUR_DAYS)
    for day in sorted(set(s.holidays) | set(s.makeup_workdays)):
        if not lo <= day <= hi:
            problems.append(f"{where}：日期 {day} 不属于 {s.year} 年的节假日安排")
    for day, name in sorted(s.holidays.items()):
        if not name.strip():
            problems.append(f"{where}：放假日期 {day} 缺少节日名称")
    for day in sorted(s.makeup_workdays):
        if day in s.holidays:
            problems.append(f"{where}：{day} 既是放假日又是调休上班日")
        elif day.weekday() < 5:
            problems.append(f"{where}：调休上班日 {day} 不是周六或周日")
    if not s.holidays:
        problems.append(f"{where}：没有任何放假日期")
    return problems


def _date(value: Any, filename: str, line: int, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DefinitionError(f"{filename}:{line}: {what} {value!r} 不是有效日期（YYYY-MM-DD）") from None


def schedule_from_yaml(raw: Any, filename: str, source: str) -> Schedule:
    """Parse the YAML form (see definitions/calendar/README.md)."""
    top = check_keys(raw, allowed={"year", "notice", "holidays", "makeup_workdays"}, required={"year", "holidays"}, filename=filename, where="节假日安排")
    year = top["year"]
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise DefinitionError(f"{filename}:{top.line_of('year')}: year 应为 1990–2100 之间的年份")
    holidays: dict[dt.date, str] = {}
    for item in top["holidays"] or []:
        h = check_keys(item, allowed={"name", "from", "to"}, required={"name", "from"}, filename=filename, where="放假安排")
        first = _date(h["from"], filename, h.line_of("from"), "放假起始日")
        last = _date(h.get("to", h["from"]), filename, h.line_of("to"), "放假结束日")
        if last < first or (last - first).days > 15:
            raise DefinitionError(f"{filename}:{h.line_of('to')}: 放假区间 {first}–{last} 无效")
        day = first
        while day <= last:
            if day in holidays:
                raise DefinitionError(f"{filename}:{h.line}: {day} 重复列出")
            holidays[day] = str(h["name"]).strip()
            day += dt.timedelta(days=1)
    makeup = []
    raw_makeup = top.get("makeup_workdays") or []
    if not isinstance(raw_makeup, list):
        raise DefinitionError(f"{filename}:{top.line_of('makeup_workdays')}: makeup_workdays 应为日期列表")
    for value in raw_makeup:
        makeup.append(_date(value, filename, top.line_of("makeup_workdays"), "调休上班日"))
    schedule = Schedule(year=year, holidays=holidays, makeup_workdays=frozenset(makeup), source=source, notice=str(top.get("notice", "") or ""))
    problems = schedule_check(schedule, filename)
    if problems:
        raise DefinitionError("；".join(problems))
    return schedule


def schedule_to_yaml(s: Schedule) -> str:
    """The YAML form of a schedule: consecutive days of one holiday become one range."""
    lines = [f"year: {s.year}"]
    if s.notice:
        lines.append(f"notice: {json.dumps(s.notice, ensure_ascii=False)}")
    lines.append("holidays:")
    days = sorted(s.holidays.items())
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1][1] == days[i][1] and (days[j + 1][0] - days[j][0]).days == 1:
            j += 1
        lines.append(f"  - {{name: {days[i][1]}, from: {days[i][0]}, to: {days[j][0]}}}")
        i = j + 1
    lines.append("makeup_workdays: [" + ", ".join(str(d) for d in sorted(s.makeup_workdays)) + "]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    workday: bool
    reason: str  # "", "周末", a holiday's name, "调休上班日"
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    """The effective calendar: answers per day, and counts working days by binary search."""

    holidays: dict[dt.date, str]
    makeup_workdays: frozenset[dt.date]
    covered_years: frozenset[int]
    sources: dict[int, str] = field(default_factory=dict)

    @cached_property
    def version(self) -> str:
        payload = json.dumps(
            {
                "h": [[d.isoformat(), n] for d, n in sorted(self.holidays.items())],
                "m": sorted(d.isoformat() for d in self.makeup_workdays),
                "y": sorted(self.covered_years),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return f"{max(self.covered_years)}-{hashlib.sha256(payload.encode()).hexdigest()[:8]}"

    @property
    def last_covered_year(self) -> int:
        return max(self.covered_years)

    def info(self, day: dt.date) -> DayInfo:
        provisional = day.year not in self.covered_years
        if day in self.makeup_workdays:
            return DayInfo(day, True, "调休上班日", provisional)
        if day in self.holidays:
            return DayInfo(day, False, self.holidays[day], provisional)
        if day.weekday() >= 5:
            return DayInfo(day, False, "周末", provisional)
        return DayInfo(day, True, "", provisional)

    def is_workday(self, day: dt.date) -> bool:
        return self.info(day).workday

    def is_provisional(self, day: dt.date) -> bool:
        return day.year not in self.covered_years

    # --- the index: ordinals of every working day in [INDEX_FIRST, INDEX_LAST] ---------------
    @cached_property
    def _workday_ordinals(self) -> list[int]:
        out = []
        first = INDEX_FIRST.toordinal()
        weekday = INDEX_FIRST.weekday()
        for o in range(first, INDEX_LAST.toordinal() + 1):
            wd = (weekday + o - first) % 7
            if o in self._makeup_ordinals or (wd < 5 and o not in self._holiday_ordinals):
                out.append(o)
        return out

    @cached_property
    def _holiday_ordinals(self) -> frozenset[int]:
        return frozenset(d.toordinal() for d in self.holidays)

    @cached_property
    def _makeup_ordinals(self) -> frozenset[int]:
        return frozenset(d.toordinal() for d in self.makeup_workdays)

    def _check_range(self, day: dt.date) -> None:
        if not INDEX_FIRST <= day <= INDEX_LAST:
            raise ValueError(f"日期 {day} 超出日历范围（{INDEX_FIRST}–{INDEX_LAST}）")

    def workdays_through(self, ordinal: int) -> int:
        """How many working days fall on or before the day with this ordinal (in the index)."""
        return bisect.bisect_right(self._workday_ordinals, ordinal)

    def nth_workday_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``day`` (n ≥ 1)."""
        self._check_range(day)
        wd = self._workday_ordinals
        i = bisect.bisect_right(wd, day.toordinal()) + n - 1
        if i >= len(wd):
            raise ValueError(f"期限超出日历范围（{INDEX_LAST}）")
        return dt.date.fromordinal(wd[i])

    def workday_on_or_after(self, day: dt.date) -> dt.date:
        self._check_range(day)
        wd = self._workday_ordinals
        return dt.date.fromordinal(wd[bisect.bisect_left(wd, day.toordinal())])


def package_schedules() -> list[Schedule]:
    """The schedules the chinese-calendar package carries, one per year."""
    by_year: dict[int, dict[dt.date, str]] = {}
    for d, name in chinese_calendar.holidays.items():
        by_year.setdefault(d.year, {})[d] = HOLIDAY_NAMES_ZH.get(str(name), str(name))
    makeup: dict[int, set[dt.date]] = {}
    for d in chinese_calendar.workdays:
        makeup.setdefault(d.year, set()).add(d)
    return [Schedule(year=y, holidays=h, makeup_workdays=frozenset(makeup.get(y, set())), source=PACKAGE_VERSION) for y, h in sorted(by_year.items())]


def calendar_dir() -> Path:
    return Path(settings.FAZHI_DEFINITIONS_DIR) / "calendar"


@lru_cache(maxsize=4)
def _file_schedules(directory: str) -> tuple[Schedule, ...]:
    out = []
    seen: dict[int, Path] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        schedule = schedule_from_yaml(load_strict(path), str(path), source=f"definitions/calendar/{path.name}")
        if schedule.year in seen:
            raise DefinitionError(f"{path}: {schedule.year} 年的安排已在 {seen[schedule.year]} 中定义")
        if path.stem != str(schedule.year):
            raise DefinitionError(f"{path}: 文件名应为 {schedule.year}.yaml")
        seen[schedule.year] = path
        out.append(schedule)
    return tuple(out)


def file_schedules() -> tuple[Schedule, ...]:
    return _file_schedules(str(calendar_dir()))


def calendar_build(layers: Iterable[Schedule]) -> WorkCalendar:
    """Overlay schedules in order: each replaces its calendar year and adds its own entries."""
    holidays: dict[dt.date, str] = {}
    makeup: set[dt.date] = set()
    sources: dict[int, str] = {}
    for s in layers:
        holidays = {d: n for d, n in holidays.items() if d.year != s.year}
        makeup = {d for d in makeup if d.year != s.year}
        for d in list(holidays):
            if d in s.makeup_workdays:
                del holidays[d]
        makeup -= set(s.holidays)
        holidays.update(s.holidays)
        makeup |= s.makeup_workdays
        sources[s.year] = s.source
    return WorkCalendar(holidays=holidays, makeup_workdays=frozenset(makeup), covered_years=frozenset(sources), sources=sources)


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The package and the shipped files, without the database (for tools and tests)."""
    return calendar_build([*package_schedules(), *file_schedules()])


_current: dict[str, Any] = {}


_PINNED: ContextVar[WorkCalendar | None] = ContextVar("calendar_pinned", default=None)


@contextmanager
def calendar_pinned() -> Iterator[WorkCalendar]:
    """Inside, the calendar is the one in effect on entry, without asking the database again at
    every date computed (a ledger import's planning: thousands of steps in one transaction)."""
    token = _PINNED.set(current_calendar())
    try:
        yield _PINNED.get() or current_calendar()
    finally:
        _PINNED.reset(token)


def current_calendar() -> WorkCalendar:
    """The effective calendar including administrator-imported schedules (cached per revision)."""
    from fazhi.law.models import HolidaySchedule

    pinned = _PINNED.get()
    if pinned is not None:
        return pinned
    marker = HolidaySchedule.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if _current.get("marker") != marker:
        imported = [h.as_schedule() for h in HolidaySchedule.objects.latest_per_year()]
        _current["calendar"] = calendar_build([*package_schedules(), *file_schedules(), *imported]) if imported else default_calendar()
        _current["marker"] = marker
    cal: WorkCalendar = _current["calendar"]
    return cal


def schedule_from_text(text: str, filename: str) -> Schedule:
    return schedule_from_yaml(loads_strict(text, filename), filename, source=filename)
