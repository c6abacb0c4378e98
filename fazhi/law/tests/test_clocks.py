"""The clock engine: legal scenarios (YAML) and a naive cross-check on thousands of dates."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core.errors import DefinitionError
from fazhi.law import clocks
from fazhi.law.clocks import ClockEvent, clock_compute
from fazhi.law.workdays import default_calendar
from fazhi.registers.framework.management.commands.clock import EVENT_KINDS

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))


def _events(raw: list[str]) -> list[ClockEvent]:
    out = []
    for text in raw or []:
        kind, _, day = text.partition(":")
        out.append(ClockEvent(EVENT_KINDS[kind], dt.date.fromisoformat(day)))
    return out


CAL = default_calendar()


@pytest.mark.parametrize("case", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_legal_scenario(case: dict[str, Any]) -> None:
    result = clock_compute(case["rule"], case["start"], _events(case.get("events")), cal=CAL)
    assert result.due == case["due"], case["article"]
    assert result.provisional is case.get("provisional", False)
    if "citation_contains" in case:
        assert case["citation_contains"] in result.citation
    fast = clock_compute(case["rule"], case["start"], _events(case.get("events")), cal=CAL, explain=False)
    assert (fast.due, fast.provisional, fast.steps) == (result.due, result.provisional, [])


# --- naive reference, used only here: walk the calendar one day at a time ------------------
def naive_due(rule_id: str, start: dt.date, events: list[ClockEvent]) -> dt.date | None:
    value = clocks.clock_rules()[rule_id].value_on(start)
    assert value is not None
    origin, pauses, extra = start, [], 0
    for ev in sorted(events, key=lambda e: e.day):
        if ev.kind == "restart":
            origin, pauses, extra = ev.day, [], 0
        elif ev.kind == "pause" and not (pauses and pauses[-1][1] is None):
            pauses.append([ev.day, None])
        elif ev.kind == "resume" and pauses and pauses[-1][1] is None:
            pauses[-1][1] = ev.day
        elif ev.kind == "extend":
            extra += value.extension or 0
    if pauses and pauses[-1][1] is None:
        return None
    day, counted, length = origin, 0, value.length + extra
    if value.unit == "hours":
        length = -(-length // 24)
    while counted < length:
        day += dt.timedelta(days=1)
        if any(a < day <= b for a, b in pauses):
            continue
        if value.unit == "working_days" and not CAL.is_workday(day):
            continue
        counted += 1
    if value.unit == "calendar_days" and value.last_day == "roll_to_next_workday":
        while not CAL.is_workday(day):
            day += dt.timedelta(days=1)
    return day


DAY_RULES = [r.id for r in clocks.clock_rules().values() if r.values[-1].unit != "months"]


@st.composite
def clock_case(draw: st.DrawFn) -> tuple[str, dt.date, list[ClockEvent]]:
    rule_id = draw(st.sampled_from(DAY_RULES))
    rule = clocks.clock_rules()[rule_id]
    start = draw(st.dates(max(dt.date(2005, 1, 1), rule.values[0].since), dt.date(2026, 6, 30)))
    events: list[ClockEvent] = []
    day = start
    extensions = 0  # since the last restart: the engine refuses more than the rule allows
    for kind in draw(st.lists(st.sampled_from(["pause", "resume", "restart", "extend"]), max_size=5)):
        day += dt.timedelta(days=draw(st.integers(0, 40)))
        value = rule.value_on(start)
        if kind == "extend" and not (value and value.extension and extensions < value.max_extensions):
            continue
        extensions = 0 if kind == "restart" else extensions + (kind == "extend")
        events.append(ClockEvent(kind, day))
    return rule_id, start, events


@settings(max_examples=6000, deadline=None)
@given(clock_case())
def test_engine_matches_the_naive_reference(case: tuple[str, dt.date, list[ClockEvent]]) -> None:
    rule_id, start, events = case
    expected = naive_due(rule_id, start, events)
    fast = clock_compute(rule_id, start, events, cal=CAL, explain=False)
    assert fast.due == expected
    explained = clock_compute(rule_id, start, events, cal=CAL)
    assert explained.due == expected
    if expected is not None:
        value = clocks.clock_rules()[rule_id].value_on(start)
        assert value is not None
        counted = [s for s in explained.steps if s["kind"] == "counted"]
        extensions = sum(1 for s in explained.steps if s["kind"] == "extend")
        length = value.length + extensions * (value.extension or 0)
        assert len(counted) == (length if value.unit != "hours" else -(-length // 24))
        assert all(s["date"] <= expected.isoformat() for s in explained.steps if s["kind"] in ("counted", "skipped"))


def test_an_extension_is_accepted_only_as_often_as_the_law_allows() -> None:
    start = dt.date(2025, 3, 3)
    once = clock_compute("reconsideration.decision", start, [ClockEvent("extend", dt.date(2025, 4, 1))], cal=CAL)
    assert once.due is not None and once.length == 60 and len([s for s in once.steps if s["kind"] == "counted"]) == 90
    with pytest.raises(clocks.ExtensionNotAllowed, match="只能延长1次"):
        clock_compute("reconsideration.decision", start, [ClockEvent("extend", dt.date(2025, 4, 1)), ClockEvent("extend", dt.date(2025, 4, 20))], cal=CAL)
    with pytest.raises(clocks.ExtensionNotAllowed, match="不能延长"):
        clock_compute("reconsideration.acceptance", start, [ClockEvent("extend", dt.date(2025, 3, 4))], cal=CAL)
    # a restart (补正 received) begins a new period, which may be extended again
    restarted = [ClockEvent("extend", dt.date(2025, 3, 5)), ClockEvent("restart", dt.date(2025, 3, 10)), ClockEvent("extend", dt.date(2025, 3, 12))]
    assert clock_compute("disclosure.reply", start, restarted, cal=CAL).due is not None


def test_every_rule_has_a_reference_and_the_command_lists_them() -> None:
    out = io.StringIO()
    call_command("clock", "rules", stdout=out)
    for rule in clocks.clock_rules().values():
        assert rule.id in out.getvalue()
        assert all(v.reference for v in rule.values)
    for required in [
        "reconsideration.decision_simplified",
        "litigation.defence",
        "disclosure.reply",
        "penalty.decision",
        "publicity.decision_other",
        "criminal_transfer.transfer",
        "random_inspection.publication",
        "legal_aid.assignment",
        "mediation.conclusion",
        "proposals.cppcc_answer",
    ]:
        assert required in clocks.clock_rules()


@pytest.mark.django_db
def test_explain_prints_json_with_skipped_days_and_reasons() -> None:
    out = io.StringIO()
    call_command("clock", "explain", "--rule", "reconsideration.acceptance", "--start", "2025-09-30", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["due"] == "2025-10-14" and data["provisional"] is False and "第三十条" in data["citation"]
    skipped = {s["date"]: s["reason"] for s in data["steps"] if s["kind"] == "skipped"}
    assert skipped["2025-10-01"] == "国庆节" and skipped["2025-10-12"] == "周末" and "2025-10-11" not in skipped
    with pytest.raises(CommandError, match="未知的事件类型"):
        call_command("clock", "explain", "--rule", "disclosure.reply", "--start", "2025-01-02", "--event", "paused:2025-01-03", stdout=io.StringIO())
    with pytest.raises(CommandError, match="未知规则"):
        call_command("clock", "explain", "--rule", "nope", "--start", "2025-01-02", stdout=io.StringIO())


def test_the_loader_refuses_bad_rule_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("a.b:\n  label: x\n  values:\n    - since: 2020-01-01\n      length: 5\n      unit: working_days\n      reference: ''\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=rf"{bad}:7: 缺少法律依据"):
        clocks._load_file(bad)
    bad.write_text("a.b:\n  label: x\n  lenght: 3\n  values: []\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=rf"{bad}:3: .*未知的键 'lenght'"):
        clocks._load_file(bad)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        # a period of months ends on the same day of the month; found by mutation testing: no test
        # crossed into January from exactly twelve months on (month index 12)
        (dt.date(2025, 10, 31), 3, dt.date(2026, 1, 31)),
        (dt.date(2025, 7, 15), 6, dt.date(2026, 1, 15)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),  # no 30 February: the month's last day
        (dt.date(2024, 1, 1), 24, dt.date(2026, 1, 1)),
        (dt.date(2025, 3, 31), 1, dt.date(2025, 4, 30)),
    ],
)
def test_periods_in_months_end_on_the_same_day_of_the_month_across_the_year_end(start: dt.date, months: int, end: dt.date) -> None:
    from fazhi.law.clocks import _add_months

    assert _add_months(start, months) == end
