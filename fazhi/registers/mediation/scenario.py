"""Rows the 人民调解 scenarios need before a dispute can be registered (``fazhi scenario run``).

The runner calls ``scenario_setup`` once per scenario, inside the scenario's transaction, with the
matter's unit (a 司法所 keeping the ledgers of its subdistrict's committees). It serves both
registers of this app: ``mediation`` and ``mediation_screening``.

- 场景街道人民调解委员会: the subdistrict committee whose ledger the unit keeps, with two mediators
  (周调解, full-time; 郑调解).
- 场景区医疗纠纷人民调解委员会: a sector committee kept by another unit (the unit's parent), with
  its mediator 吴调解 — for the refusals "该调委会的台账不由本单位管理" and "该调解员不属于所选调委会".
"""

from __future__ import annotations

from fazhi.core.models import Unit
from fazhi.registers.mediation.models import CommitteeLevel, MediationCommittee, Mediator

COMMITTEE = "场景街道人民调解委员会"
OTHER_COMMITTEE = "场景区医疗纠纷人民调解委员会"


def scenario_setup(unit: Unit) -> None:
    own, _ = MediationCommittee.objects.get_or_create(name=COMMITTEE, defaults={"level": CommitteeLevel.SUBDISTRICT, "unit": unit})
    Mediator.objects.get_or_create(committee=own, name="周调解", defaults={"full_time": True})
    Mediator.objects.get_or_create(committee=own, name="郑调解")
    other_unit = unit.parent if unit.parent is not None else unit
    if other_unit.pk != unit.pk:
        other, _ = MediationCommittee.objects.get_or_create(name=OTHER_COMMITTEE, defaults={"level": CommitteeLevel.SECTOR, "unit": other_unit})
        Mediator.objects.get_or_create(committee=other, name="吴调解")
