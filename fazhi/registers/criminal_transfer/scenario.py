"""What a 两法衔接 scenario needs in the agency: two certified officers for the 专案组 (art.5)."""

from __future__ import annotations

import datetime as dt

from fazhi.core.models import Unit
from fazhi.registers.enforcement.models import Officer

OFFICERS = [("SC-YS-01", "移送甲"), ("SC-YS-02", "移送乙")]


def scenario_setup(unit: Unit) -> None:
    for code, name in OFFICERS:
        Officer.objects.get_or_create(
            code=code,
            defaults={"unit": unit, "name": name, "certificate_issued_on": dt.date(2020, 1, 1), "certificate_valid_until": dt.date(2030, 12, 31)},
        )
