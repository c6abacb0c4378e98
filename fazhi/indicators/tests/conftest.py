"""Fixtures of the indicator tests: a few 政府信息公开 requests across two years, and the browser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import do
from fazhi.registers.framework.services import matter_create
from fazhi.web.tests.conftest import browser  # noqa: F401  (the Playwright fixture)


def request_(org: Any, unit: Any, actor: Any, received: str, name: str = "李雷") -> Any:
    data = {
        "received_on": dt.date.fromisoformat(received),
        "applicant_type": "natural_person",
        "applicant_name": name,
        "channel": "in_person",
        "content": "申请公开",
        "applicant_phone": "13800001234",
    }
    return matter_create(register="disclosure", unit=unit, actor=actor, data=data)


@pytest.fixture
def requests(org: Any) -> dict[str, Any]:
    """Four requests of a department of 东湖区 and one of 西山区, across 2024 and 2025."""
    a = request_(org, org.dept, org.erin, "2024-12-20")
    do(a, "reply", org.erin, replied_on="2025-01-10", outcome="disclosed")  # on time
    b = request_(org, org.dept, org.erin, "2025-02-03")
    do(b, "reply", org.erin, replied_on="2025-02-10", outcome="disclosed")  # on time
    c = request_(org, org.dept, org.erin, "2025-03-03")
    do(c, "reply", org.erin, replied_on="2025-05-30", outcome="refused_state_secret")  # late (due 03-31)
    d = request_(org, org.dept, org.erin, "2025-12-15")  # still open at the end of 2025
    e = request_(org, org.other_body, org.frank, "2025-04-01")
    do(e, "reply", org.frank, replied_on="2025-04-03", outcome="disclosed")
    return {"a": a, "b": b, "c": c, "d": d, "e": e}
