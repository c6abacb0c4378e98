"""Demo records that join several apps: the 两法衔接 transfers of flagged 行政执法 cases, the
market regulator's monthly 双随机 plans and two 案卷评查 campaigns (the top layer may import them
all; a register's own demo generator may not)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from fazhi.core.demo import DemoOrg
from fazhi.registers.enforcement.demo import COMPANIES
from fazhi.registers.enforcement.models import EnforcementCase, Officer
from fazhi.registers.framework.demo import workdays_after


def build_oversight(org: DemoOrg, rng: random.Random, today: dt.date) -> dict[str, int]:
    """Transfers of flagged cases, monthly 双随机 plans of the 市场监督管理局, two 案卷评查 campaigns."""
    from fazhi.casefile_review.services import campaign_close, campaign_create, campaign_sample, sampled_file_score
    from fazhi.casefile_review.sheets import sheets
    from fazhi.inspections.models import Assignment, ConflictDeclaration, InspectionSubject
    from fazhi.inspections.services import draw_execute, plan_create, result_record, results_publish
    from fazhi.registers.enforcement.models import ImpunityFlag
    from fazhi.registers.framework.services import matter_create, matter_transition

    users = {u.username: u for u in get_user_model().objects.filter(username__regex=r"_(clerk1|reviewer|head)$|^office$")}
    counts = {"transfers": 0, "plans": 0, "campaigns": 0}
    # 两法衔接: half of the flagged cases are transferred (which clears their flags)
    # 两法衔接: half of the flagged cases are transferred (which clears their flags), and the
    # cases with the largest amounts involved are transferred too, so there are always a few
    from fazhi.registers.enforcement.rules import offences

    labels = offences()
    candidates = [(f.case, f.offence_label) for f in ImpunityFlag.objects.select_related("case", "case__unit").order_by("id")[:12:2]]
    largest = EnforcementCase.objects.filter(kind="penalty", amount_involved__isnull=False, impunity_flags__isnull=True).exclude(power_item__offence="")
    for case in largest.select_related("unit", "power_item").order_by("-amount_involved", "id")[: max(0, 6 - len(candidates))]:
        candidates.append((case, labels[case.power_item.offence]))
    for case, offence_label in candidates:
        code = case.unit.code.lower().replace("-", "_")
        clerk, head = users[f"{code}_clerk1"], users[f"{code}_head"]
        day = min(today, (case.decided_on or today) + dt.timedelta(days=rng.randint(5, 30)))
        t = matter_create(
            register="criminal_transfer",
            unit=case.unit,
            actor=clerk,
            data={
                "received_on": day,
                "origin": rng.choice(["supervision", "procuratorate"]),
                "enforcement_case": case.pk,
                "offence": offence_label.split("（")[0],
                "suspect_type": case.party_type,
                "suspect_name": case.party_name,
                "amount_involved": case.amount_involved,
                "facts": f"{case.facts}，涉案金额 {case.amount_involved} 元",
                "lead_officer": case.lead_officer_id,
                "second_officer": case.second_officer_id,
            },
        )
        chain: list[tuple[str, Any, int, dict[str, Any]]] = [
            ("approve", head, 2, {"approved_on": None}),
            ("transfer", clerk, 1, {"transferred_on": None, "police_unit": "江城市公安局明德分局"}),
            ("police_accept", clerk, 0, {"police_received_on": None}),
            ("police_file", clerk, 3, {"police_decided_on": None}),
            ("hand_over", clerk, 2, {"handed_over_on": None}),
        ]
        for name, actor, gap, data in chain[: rng.randint(1, len(chain))]:
            day = day + dt.timedelta(days=gap)
            if day > today:
                break
            matter_transition(matter=t, transition=name, actor=actor, data={k: (day if v is None else v) for k, v in data.items()})
        counts["transfers"] += 1
    # 双随机: a directory of 300 food businesses and one plan a month
    market = next(d for d in org.departments if d.short_name == "市监")
    code = market.code.lower().replace("-", "_")
    head, clerk = users[f"{code}_head"], users[f"{code}_clerk1"]
    subjects = [
        InspectionSubject(
            unit=market,
            name=f"明德{rng.choice(COMPANIES)}{rng.choice(COMPANIES)}食品店{i}",
            credit_code=f"92420102MA{i:08d}",
            subject_type=rng.choice(["enterprise", "individual_business"]),
            category="食品销售",
        )
        for i in range(300)
    ]
    InspectionSubject.objects.bulk_create(subjects)
    officers = list(Officer.objects.filter(unit=market, certificate_valid_until__gt=today))
    first = InspectionSubject.objects.filter(unit=market).order_by("id").first()
    if first is not None and officers:
        ConflictDeclaration.objects.create(officer=officers[0], subject=first, reason="近亲属经营", declared_on=dt.date(today.year, 1, 2))
    for month in range(1, today.month + 1):
        starts = dt.date(today.year, month, 1)
        ends = (starts.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        plan = plan_create(
            unit=market,
            actor=head,
            items=[("食品经营许可及从业人员健康证明", "《食品安全法》第一百一十条"), ("进货查验记录", "《食品安全法》第五十三条")],
            name=f"{today.year}年{month}月食品销售双随机抽查",
            year=today.year,
            category="食品销售",
            ratio=Decimal("0.03"),
            cap_per_subject_per_year=2,
            inspectors_per_subject=2,
            starts_on=starts,
            ends_on=ends,
            seed_source=f"{today.year}年{month}月第一个交易日上证综指收盘点位",
        )
        counts["plans"] += 1
        draw_on = max(starts, dt.date(today.year, month, 2))
        if draw_on > today:
            continue
        draw = draw_execute(plan=plan, actor=head, seed_value=f"{3000 + rng.randint(0, 600)}.{rng.randint(0, 99):02d}", on=draw_on)
        if ends < today:
            for a in Assignment.objects.filter(draw=draw):
                result_record(
                    assignment=a,
                    actor=clerk,
                    inspected_on=starts + dt.timedelta(days=rng.randint(5, 20)),
                    finding=rng.choice(["no_issue"] * 6 + ["corrected", "case_opened", "not_found"]),
                )
            published = workdays_after(ends, rng.choice([5, 10, 15, 18, 25]))
            if published <= today:
                results_publish(plan=plan, actor=head, published_on=published)
    # 案卷评查: last year's files are few in a one-year demo, so both campaigns review this year's
    office = users["office"]
    sheet = sheets()["penalty-2026"]
    for half, close in (("上半年", True), ("下半年", False)):
        campaign = campaign_create(
            organiser=org.district,
            actor=office,
            scope=org.district,
            name=f"{today.year}年{half}行政执法案卷评查",
            year=today.year,
            sheet=sheet.key,
            files_per_stratum=1,
            seed=f"演示-{half}-{rng.randint(1000, 9999)}",
        )
        counts["campaigns"] += 1
        if not EnforcementCase.objects.filter(state="closed", closed_on__year=today.year).exists():
            continue
        campaign_sample(campaign=campaign, actor=office)
        files = list(campaign.files.order_by("position"))
        for f in files if close else files[: len(files) // 2]:
            points = {i.key: max(0, i.points - rng.choice([0, 0, 0, 1, 2, 5])) for i in sheet.items}
            vetoes = ["no_review"] if rng.random() < 0.04 else []
            sampled_file_score(file=f, actor=office, points=points, vetoes=vetoes, comment="")
        if close:
            campaign_close(campaign=campaign, actor=office, on=today)
    return counts
