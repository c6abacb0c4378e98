"""The clock engine: legal scenarios (YAML) and a naive cross-check on thousands of dates."""

from __future__ import annotations

import bisect
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
from fazhi.law.management.commands.clock import EVENT_KINDS
from fazhi.law.workdays import default_calendar

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))


def _events(raw: list[str]) -> list[ClockEvent]:
    out = []
    for text in raw or []:
        kind, _, day = text.partition(":")
        out.append(ClockEvent(EVENT_KINDS[kind], dt.date.fromisoformat(day)))
    return out


@pytest.mark.parametrize("case", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_legal_scenario(case: dict[str, Any]) -> None:
    result = clock_compute(case["rule"], case["start"], _events(case.get("events")))
    assert result.due == case["due"], case["article"]
    assert result.provisional is case.get("provisional", False)
    if "citation_contains" in case:
        assert case["citation_contains"] in result.citation


# --- naive reference, used only here: workdays by binary search over a precomputed list -------
CAL = default_calendar()
FIRST, LAST = dt.date(2005, 1, 1), dt.date(2026, 12, 31)
WORKDAYS = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1) if CAL.is_workday(FIRST + dt.timedelta(days=i))]


def ref_working_days(start: dt.date, n: int) -> dt.date:
    return WORKDAYS[bisect.bisect_right(WORKDAYS, start) + n - 1]


def ref_calendar_days(start: dt.date, n: int) -> dt.date:
    day = start + dt.timedelta(days=n)
    return WORKDAYS[bisect.bisect_left(WORKDAYS, day)]


@settings(max_examples=3000, deadline=None)
@given(
    st.dates(dt.date(2005, 1, 1), dt.date(2026, 9, 30)),
    st.sampled_from(["disclosure.reply", "reconsideration.acceptance", "penalty.withdraw_publication", "publicity.decision_licence_penalty"]),
)
def test_working_day_rules_match_the_reference(start: dt.date, rule: str) -> None:
    result = clock_compute(rule, max(start, clocks.clock_rules()[rule].values[0].since))
    value = clocks.clock_rules()[rule].value_on(result.start)
    assert value is not None
    assert result.due == ref_working_days(result.start, value.length)
    assert not result.provisional


@settings(max_examples=3000, deadline=None)
@given(
    st.dates(dt.date(2005, 1, 1), dt.date(2026, 8, 31)),
    st.sampled_from(["reconsideration.decision", "litigation.defence", "legal_aid.decision", "penalty.decision"]),
)
def test_calendar_day_rules_match_the_reference(start: dt.date, rule: str) -> None:
    start = max(start, clocks.clock_rules()[rule].values[0].since)
    result = clock_compute(rule, start)
    value = clocks.clock_rules()[rule].value_on(start)
    assert value is not None
    assert result.due == ref_calendar_days(start, value.length)


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
