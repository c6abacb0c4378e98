"""What an enforcement scenario needs in the agency (区市场监督管理局): two officers with valid
执法证 (行政处罚法第四十二条) and a 权责清单 with one item of each kind; the penalty items differ by
the procedural rule that sets their 办案期限 (the 市场监督管理 rule, or the 行政处罚法 alone)."""

from __future__ import annotations

import datetime as dt

from fazhi.core.models import Unit
from fazhi.registers.enforcement.models import Officer, PowerItem

OFFICERS = [("SC-ZF-01", "执法甲"), ("SC-ZF-02", "执法乙")]
# code, name, kind, sector, basis
ITEMS = [
    ("SC-CF-001", "对销售不合格产品的处罚", "penalty", "market_regulation", "《产品质量法》第五十条"),
    ("SC-CF-002", "对未落实安全生产责任的处罚", "penalty", "", "《安全生产法》第九十七条"),
    ("SC-XK-001", "食品经营许可", "licence", "market_regulation", "《食品安全法》第三十五条"),
    ("SC-QZ-001", "查封、扣押不符合食品安全标准的食品", "coercion", "market_regulation", "《食品安全法》第一百一十条第（四）项"),
    ("SC-JC-001", "食品经营监督检查", "inspection", "market_regulation", "《食品安全法》第一百一十条"),
]


def scenario_setup(unit: Unit) -> None:
    for code, name in OFFICERS:
        Officer.objects.get_or_create(
            code=code,
            defaults={"unit": unit, "name": name, "certificate_issued_on": dt.date(2020, 1, 1), "certificate_valid_until": dt.date(2030, 12, 31)},
        )
    for code, name, kind, sector, basis in ITEMS:
        PowerItem.objects.get_or_create(code=code, defaults={"unit": unit, "name": name, "kind": kind, "sector": sector, "legal_basis": basis})
