"""Rows the 合同合法性审查 scenarios need (``fazhi scenario run``): the adviser directory.

The runner calls ``scenario_setup`` once per scenario with the matter's unit (场景区市场监督管理局).
It records, through the directory's service:

- 顾明, 法律顾问 of 场景区人民政府 (serves every unit of the district), term 2025;
- 林清, 公职律师 of the unit, no fixed term;
- 周远, 法律顾问 of the unit whose term ended on 2024-12-31;
- 韩松, 法律顾问 of 场景区司法局 (another department).
"""

from __future__ import annotations

import datetime as dt

from fazhi.core.models import Unit
from fazhi.registers.contract_review.models import LegalAdviser
from fazhi.registers.contract_review.services import adviser_save


def scenario_setup(unit: Unit) -> None:
    from fazhi.registers.framework.scenarios import world_units

    if LegalAdviser.objects.filter(unit=unit).exists():
        return
    units = world_units()
    rows = [
        (units["SC-D"], "顾明", "legal_adviser", "14201201510000001", "场景律师事务所", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "场政法顾〔2025〕1号"),
        (unit, "林清", "staff_lawyer", "G4201202010001", "", dt.date(2020, 6, 1), None, "场司公律〔2020〕3号"),
        (unit, "周远", "legal_adviser", "14201201810000002", "场明律师事务所", dt.date(2023, 1, 1), dt.date(2024, 12, 31), "场监顾〔2023〕1号"),
        (units["SC-D-J"], "韩松", "legal_adviser", "14201201910000003", "场景律师事务所", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "场司顾〔2025〕2号"),
    ]
    for served, name, kind, number, organisation, start, end, reference in rows:
        adviser_save(
            actor=None,
            unit=served,
            values={
                "name": name,
                "kind": kind,
                "licence_number": number,
                "organisation": organisation,
                "term_start": start,
                "term_end": end,
                "appointment_reference": reference,
            },
        )
