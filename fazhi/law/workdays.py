"""The working-day calendar: public holidays and make-up workdays (调休上班日) as data.

Years covered by the ``chinese-calendar`` package (the State Council notices, 2004–2026) are
taken from it; a date in a year without a schedule falls back to weekends only and is marked
provisional (RULES.md §4: the schedule is published each year between late October and
early December).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

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


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    workday: bool
    reason: str  # "", "周末", a holiday's name, "调休上班日"
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    version: str
    holidays: dict[dt.date, str]
    makeup_workdays: set[dt.date]
    covered_years: frozenset[int]

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


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    holidays = {d: HOLIDAY_NAMES_ZH.get(str(name), str(name)) for d, name in chinese_calendar.holidays.items()}
    makeup = set(chinese_calendar.workdays)
    years = frozenset(range(min(holidays).year, max(holidays).year + 1))
    return WorkCalendar(version="chinese-calendar-1.11.0", holidays=holidays, makeup_workdays=makeup, covered_years=years)
