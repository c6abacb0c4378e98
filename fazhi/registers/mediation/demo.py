"""A year of 人民调解 for the demo district: the three-level network, ~3,500 disputes, 排查 records."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.core.models import Unit
from fazhi.registers.framework.demo import stepper, two_years, weighted_picker
from fazhi.registers.framework.services import matter_create
from fazhi.registers.mediation.models import CommitteeLevel, MediationCommittee, Mediator

COMMUNITIES = ["花园", "幸福", "和平", "阳光", "翠竹", "望江", "春晖", "锦绣"]
SECTOR = ["医疗纠纷", "道路交通事故纠纷", "劳动争议", "物业纠纷"]
DISPUTE_TYPES = {
    "neighbour": 24,
    "family": 14,
    "property": 12,
    "labour": 9,
    "contract": 8,
    "damages": 9,
    "traffic": 6,
    "medical": 2,
    "land": 3,
    "demolition": 2,
    "consumer": 6,
    "other": 5,
}
SECTOR_TYPE = {"医疗纠纷": "medical", "道路交通事故纠纷": "traffic", "劳动争议": "labour", "物业纠纷": "property"}
OUTCOMES = {"written_agreement": 58, "oral_agreement": 36, "failed": 4, "terminated": 2}
DESCRIPTIONS = {
    "neighbour": "楼上漏水致楼下受损，双方就维修费用发生争执",
    "family": "赡养费分担纠纷",
    "property": "业主拒交物业费，认为服务不达标",
    "labour": "追索拖欠工资",
    "contract": "装修合同工期延误引发纠纷",
    "damages": "宠物伤人赔偿纠纷",
    "traffic": "电动车与行人碰擦，就医疗费赔偿协商未果",
    "medical": "对诊疗结果有异议，要求赔偿",
    "land": "宅基地边界争议",
    "demolition": "征收补偿款分配纠纷",
    "consumer": "预付卡退费纠纷",
    "other": "噪音扰民纠纷",
}


def build_network(org: DemoOrg, rng: random.Random) -> list[MediationCommittee]:
    """The 三级调解网络: a district committee and sector committees kept by the 司法局's section,
    a committee in every subdistrict and in every community, kept by the subdistrict's 司法所."""
    section = Unit.objects.get(code="JC-MD-D01-S4")  # 公共法律服务管理科
    committees = [MediationCommittee(name="明德区人民调解委员会", level=CommitteeLevel.DISTRICT, unit=section)]
    committees += [MediationCommittee(name=f"明德区{name}人民调解委员会", level=CommitteeLevel.SECTOR, unit=section) for name in SECTOR]
    offices = {u.parent_id: u for u in Unit.objects.filter(code__regex=r"^JC-MD-J\d+-SF$")}
    for sd in org.subdistricts:
        office = offices[sd.pk]
        committees.append(MediationCommittee(name=f"{sd.short_name}街道人民调解委员会", level=CommitteeLevel.SUBDISTRICT, unit=office))
        for name in rng.sample(COMMUNITIES, 6):
            committees.append(MediationCommittee(name=f"{sd.short_name}街道{name}社区人民调解委员会", level=CommitteeLevel.COMMUNITY, unit=office))
    MediationCommittee.objects.bulk_create(committees)
    committees = list(MediationCommittee.objects.order_by("pk"))
    mediators = []
    for c in committees:
        names: set[str] = set()
        while len(names) < rng.randint(2, 5):
            names.add(fake_name(rng))
        mediators += [Mediator(committee=c, name=n, full_time=i == 0 and c.level != CommitteeLevel.COMMUNITY) for i, n in enumerate(sorted(names))]
    Mediator.objects.bulk_create(mediators)
    return committees


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n_disputes: int = 3500) -> tuple[int, int]:
    committees = build_network(org, rng)
    mediators: dict[int, list[Mediator]] = {}
    for m in Mediator.objects.order_by("pk"):
        mediators.setdefault(m.committee_id, []).append(m)
    clerks = _first_clerks(committees)
    # community committees take most disputes, the district and sector committees the harder ones
    weights = [{"district": 6, "sector": 10, "subdistrict": 8, "community": 3}[c.level] for c in committees]
    next_outcome = weighted_picker(rng, OUTCOMES)
    year = today.year
    plans = two_years(rng, today, n_disputes, (dt.date(year - 1, 12, 1), dt.date(year - 1, 12, 31), max(n_disputes // 60, 3)))
    created = 0
    for received, carried_in in plans:
        committee = rng.choices(committees, weights)[0]
        kind = SECTOR_TYPE.get(committee.name.removeprefix("明德区").removesuffix("人民调解委员会"), "")
        kind = kind or rng.choices(list(DISPUTE_TYPES), list(DISPUTE_TYPES.values()))[0]
        clerk = clerks[committee.unit_id]
        data = {
            "received_on": received,
            "committee": committee.pk,
            "mediator": rng.choice(mediators[committee.pk]).pk,
            "dispute_type": kind,
            "source": rng.choices(["application", "own_initiative", "screening", "referred"], [55, 15, 18, 12])[0],
            "party_a_name": fake_name(rng),
            "party_a_phone": f"13{rng.randint(100000000, 999999999)}",
            "party_b_name": fake_name(rng) if kind not in ("property", "medical", "consumer") else rng.choice(["某物业公司", "某医院", "某商户"]),
            "description": DESCRIPTIONS[kind],
            "amount_involved": str(rng.randint(5, 800) * 100) if kind in ("labour", "damages", "traffic", "contract", "consumer", "medical") else "",
        }
        case = matter_create(register="mediation", unit=committee.unit, actor=clerk, data=data, carried_in=carried_in)
        created += 1
        _walk(case, rng, today, clerk, next_outcome)
        progress(1)
    screenings = _screenings(committees, clerks, rng, today)
    return created, screenings


def _first_clerks(committees: list[MediationCommittee]) -> dict[int, Any]:
    """The first clerk of each unit keeping committee ledgers."""
    from fazhi.core.models import Membership

    first: dict[int, Any] = {}
    for m in Membership.objects.filter(unit_id__in={c.unit_id for c in committees}, role="clerk").select_related("user").order_by("user__username"):
        first.setdefault(m.unit_id, m.user)
    return first


def _walk(case: Any, rng: random.Random, today: dt.date, clerk: Any, next_outcome: Callable[[], str]) -> None:
    step = stepper(case, today)
    # most disputes end within days; about 3 in 100 run past the month
    days = rng.randint(0, 12) if rng.random() < 0.8 else rng.randint(13, 29) if rng.random() < 0.85 else rng.randint(31, 45)
    concluded = case.received_on + dt.timedelta(days=days)
    outcome = next_outcome()
    if outcome in ("failed", "terminated"):
        reason = "一方拒绝继续调解，已告知可通过诉讼或仲裁解决（《人民调解法》第二十六条）"
        step("fail", clerk, concluded, concluded_on=concluded, outcome=outcome, failure_reason=reason)
        return
    amount = str(int(float(case.amount_involved) * rng.uniform(0.5, 1.0))) if case.amount_involved else ""
    terms = ""
    if outcome == "written_agreement":  # 人民调解法第二十九条: what was agreed, how and by when (no extra draws)
        what = f"向{case.party_a_name}支付{amount}元" if amount else f"与{case.party_a_name}按协议解决纠纷"
        terms = f"{case.party_b_name}于协议签订之日起三十日内{what}，双方就本纠纷再无其他争议。"
    if not step("agree", clerk, concluded, concluded_on=concluded, outcome=outcome, agreement_amount=amount, agreement_terms=terms):
        return
    if outcome == "written_agreement" and case.amount_involved and rng.random() < 0.08:
        applied = concluded + dt.timedelta(days=rng.randint(1, 20))
        if step("apply_confirmation", clerk, applied, confirmation_applied_on=applied, confirmation_court="江城市明德区人民法院"):
            ruled = applied + dt.timedelta(days=rng.randint(5, 15))
            step("record_confirmation", clerk, ruled, confirmation_ruled_on=ruled, confirmation_result="confirmed" if rng.random() < 0.95 else "not_confirmed")
    visit = concluded + dt.timedelta(days=rng.randint(15, 45))
    performance = rng.choices(["performed", "partly", "not_performed"], [95, 3, 2])[0]
    step("check_performance", clerk, visit, performance_checked_on=visit, performance=performance)


def _screenings(committees: list[MediationCommittee], clerks: dict[int, Any], rng: random.Random, today: dt.date) -> int:
    n = 0
    for c in committees:
        if c.level not in (CommitteeLevel.SUBDISTRICT, CommitteeLevel.COMMUNITY):
            continue
        months = range(1, today.month + (1 if today.day > 5 else 0)) if c.level == CommitteeLevel.SUBDISTRICT else range(1, today.month, 3)
        for month in months:
            day = dt.date(today.year, month, rng.randint(3, 25))
            if day >= today:
                continue
            found = rng.randint(0, 12)
            resolved = rng.randint(0, found)
            data = {
                "received_on": day,
                "committee": c.pk,
                "scope": rng.choice(["辖区各小区、沿街商铺", "重点人群、重点区域", "在建工地及用工单位", "辖区企业和物业项目"]),
                "disputes_found": found,
                "disputes_resolved": resolved,
                "disputes_referred": rng.randint(0, found - resolved),
                "risks": "节前欠薪隐患已逐一对接" if month in (1, 12) else "",
            }
            matter_create(register="mediation_screening", unit=c.unit, actor=clerks[c.unit_id], data=data)
            n += 1
    return n
