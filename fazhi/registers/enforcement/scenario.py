"""What an enforcement scenario needs in the agency (区市场监督管理局): two officers with valid
执法证 (行政处罚法第四十二条) and a 权责清单 with one item of each kind; the penalty items differ by
the procedural rule that sets their 办案期限 (the 市场监督管理 rule, or the 行政处罚法 alone)."""

from __future__ import annotations

import datetime as dt

from fazhi.core.models import Unit
from fazhi.registers.enforcement.models import EnforcementCase, Officer, PowerItem

OFFICERS = [("SC-ZF-01", "执法甲"), ("SC-ZF-02", "执法乙")]
# code, name, kind, sector, basis
ITEMS = [
    ("SC-CF-001", "对销售不合格产品的处罚", "penalty", "market_regulation", "《产品质量法》第五十条"),
    ("SC-CF-002", "对未落实安全生产责任的处罚", "penalty", "", "《安全生产法》第九十七条"),
    ("SC-XK-001", "食品经营许可", "licence", "market_regulation", "《食品安全法》第三十五条"),
    ("SC-QZ-001", "查封、扣押不符合食品安全标准的食品", "coercion", "market_regulation", "《食品安全法》第一百一十条第（四）项"),
    ("SC-JC-001", "食品经营监督检查", "inspection", "market_regulation", "《食品安全法》第一百一十条"),
]
# 权责清单 items whose conduct may be a crime (the 以罚代刑 check compares the amount with the
# threshold in force on the decision date): code, name, offence, basis
IP_ITEMS = [
    ("SC-CF-101", "对销售侵犯注册商标专用权商品的处罚", "counterfeit_trademark_goods", "《商标法》第六十条"),
    ("SC-CF-102", "对销售侵权复制品的处罚", "selling_infringing_copies", "《著作权法》第五十三条"),
]


def scenario_setup(unit: Unit) -> None:
    for code, name in OFFICERS:
        Officer.objects.get_or_create(
            code=code,
            defaults={"unit": unit, "name": name, "certificate_issued_on": dt.date(2020, 1, 1), "certificate_valid_until": dt.date(2030, 12, 31)},
        )
    for code, name, kind, sector, basis in ITEMS:
        PowerItem.objects.get_or_create(code=code, defaults={"unit": unit, "name": name, "kind": kind, "sector": sector, "legal_basis": basis})
    for code, name, offence, basis in IP_ITEMS:
        PowerItem.objects.get_or_create(
            code=code, defaults={"unit": unit, "name": name, "kind": "penalty", "sector": "market_regulation", "legal_basis": basis, "offence": offence}
        )


def scenario_facts(matter: EnforcementCase) -> dict[str, str]:
    """以罚代刑: the offences a decided penalty is flagged for (none: 无), and on what ground."""
    flags = list(matter.impunity_flags.filter(cleared_on__isnull=True).order_by("offence"))
    grounds = {"犯罪合理嫌疑" if "合理嫌疑" in f.citation else "达到立案追诉标准" for f in flags}
    return {
        "以罚代刑线索": "、".join(f.offence_label.split("（")[0] for f in flags) or "无",
        "线索依据": "、".join(sorted(grounds)) or "无",
    }
