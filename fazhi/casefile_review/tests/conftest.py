"""An enforcement agency with six closed case files of 2025 (three penalties, three inspections)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Org, do
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case


@pytest.fixture
def agency(org: Org) -> Agency:
    a = make_agency(org)
    for i in range(6):
        case = open_case(a, item=a.inspection if i % 2 else a.penalty)
        if i % 2:
            do(case, "decide", a.head, decided_on=dt.date(2025, 3, 5), outcome="inspection_compliant", decision_number=f"检{i}")
        else:
            do(case, "notify", a.clerk, notified_on=dt.date(2025, 3, 4), proposed_fine="100")
            # decided the next day: only once the party has waived its 陈述、申辩 window (行政处罚法第六十二条)
            do(case, "waive_rights", a.clerk, rights_waived_on=dt.date(2025, 3, 4), rights_waived="statement")
            do(case, "decide", a.head, decided_on=dt.date(2025, 3, 5), outcome="penalty_imposed", decision_number=f"罚{i}", fine_amount="100")
        do(case, "serve", a.clerk, served_on=dt.date(2025, 3, 6))
        do(case, "close", a.clerk, closed_on=dt.date(2025, 3, 7))
    return a
