"""A year of 行政执法 for the demo district: officers, 权责清单, 10–20 thousand cases (written in
bulk), a handful of 两法衔接 transfers, monthly 双随机 plans and two 案卷评查 campaigns."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.core.models import Unit
from fazhi.core.types import Actor
from fazhi.law.workdays import current_calendar
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.impunity import impunity_scan
from fazhi.registers.enforcement.models import EnforcementCase, Officer, OfficerExam, PowerItem, TrainingRecord
from fazhi.registers.framework.bulk import Planned, Step, bulk_write
from fazhi.registers.framework.demo import prior_share, workdays_after
from fazhi.registers.framework.registry import register_get

# short name -> (weight, power items: (kind, name, basis, offence))
AGENCIES: dict[str, tuple[int, list[tuple[str, str, str, str]]]] = {
    "市监": (
        30,
        [
            ("penalty", "对销售不合格产品的处罚", "《产品质量法》第五十条", "fake_products"),
            ("penalty", "对销售侵犯注册商标专用权商品的处罚", "《商标法》第六十条", "counterfeit_trademark_goods"),
            ("penalty", "对无证经营食品的处罚", "《食品安全法》第一百二十二条", ""),
            ("licence", "食品经营许可", "《食品安全法》第三十五条", ""),
            ("inspection", "食品经营监督检查", "《食品安全法》第一百一十条", ""),
            ("coercion", "查封、扣押不符合食品安全标准的食品", "《食品安全法》第一百一十条第（四）项", ""),
        ],
    ),
    "城管": (
        22,
        [
            ("penalty", "对违法建设的处罚", "《城乡规划法》第六十四条", ""),
            ("inspection", "市容环境卫生检查", "《城市市容和环境卫生管理条例》", ""),
            ("coercion", "强制拆除违法建筑", "《行政强制法》第四十四条", ""),
        ],
    ),
    "环境": (
        10,
        [
            ("penalty", "对超标排放污染物的处罚", "《大气污染防治法》第九十九条", "environmental_pollution"),
            ("inspection", "排污单位现场检查", "《环境保护法》第二十四条", ""),
            ("coercion", "查封、扣押造成污染物排放的设施", "《环境保护法》第二十五条", ""),
        ],
    ),
    "交通": (
        8,
        [("penalty", "对非法营运的处罚", "《道路运输条例》第六十三条", "illegal_business"), ("licence", "道路运输经营许可", "《道路运输条例》第十条", "")],
    ),
    "住建": (6, [("penalty", "对未取得施工许可擅自施工的处罚", "《建筑法》第六十四条", ""), ("licence", "建筑工程施工许可", "《建筑法》第七条", "")]),
    "应急": (
        5,
        [("penalty", "对未落实安全生产责任的处罚", "《安全生产法》第九十七条", ""), ("inspection", "安全生产执法检查", "《安全生产法》第六十五条", "")],
    ),
    "卫健": (5, [("penalty", "对无证行医的处罚", "《医师法》第五十九条", ""), ("inspection", "公共场所卫生监督检查", "《公共场所卫生管理条例》", "")]),
    "文旅": (
        4,
        [
            ("penalty", "对无证经营娱乐场所的处罚", "《娱乐场所管理条例》第四十一条", "illegal_business"),
            ("inspection", "文化市场检查", "《娱乐场所管理条例》", ""),
        ],
    ),
    "人社": (4, [("penalty", "对拖欠工资的处罚", "《劳动保障监察条例》第二十六条", ""), ("inspection", "劳动保障监察", "《劳动保障监察条例》第十五条", "")]),
    "审批": (
        6,
        [("licence", "企业投资项目备案", "《企业投资项目核准和备案管理条例》", ""), ("licence", "公共场所卫生许可", "《公共场所卫生管理条例》第八条", "")],
    ),
}
SUBDISTRICT = (
    3,
    [
        ("penalty", "对占道经营的处罚", "《城市市容和环境卫生管理条例》第三十六条", ""),
        ("inspection", "街面秩序巡查", "《湖北省城市市容和环境卫生管理条例》", ""),
    ],
)
OUTCOMES = {
    "penalty": ["penalty_imposed"] * 9 + ["no_penalty"],
    "licence": ["licence_granted"] * 9 + ["licence_refused"],
    "coercion": ["measure_taken"] * 3 + ["enforcement_done"],
    "inspection": ["inspection_compliant"] * 3 + ["inspection_corrected"],
}
COMPANIES = "恒信达远华盛泰和宏图东方"
TRADES = ["商贸", "餐饮", "建设", "物流", "电器", "化工", "运输", "科技"]


def _officers(unit: Unit, rng: random.Random, n: int, today: dt.date) -> list[Officer]:
    out = []
    for i in range(n):
        # two veterans per unit hold certificates from before the demo's first year, so that every
        # case of both years finds two certified officers; the others came any year, this one included
        back = rng.randint(3, 5) if i < 2 else rng.choice([0, 1, 1, 2, 3, 4, 5])
        month = rng.randint(1, 12)
        if back == 0 and month >= today.month:
            back = 1
        issued = dt.date(today.year - back, month, 1)
        valid = issued.replace(year=issued.year + 6) if i < 2 or rng.random() > 0.08 else today + dt.timedelta(days=rng.randint(5, 55))
        out.append(
            Officer(
                unit=unit,
                name=fake_name(rng),
                code=f"42{unit.pk:04d}{i:04d}",
                certificate_issued_on=issued,
                certificate_valid_until=valid,
                legal_qualification=rng.random() < 0.2,
            )
        )
    Officer.objects.bulk_create(out)
    officers = list(Officer.objects.filter(unit=unit).order_by("id"))
    trainings, exams = [], []
    for o in officers:
        for _ in range(rng.randint(2, 8)):
            trainings.append(
                TrainingRecord(
                    officer=o, held_on=today - dt.timedelta(days=rng.randint(1, 300)), topic="行政执法专题培训", hours=Decimal(rng.choice([4, 8, 12, 16]))
                )
            )
        # the annual exam of last year, and of this year once it has been held (in November)
        for year in [today.year - 1] + ([today.year] if today >= dt.date(today.year, 11, 20) else []):
            score = Decimal(rng.randint(55, 98))
            exams.append(OfficerExam(officer=o, year=year, score=score, passed=score >= 60, held_on=dt.date(year, 11, 20)))
    TrainingRecord.objects.bulk_create(trainings)
    OfficerExam.objects.bulk_create(exams)
    return [o for o in officers if o.certificate_valid_until > today]


def _party(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.45:
        return {
            "party_type": "natural_person",
            "party_name": fake_name(rng),
            "party_id_number": f"420102{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1000, 9999)}",
            "party_phone": f"13{rng.randint(100000000, 999999999)}",
        }
    kind = rng.choice(["legal_person", "legal_person", "individual_business"])
    return {
        "party_type": kind,
        "party_name": f"江城{rng.choice(COMPANIES)}{rng.choice(COMPANIES)}{rng.choice(TRADES)}有限公司",
        "party_id_number": f"91420102MA4K{rng.randint(100000, 999999)}",
    }


def _plan_case(
    unit: Unit, staff: tuple[Any, Any, Any], item: PowerItem, officers: list[Officer], rng: random.Random, received: dt.date, today: dt.date, seq: int
) -> Planned:
    clerk, reviewer, head = staff
    lead, second = rng.sample([o for o in officers if o.certified_on(received)], 2)
    party = _party(rng)
    m = EnforcementCase(
        unit=unit,
        power_item=item,
        kind=item.kind,
        term=rules.term_for(item.kind, item.sector, False, received),
        received_on=received,
        facts=f"{item.name}：现场检查发现违法线索",
        lead_officer=lead,
        second_officer=second,
        major_public_interest=rng.random() < 0.06,
        complex_case=rng.random() < 0.03,
        state="investigating",
        **party,
    )
    if item.offence:
        m.amount_involved = Decimal(
            rng.choice(
                [rng.randint(2, 40) * 1000, rng.randint(2, 40) * 1000, rng.randint(50, 400) * 1000] if rng.random() < 0.08 else [rng.randint(1, 30) * 1000]
            )
        )
    # every value the row carries is recorded by a step, as the services record it (`audit verify`
    # replays the events against the rows)
    create = {k: getattr(m, k) for k in ("received_on", "party_type", "party_name", "facts", "major_public_interest", "complex_case")}
    create |= {k: party[k] for k in ("party_id_number", "party_phone") if k in party}
    if m.amount_involved is not None:
        create["amount_involved"] = m.amount_involved
    steps = [
        Step(
            "register",
            clerk,
            received,
            create | {"power_item": item.pk, "lead_officer": lead.pk, "second_officer": second.pk, "kind": item.kind, "term": m.term},
        )
    ]

    def step(name: str, actor: Actor, day: dt.date, state: str, **values: Any) -> bool:
        if day > today:
            return False
        for k, v in values.items():
            setattr(m, k, v)
        m.state = state
        steps.append(Step(name, actor, day, values))
        return True

    day = received
    kind = item.kind
    fine = Decimal(rng.choice([200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 150000]))
    if kind in ("penalty", "coercion"):
        day = received + dt.timedelta(days=rng.randint(7, 40))
        proposed = fine if kind == "penalty" else None
        # the hearing right as the service derives it at 告知 (第六十三条), recorded with the step
        right, _ = rules.hearing_right(m.party_type, proposed, "", day)
        if not step("notify", clerk, day, "notified", notified_on=day, proposed_fine=proposed, hearing_right=right):
            return Planned(m, steps)
        if kind == "coercion" and not step("seize", clerk, day, "notified", seized_on=day, seizure_items="涉案物品一批（详见查封、扣押清单）"):
            return Planned(m, steps)
        if m.hearing_right and rng.random() < 0.4:
            # requested within 5 working days, noticed at least 7 working days before the hearing (第六十四条)
            d1, dn, d2 = workdays_after(day, 3), workdays_after(day, 4), workdays_after(day, 12)
            if (
                not step("request_hearing", clerk, d1, "hearing_pending", hearing_requested_on=d1)
                or not step("notice_hearing", clerk, dn, "hearing_pending", hearing_noticed_on=dn)
                or not step("hold_hearing", head, d2, "notified", hearing_held_on=d2, hearing_held=True)
            ):
                return Planned(m, steps)
            day = d2
    needs_review = m.major_public_interest or m.complex_case or m.hearing_held
    if needs_review or rng.random() < 0.1:
        d1, d2 = workdays_after(day, 2), workdays_after(day, 5)
        if not step("submit_review", clerk, d1, "under_review", review_submitted_on=d1):
            return Planned(m, steps)
        if not step(
            "pass_review",
            reviewer,
            d2,
            "reviewed",
            reviewed_on=d2,
            reviewer_name=reviewer.first_name,
            review_opinion="事实清楚，证据充分，程序合法",
            review_result="passed",
        ):
            return Planned(m, steps)
        day = d2
    if m.complex_case and kind == "penalty":
        d = workdays_after(day, 2)
        if not step("discuss", head, d, m.state, discussed_on=d, discussion_conclusion="集体讨论同意"):
            return Planned(m, steps)
        day = d
    late = rng.random() < 0.01
    decided = (
        max(workdays_after(day, rng.randint(2, 15)), received + dt.timedelta(days=95 if late else 0))
        if kind != "licence"
        # a licence is decided within its term, and after the 法制审核 when there was one
        else max(workdays_after(received, rng.randint(3, 18)), workdays_after(day, 1) if m.reviewed_on else received)
    )
    if kind == "penalty" and m.notified_on:
        # not before the 陈述、申辩 and hearing-request windows have ended (第六十二条、第六十四条)
        decided = max(decided, workdays_after(m.notified_on, 6))
    outcome = rng.choice(OUTCOMES[kind])
    values: dict[str, Any] = {
        "decided_on": decided,
        "outcome": outcome,
        "decision_number": f"{unit.short_name}{ {'penalty': '罚', 'licence': '许', 'coercion': '强', 'inspection': '检'}[kind] }〔{decided.year}〕{seq}号",
    }
    if outcome == "penalty_imposed":
        values["fine_amount"] = fine
    if not step("decide", head, decided, "decided", **values):
        return Planned(m, steps)
    published = workdays_after(decided, rng.choice([1, 2, 3, 4, 5, 6, 6, 7, 9, 15]))
    served = decided + dt.timedelta(days=rng.randint(0, 5))
    if not step("serve", clerk, served, "served", served_on=served):
        return Planned(m, steps)
    if rng.random() < 0.97 and published <= today:
        step("publish", clerk, published, m.state, published_on=published)
    executed = served + dt.timedelta(days=rng.randint(3, 30))
    if not step("execute", clerk, executed, "executed", executed_on=executed, execution=rng.choice(["voluntary"] * 8 + ["enforced", "court"])):
        return Planned(m, steps)
    closed = executed + dt.timedelta(days=rng.randint(1, 10))
    if step("close", clerk, closed, "closed", closed_on=closed):
        m.closed_on = closed
    return Planned(m, steps)


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n_cases: int = 12000) -> dict[str, int]:
    users = {u.username: u for u in get_user_model().objects.filter(username__regex=r"_(clerk1|reviewer|head)$")}
    units: list[tuple[Unit, int, list[tuple[str, str, str, str]]]] = []
    for dept in org.departments:
        if dept.short_name in AGENCIES:
            weight, items = AGENCIES[dept.short_name]
            units.append((dept, weight, items))
    units += [(sd, SUBDISTRICT[0], SUBDISTRICT[1]) for sd in org.subdistricts]
    cal = current_calendar()

    def workdays(start: dt.date, end: dt.date) -> list[dt.date]:
        return [start + dt.timedelta(days=i) for i in range((end - start).days) if cal.is_workday(start + dt.timedelta(days=i))]

    # the current year (from December before it) and the year before at about the same volume
    start = dt.date(today.year - 1, 12, 1)
    days, days_before = workdays(start, today), workdays(start.replace(year=start.year - 1), start)
    planned: list[Planned] = []
    total_weight = sum(w for _, w, _ in units)
    counts = {"officers": 0, "powers": 0}
    for unit, weight, specs in units:
        code = unit.code.lower().replace("-", "_")
        staff = (users[f"{code}_clerk1"], users[f"{code}_reviewer"], users[f"{code}_head"])
        officers = _officers(unit, rng, max(4, weight // 2 + 4), today)
        counts["officers"] += len(officers)
        powers = [
            PowerItem.objects.create(
                unit=unit,
                code=f"{unit.code}-{i:03d}",
                name=n,
                kind=k,
                sector="market_regulation" if unit.short_name == "市监" else "",
                legal_basis=b,
                offence=o,
                procedure="立案—调查取证—告知—（听证）—（法制审核）—决定—送达—执行",
                remedy="可依法申请行政复议或提起行政诉讼",
            )
            for i, (k, n, b, o) in enumerate(specs, start=1)
        ]
        counts["powers"] += len(powers)
        n = max(20, n_cases * weight // total_weight)
        n_before = round(n * prior_share() * rng.uniform(0.85, 1.1))
        received_on = [rng.choice(days_before) for _ in range(n_before)] + [rng.choice(days) for _ in range(n)]
        for seq, received in enumerate(sorted(received_on), start=1):
            planned.append(_plan_case(unit, staff, rng.choice(powers), officers, rng, received, today, seq))
            progress(1)
    bulk_write(register_get("enforcement"), planned)
    flags = impunity_scan(on=today)
    counts |= {"cases": len(planned), "flags": flags}
    return counts
