"""The engine's bounded pauses and agency-set due dates (政府信息公开条例 arts.32, 33, 35)."""

from __future__ import annotations

import datetime as dt

from fazhi.law.clocks import ClockEvent, clock_compute
from fazhi.law.workdays import default_calendar

CAL = default_calendar()
D = dt.date
START = D(2025, 3, 3)  # 20 working days → 2025-03-31
LIMIT = "disclosure.third_party_opinion"  # 15 working days


def due(*events: ClockEvent) -> tuple[dt.date | None, bool]:
    result = clock_compute("disclosure.reply", START, list(events), cal=CAL)
    fast = clock_compute("disclosure.reply", START, list(events), cal=CAL, explain=False)
    assert (fast.due, fast.paused) == (result.due, result.paused)
    return result.due, result.paused


def test_without_events_the_reply_period_is_20_working_days() -> None:
    assert due() == (D(2025, 3, 31), False)


def test_a_bounded_pause_ends_by_itself_when_its_period_runs_out() -> None:
    # sent 3/10: the third party's 15 working days end 3/31; 3/31 + 15 working days, 清明 4/4 skipped
    assert due(ClockEvent("pause", D(2025, 3, 10), limit=LIMIT)) == (D(2025, 4, 22), False)
    result = clock_compute("disclosure.reply", START, [ClockEvent("pause", D(2025, 3, 10), limit=LIMIT)], cal=CAL)
    assert "2025-03-31 中止期间届满，自动恢复计算" in result.notes
    # an unbounded pause waits for its resume
    assert due(ClockEvent("pause", D(2025, 3, 10))) == (None, True)


def test_an_earlier_answer_ends_the_pause_and_a_later_one_changes_nothing() -> None:
    assert due(ClockEvent("pause", D(2025, 3, 10), limit=LIMIT), ClockEvent("resume", D(2025, 3, 24))) == (D(2025, 4, 15), False)
    assert due(ClockEvent("pause", D(2025, 3, 10), limit=LIMIT), ClockEvent("resume", D(2025, 4, 10))) == (D(2025, 4, 22), False)
    assert due(ClockEvent("pause", D(2025, 3, 10), limit=LIMIT), ClockEvent("resume", D(2025, 3, 31))) == (D(2025, 4, 22), False)


def test_a_new_pause_after_a_lapsed_one_pauses_again() -> None:
    # lapsed 3/31; a fee notice on 4/2 pauses without bound (1 working day counted: 4/1, 4/2)
    assert due(ClockEvent("pause", D(2025, 3, 10), limit=LIMIT), ClockEvent("pause", D(2025, 4, 2))) == (None, True)
    # while the bounded pause runs, another pause adds nothing
    assert due(ClockEvent("pause", D(2025, 3, 10), limit=LIMIT), ClockEvent("pause", D(2025, 3, 12))) == (D(2025, 4, 22), False)


def test_a_due_date_set_in_time_moves_the_due_date_later_only() -> None:
    assert due(ClockEvent("set_due", D(2025, 3, 20), until=D(2025, 5, 30))) == (D(2025, 5, 30), False)
    assert due(ClockEvent("set_due", D(2025, 3, 20), until=D(2025, 3, 25))) == (D(2025, 3, 31), False)  # never earlier
    late = clock_compute("disclosure.reply", START, [ClockEvent("set_due", D(2025, 4, 1), until=D(2025, 5, 30))], cal=CAL)
    assert late.due == D(2025, 3, 31) and any("期限不变" in n for n in late.notes)  # told after the period ran out
