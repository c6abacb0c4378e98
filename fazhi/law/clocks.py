"""Statutory clocks: effective-dated rules with citations, and the engine that applies them.

Rules live in ``definitions/clocks/*.yaml``; each value carries the date it applies from and
its legal reference (OpenFisca style). The engine counts from the day after the start event
(day 1), skips non-working days for working-day periods, rolls a calendar-day period's last
day to the next working day when the rule says so (民事诉讼法 art.85, RULES.md §4), excludes
paused intervals, restarts on a restart event and adds approved extensions.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.strictyaml import LineDict, check_keys, load_strict
from fazhi.law.workdays import WorkCalendar

UNITS = {"working_days": "个工作日", "calendar_days": "日", "months": "个月", "hours": "小时"}
LAST_DAY_RULES = {"roll_to_next_workday", "none"}


@dataclass(frozen=True)
class RuleValue:
    since: dt.date
    length: int
    unit: str
    reference: str
    last_day: str = "roll_to_next_workday"
    extension: int | None = None
    extension_approver: str = ""
    # How many times the law lets the period be extended (行政复议法 art.62: once; some sector
    # rules allow a second extension by collective discussion). Only with ``extension``.
    max_extensions: int = 1


@dataclass(frozen=True)
class ClockRule:
    id: str
    label: str
    values: tuple[RuleValue, ...]  # sorted by since

    def value_on(self, day: dt.date) -> RuleValue | None:
        chosen = None
        for v in self.values:
            if v.since <= day:
                chosen = v
        return chosen


def _load_file(path: Path) -> dict[str, ClockRule]:
    filename = str(path)
    raw = load_strict(path)
    if not isinstance(raw, LineDict):
        raise DefinitionError(f"{filename}: 顶层应为映射（规则编号: 定义）")
    rules = {}
    for rule_id, rraw in raw.items():
        r = check_keys(rraw, allowed={"label", "values"}, required={"label", "values"}, filename=filename, where=f"rule {rule_id}")
        values = []
        for vraw in r["values"] or []:
            v = check_keys(
                vraw,
                allowed={"since", "length", "unit", "reference", "last_day", "extension", "extension_approver", "max_extensions"},
                required={"since", "length", "unit", "reference"},
                filename=filename,
                where=f"rule {rule_id} value",
            )
            if not isinstance(v["since"], dt.date):
                raise DefinitionError(f"{filename}:{v.line_of('since')}: since 应为日期 YYYY-MM-DD")
            if v["unit"] not in UNITS:
                raise DefinitionError(f"{filename}:{v.line_of('unit')}: 未知单位 {v['unit']!r}")
            if not str(v["reference"]).strip():
                raise DefinitionError(f"{filename}:{v.line_of('reference')}: 缺少法律依据")
            last_day = v.get("last_day", "roll_to_next_workday")
            if last_day not in LAST_DAY_RULES:
                raise DefinitionError(f"{filename}:{v.line_of('last_day')}: 未知的末日规则 {last_day!r}")
            max_extensions = v.get("max_extensions", 1)
            if "max_extensions" in v and (not isinstance(max_extensions, int) or max_extensions < 1 or not v.get("extension")):
                raise DefinitionError(f"{filename}:{v.line_of('max_extensions')}: max_extensions 应为正整数，且只能与 extension 一起使用")
            values.append(
                RuleValue(
                    since=v["since"],
                    length=int(v["length"]),
                    unit=v["unit"],
                    reference=str(v["reference"]),
                    last_day=last_day,
                    extension=v.get("extension"),
                    extension_approver=str(v.get("extension_approver", "")),
                    max_extensions=max_extensions,
                )
            )
        if not values:
            raise DefinitionError(f"{filename}:{r.line}: rule {rule_id} 没有取值")
        rules[rule_id] = ClockRule(id=rule_id, label=str(r["label"]), values=tuple(sorted(values, key=lambda x: x.since)))
    return rules


@lru_cache(maxsize=1)
def clock_rules() -> dict[str, ClockRule]:
    rules: dict[str, ClockRule] = {}
    for path in sorted((Path(settings.FAZHI_DEFINITIONS_DIR) / "clocks").glob("*.yaml")):
        for rule_id, rule in _load_file(path).items():
            if rule_id in rules:
                raise DefinitionError(f"{path}: 规则 {rule_id} 重复定义")
            rules[rule_id] = rule
    return rules


class NoRuleInForce(ValueError):
    """A clock started on a day before any value of its rule applies (a date before the law)."""


class ExtensionNotAllowed(ValueError):
    """An extension the rule in force does not allow (none at all, or more than its number)."""


@dataclass
class ClockEvent:
    kind: str  # start | stop | pause | resume | restart | extend | set_due | fix_due
    day: dt.date
    # pause: a rule whose period, counted from the pause, ends the pause by itself unless a
    # resume comes first (政府信息公开条例 art.32: the third party answers within 15 working days).
    limit: str = ""
    # set_due: the due date the agency set and notified on ``day`` (条例 art.35 延迟答复); it
    # counts when notified before the period ran out, and never shortens the period.
    # fix_due: the due date a document itself states (a 检察建议书 or 司法建议书 naming its reply
    # date): it replaces the rule's period, earlier or later.
    until: dt.date | None = None


@dataclass
class ClockResult:
    rule: str
    citation: str
    start: dt.date
    due: dt.date | None
    provisional: bool
    calendar_version: str
    paused: bool = False
    stopped_on: dt.date | None = None
    steps: list[dict[str, object]] = field(default_factory=list)
    length: int = 0
    unit: str = ""

    @property
    def notes(self) -> list[str]:
        """The steps a reader needs (skipped days, pauses, extensions), as sentences."""
        return [str(s["text"]) for s in self.steps if s["kind"] != "counted"]

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "citation": self.citation,
            "start": self.start.isoformat(),
            "length": self.length,
            "unit": self.unit,
            "due": self.due.isoformat() if self.due else None,
            "paused": self.paused,
            "provisional": self.provisional,
            "calendar_version": self.calendar_version,
            "steps": self.steps,
        }


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, pycal.monthrange(year, month)[1]))


def _merge(pauses: list[tuple[dt.date, dt.date]], origin: dt.date) -> list[tuple[int, int]]:
    """Closed pause intervals as ordinals (a, b]: days after a up to b are not counted."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(pauses):
        lo, hi = max(a, origin).toordinal(), b.toordinal()
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _count_forward(cal: WorkCalendar, origin: dt.date, n: int, pauses: list[tuple[int, int]], working: bool) -> dt.date:
    """The day on which the n-th counted day falls, counting from the day after ``origin``.

    Working-day periods count by binary search in the calendar's index; paused intervals are
    stepped over as whole segments, so the cost does not grow with the length of the period.
    """
    cursor = origin.toordinal()
    remaining = n

    def counted_between(lo: int, hi: int) -> int:  # days counted in (lo, hi]
        return cal.workdays_through(hi) - cal.workdays_through(lo) if working else hi - lo

    for a, b in pauses:
        if a < cursor:
            a = cursor
        here = counted_between(cursor, a)
        if remaining <= here:
            break
        remaining -= here
        cursor = max(cursor, b)
    start = dt.date.fromordinal(cursor)
    return cal.nth_workday_after(start, remaining) if working else start + dt.timedelta(days=remaining)


def clock_compute(
    rule_id: str,
    start: dt.date,
    events: list[ClockEvent] | None = None,
    *,
    cal: WorkCalendar | None = None,
    explain: bool = True,
    in_force_on: dt.date | None = None,
) -> ClockResult:
    """Due date of one clock started on ``start``, given its later events (in date order).

    ``in_force_on``: the day whose rule applies when it is not the start (a limit counted back
    from an old act, such as 行政复议法 art.21's five years, is the law's in force on application).

    With ``explain`` the result lists every day from the start to the due date (counted, or
    skipped and why); without it only the due date is computed (for recomputing in bulk).
    """
    rule = clock_rules().get(rule_id)
    if rule is None:
        raise KeyError(f"unknown clock rule {rule_id}")
    in_force_or_start = in_force_on or start
    value = rule.value_on(in_force_or_start)
    if value is None:
        first = rule.values[0]
        raise NoRuleInForce(f"{rule.label}：{in_force_or_start:%Y年%-m月%-d日}尚无施行中的法律规定（{first.reference}自{first.since:%Y年%-m月%-d日}起施行）")
    if cal is None:
        from fazhi.law.workdays import current_calendar

        cal = current_calendar()
    result = ClockResult(
        rule=rule_id, citation=value.reference, start=start, due=None, provisional=False, calendar_version=cal.version, length=value.length, unit=value.unit
    )

    def note(day: dt.date, kind: str, text: str, **extra: object) -> None:
        if explain:
            result.steps.append({"date": day.isoformat(), "kind": kind, "text": text, **extra})

    origin = start
    pauses: list[tuple[dt.date, dt.date | None]] = []
    extra = 0
    extensions = 0
    lapses: dict[int, dt.date] = {}  # index of a bounded pause -> the day it ends by itself
    delays: list[ClockEvent] = []
    fixed: ClockEvent | None = None

    def lapse(before: dt.date | None) -> None:
        """A bounded pause whose period ran out (before ``before``; None: at all) resumes by itself."""
        i = len(pauses) - 1
        if i >= 0 and pauses[i][1] is None and i in lapses and (before is None or lapses[i] < before):
            pauses[i] = (pauses[i][0], lapses[i])
            note(lapses[i], "resume", f"{lapses[i]} 中止期间届满，自动恢复计算")

    for ev in sorted(events or [], key=lambda e: e.day):
        lapse(ev.day)
        if ev.kind == "restart":
            origin, pauses, extra, extensions, lapses, delays = ev.day, [], 0, 0, {}, []
            result.steps.clear()
            note(ev.day, "restart", f"{ev.day} 重新起算（如补正后）")
        elif ev.kind == "pause":
            if pauses and pauses[-1][1] is None:
                continue  # already paused
            pauses.append((ev.day, None))
            if ev.limit:
                ends = clock_compute(ev.limit, ev.day, cal=cal, explain=False).due
                assert ends is not None
                lapses[len(pauses) - 1] = ends
                note(ev.day, "pause", f"{ev.day} 中止计算（至迟于 {ends} 届满，届满自动恢复计算）")
            else:
                note(ev.day, "pause", f"{ev.day} 中止计算")
        elif ev.kind == "set_due" and ev.until is not None:
            delays.append(ev)
        elif ev.kind == "fix_due" and ev.until is not None:
            fixed = ev
        elif ev.kind == "resume" and pauses and pauses[-1][1] is None:
            pauses[-1] = (pauses[-1][0], ev.day)
            note(ev.day, "resume", f"{ev.day} 恢复计算")
        elif ev.kind == "extend":
            if not value.extension:
                raise ExtensionNotAllowed(f"{rule.label}的期限依法不能延长")
            if extensions >= value.max_extensions:
                raise ExtensionNotAllowed(f"{rule.label}的期限依法只能延长{value.max_extensions}次（{value.reference}）")
            extensions += 1
            extra += value.extension
            note(ev.day, "extend", f"{ev.day} 延长 {value.extension}{UNITS[value.unit]}（{value.extension_approver}批准）")
        elif ev.kind == "stop":
            result.stopped_on = ev.day
    lapse(None)
    if pauses and pauses[-1][1] is None:
        result.paused = True
        result.provisional = cal.is_provisional(pauses[-1][0])
        return result
    closed = _merge([(a, b) for a, b in pauses if b is not None], origin)
    length = value.length + extra
    if value.unit == "months":
        day = _add_months(origin, length) + dt.timedelta(days=sum(b - a for a, b in closed))
    else:
        days = length if value.unit != "hours" else -(-length // 24)
        day = _count_forward(cal, origin, days, closed, working=value.unit == "working_days")
    if explain and value.unit != "months":
        _explain_days(result, cal, origin, day, closed, value.unit == "working_days")
    if value.unit in ("calendar_days", "months") and value.last_day == "roll_to_next_workday":
        rolled = cal.workday_on_or_after(day)
        if explain:
            d = day
            while d < rolled:
                reason = cal.info(d).reason
                note(d, "rolled", f"{d} 为{reason}，期限顺延至下一个工作日", reason=reason)
                d += dt.timedelta(days=1)
        day = rolled
    for ev in delays:
        assert ev.until is not None
        if ev.day > day:
            note(ev.day, "set_due", f"{ev.day} 告知延迟答复时期限已于 {day} 届满，期限不变")
        elif ev.until > day:
            note(ev.day, "set_due", f"{ev.day} 告知延迟答复，期限延至 {ev.until}")
            day = ev.until
    if fixed is not None and fixed.until is not None:
        note(fixed.day, "fix_due", f"文书载明的期限为 {fixed.until}（依规定期限计算为 {day}），以文书载明的为准")
        day = fixed.until
        if value.last_day == "roll_to_next_workday" and cal.workday_on_or_after(day) > day:
            # 民法典 art.203: a last day on a public holiday moves to the day after it
            day = cal.workday_on_or_after(day)
            note(fixed.until, "rolled", f"{fixed.until} 为{cal.info(fixed.until).reason}，期限顺延至 {day}", reason=cal.info(fixed.until).reason)
    result.provisional = cal.is_provisional(day)
    result.due = day
    return result


def _explain_days(result: ClockResult, cal: WorkCalendar, origin: dt.date, due: dt.date, closed: list[tuple[int, int]], working: bool) -> None:
    """One step per day from the day after ``origin`` to ``due``: counted, or skipped and why."""
    counted = 0
    day = origin
    while day < due:
        day += dt.timedelta(days=1)
        o = day.toordinal()
        if any(a < o <= b for a, b in closed):
            result.steps.append({"date": day.isoformat(), "kind": "skipped", "text": f"{day} 中止期间，不计入", "reason": "中止期间"})
            continue
        info = cal.info(day)
        if working and not info.workday:
            result.steps.append({"date": day.isoformat(), "kind": "skipped", "text": f"{day} {info.reason}，不计入", "reason": info.reason})
            continue
        counted += 1
        result.steps.append({"date": day.isoformat(), "kind": "counted", "text": f"{day} 第{counted}日", "n": counted})
