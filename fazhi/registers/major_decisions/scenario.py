"""Rows the 重大行政决策 scenarios need (``fazhi scenario run``): the deciding body's catalogue.

The runner calls ``scenario_setup`` once per scenario, inside its transaction, with the matter's
unit (场景区市场监督管理局, the 承办单位). It builds 场景区人民政府's 2025 决策事项目录 through the
catalogue services (agreed by the 区委 and published):

- SC-D-2025-01 场景区农贸市场布局规划（2025—2030年）, led by the unit;
- SC-D-2025-02 场景区食品安全放心消费三年行动方案, led by the unit;
- SC-D-2025-03 场景区公共法律服务体系建设实施方案, led by 场景区司法局 (another unit);
- SC-D-2025-04 场景区户外广告设施设置规划, led by the unit, removed from the catalogue.
"""

from __future__ import annotations

import datetime as dt

from fazhi.core.models import Unit
from fazhi.registers.major_decisions.models import DecisionCatalogue
from fazhi.registers.major_decisions.services import catalogue_agree, catalogue_create, catalogue_publish, item_add, item_remove


def scenario_setup(unit: Unit) -> None:
    from fazhi.registers.framework.scenarios import role_user, world_units

    body = unit.parent
    assert body is not None
    if DecisionCatalogue.objects.filter(unit=body, year=2025).exists():
        return
    office = role_user(body, "rule_of_law_office")
    justice = world_units()["SC-D-J"]
    catalogue = catalogue_create(unit=body, actor=office, year=2025, on=dt.date(2025, 1, 6))
    on = dt.date(2025, 1, 6)
    item_add(catalogue=catalogue, actor=office, name="场景区农贸市场布局规划（2025—2030年）", lead_unit=unit, category="plan", on=on)
    item_add(catalogue=catalogue, actor=office, name="场景区食品安全放心消费三年行动方案", lead_unit=unit, category="policy", on=on)
    item_add(catalogue=catalogue, actor=office, name="场景区公共法律服务体系建设实施方案", lead_unit=justice, category="policy", on=on)
    removed = item_add(catalogue=catalogue, actor=office, name="场景区户外广告设施设置规划", lead_unit=unit, category="plan", on=on)
    catalogue_agree(catalogue=catalogue, actor=office, on=dt.date(2025, 1, 20), agreement="区委常委会2025年第2次会议")
    catalogue_publish(catalogue=catalogue, actor=office, on=dt.date(2025, 1, 24), channel="场景区人民政府门户网站")
    item_remove(item=removed, actor=office, on=dt.date(2025, 6, 30), reason="上级统一编制专项规划，本级不再单独决策")
