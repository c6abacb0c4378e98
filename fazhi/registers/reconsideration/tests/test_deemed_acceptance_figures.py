"""Deemed acceptance (行政复议法 art.30 para.3) moves the on-time figures, and the upgrade re-judges stored cases."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.management import call_command

from conftest import do
from fazhi.indicators import rollups
from fazhi.indicators.engine import Period, compute
from fazhi.registers.reconsideration.models import ReconsiderationCase
from fazhi.reports.generator import generate


def _rate(org: Any) -> Any:
    return compute([org.body], Period.year(2025), ["fy.on_time_rate"])["fy.on_time_rate"][org.body.pk]


def test_an_acceptance_recorded_late_makes_the_decision_late_and_the_figures_follow(org: Any, make_case: Any) -> None:
    on_time = make_case(received_on=dt.date(2025, 9, 1))
    do(on_time, "accept", org.bob, accepted_on="2025-09-05", procedure="ordinary")
    do(on_time, "decide", org.carol, decided_on="2025-11-04", outcome="upheld")
    deemed = make_case(received_on=dt.date(2025, 9, 1))
    # accepted on record 22 days after the review period ended on 2025-09-08: the 60 days ran
    # from 09-08 (due 11-07), so a decision on 11-20 is late, though within 60 days of 09-30
    do(deemed, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    do(deemed, "decide", org.carol, decided_on="2025-11-20", outcome="upheld")
    assert ReconsiderationCase.objects.get(pk=deemed.pk).deadlines == {"reconsideration.decision": "late"}
    value = _rate(org)
    assert (value.numerator, value.denominator) == (1, 2)

    # Stored before the fix, the case was judged from the recorded acceptance: simulate that
    # state (row and rollups), then the upgrade's recompute re-judges it and lists the change.
    ReconsiderationCase.objects.filter(pk=deemed.pk).update(deadlines={"reconsideration.decision": "met"})
    rollups.rebuild()
    assert (_rate(org).numerator, _rate(org).denominator) == (2, 2)
    _, parts = generate("fzzf", org.district, 2025)
    assert "按期审结率100%" in "".join(g.text for p in parts for g in p.paragraphs)
    out = io.StringIO()
    call_command("clock", "recompute", stdout=out)
    assert deemed.case_number in out.getvalue() and "按期 → 超期" in out.getvalue()
    assert (_rate(org).numerator, _rate(org).denominator) == (1, 2)
    _, parts = generate("fzzf", org.district, 2025)
    assert "按期审结率50%" in "".join(g.text for p in parts for g in p.paragraphs)
