"""Rows the 普法 scenarios need (``fazhi scenario run``): 普法责任清单 of the matter's unit
(场景区市场监督管理局) and of another unit, built through the table services.

- SC-D-SJ-2025-01 《食品安全法》 to 食品生产经营者; SC-D-SJ-2025-02 《民法典》 to 消费者;
  SC-D-SJ-2025-03 《广告法》, moved off the list on 2025-06-30;
- SC-D-SJ-2024-01: the unit's 2024 list;
- SC-D-J-2025-01: 场景区司法局's list (another unit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.models import Unit
from fazhi.registers.legal_publicity.models import DutyList
from fazhi.registers.legal_publicity.services import item_add, item_remove, list_create


def scenario_setup(unit: Unit) -> None:
    from fazhi.registers.framework.scenarios import role_user, world_units

    if DutyList.objects.filter(unit=unit, year=2025).exists():
        return
    clerk = role_user(unit, "clerk")
    old = list_create(unit=unit, actor=clerk, year=2024, issued_on=dt.date(2024, 2, 1))
    item_add(duty_list=old, actor=clerk, content="《食品安全法》", target_groups="食品生产经营者")
    current = list_create(unit=unit, actor=clerk, year=2025, issued_on=dt.date(2025, 2, 10))
    item_add(
        duty_list=current,
        actor=clerk,
        content="《食品安全法》及其实施条例",
        target_groups="食品生产经营者",
        planned_activities="执法检查中以案释法",
        timing="全年",
    )
    item_add(
        duty_list=current,
        actor=clerk,
        content="《民法典》合同编、《消费者权益保护法》",
        target_groups="消费者",
        planned_activities="3·15集中宣传",
        timing="3月",
    )
    removed = item_add(duty_list=current, actor=clerk, content="《广告法》", target_groups="广告经营者", timing="下半年")
    item_remove(item=removed, actor=clerk, on=dt.date(2025, 6, 30))
    justice = world_units()["SC-D-J"]
    other = list_create(unit=justice, actor=role_user(justice, "clerk"), year=2025, issued_on=dt.date(2025, 2, 10))
    item_add(duty_list=other, actor=role_user(justice, "clerk"), content="《宪法》", target_groups="国家工作人员")


def scenario_facts(matter: Any) -> dict[str, str]:
    """Whether the list item the activity fulfils counts as carried out, and since when."""
    item = matter.duty_item
    if item is None:
        return {"清单事项已开展": "未对应清单事项"}
    item.refresh_from_db()
    return {"清单事项已开展": "是" if item.first_activity_on else "否", "清单事项首次开展日期": f"{item.first_activity_on or ''}"}
