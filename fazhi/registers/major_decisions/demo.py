"""The demo district's 重大行政决策 for the year: 明德区人民政府's 决策事项目录 (agreed by the 区委 and
published in January, adjusted in June: one item added, one taken out) and one decision per
item, each walked through the statutory procedure by the lead department's clerk, reviewer and
head, as far as the demo's today allows. Drawn from its own seed, so the registers built before
keep their data."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg
from fazhi.core.models import Membership
from fazhi.registers.framework.demo import department_staff, stepper, workdays_after
from fazhi.registers.framework.services import matter_create
from fazhi.registers.major_decisions.services import catalogue_agree, catalogue_create, catalogue_publish, item_add, item_remove

# (name, lead department code suffix, category, planned, what the procedure looks like)
ITEMS = [
    ("明德区农贸市场布局规划（{y}—{y5}年）", "D02", "plan", "二季度", "full"),
    ("明德区老旧小区改造三年行动计划", "D05", "plan", "二季度", "hearing"),
    ("明德区中小学校布局调整方案", "D13", "policy", "三季度", "full"),
    ("明德区公共停车设施收费标准调整方案", "D18", "policy", "三季度", "hearing"),
    ("明德区湖泊保护与治理规划", "D21", "resources", "三季度", "illegal_first"),
    ("明德区生活垃圾分类管理实施办法", "D03", "policy", "四季度", "short_comment"),
    ("明德区养老服务设施布局专项规划", "D12", "plan", "四季度", "exempt"),
    ("明德区文化旅游产业发展规划", "D08", "plan", "四季度", "late"),
]
ADDED = ("明德区电动自行车集中充电设施建设实施方案", "D10", "project", "四季度", "late")
REMOVED = ("明德区户外广告设施设置规划", "D03", "plan", "四季度", "")


def _heads(units: list[Any]) -> dict[int, Any]:
    return {m.unit_id: m.user for m in Membership.objects.filter(unit__in=units, role="head").select_related("user")}


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None]) -> int:
    from django.contrib.auth import get_user_model

    year = today.year
    office = get_user_model().objects.get(username="office")
    staff = department_staff(org)
    by_code = {u.code.rsplit("-", 1)[-1]: u for u in org.departments}
    heads = _heads(list(staff))
    january = dt.date(year, 1, 6)
    if january > today:
        return 0
    catalogue = catalogue_create(unit=org.district, actor=office, year=year, on=january)
    items = []
    for name, code, category, planned, shape in ITEMS + [REMOVED]:
        item = item_add(
            catalogue=catalogue, actor=office, name=name.format(y=year, y5=year + 5), lead_unit=by_code[code], category=category, on=january, planned=planned
        )
        items.append((item, shape))
    catalogue_agree(catalogue=catalogue, actor=office, on=dt.date(year, 1, 20), agreement=f"明德区委常委会{year}年第2次会议")
    catalogue_publish(catalogue=catalogue, actor=office, on=dt.date(year, 1, 24), channel="明德区人民政府门户网站")
    removed = items.pop()[0]
    adjusted = dt.date(year, 6, 16)
    if adjusted <= today:
        item_remove(item=removed, actor=office, on=adjusted, reason="市级统一编制户外广告专项规划，区级不再单独决策")
        name, code, category, planned, shape = ADDED
        added = item_add(
            catalogue=catalogue,
            actor=office,
            name=name,
            lead_unit=by_code[code],
            category=category,
            on=adjusted,
            planned=planned,
            reason="落实全市电动自行车安全隐患全链条整治部署，经区委同意增列",
        )
        items.append((added, shape))
    created = 0
    for i, (item, shape) in enumerate(items):
        unit = item.lead_unit
        if unit not in staff:
            continue
        clerk, reviewer = staff[unit]
        head = heads.get(unit.pk, reviewer)
        # the later items are still being drafted or reviewed at the demo's today
        base = dt.date(year, 2, 10) + dt.timedelta(days=21 * i) if shape != "late" else dt.date(year, 9, 7) + dt.timedelta(days=35 * (i - len(ITEMS) + 1))
        start = workdays_after(max(base, item.added_on), rng.randint(0, 4))
        if start > today:
            continue
        case = matter_create(
            register="major_decisions",
            unit=unit,
            actor=clerk,
            data={
                "received_on": start,
                "title": item.name,
                "category": item.category,
                "catalogue_item": item.pk,
                "proposal_source": rng.choice(["leader", "department", "deputy"]),
                "content_summary": f"{item.name}，由{unit.name}承办。",
            },
        )
        created += 1
        _walk(case, rng, today, shape, clerk, reviewer, head)
        progress(1)
    return created


def _walk(case: Any, rng: random.Random, today: dt.date, shape: str, clerk: Any, reviewer: Any, head: Any) -> None:
    step = stepper(case, today)
    day = workdays_after(case.received_on, rng.randint(10, 18))
    if not step("draft", clerk, day, draft_on=day, draft_summary="草案及起草说明", consulted_units="区发展和改革局、区财政局、区司法局"):
        return
    last = day
    if shape == "exempt":
        if not step("participation_exempt", head, day, participation_exempt_reason="事项涉及依法不予公开的内部部署，以书面方式听取相关部门和单位意见"):
            return
    else:
        start = workdays_after(day, 2)
        length = 20 if shape == "short_comment" else rng.choice([30, 30, 31, 35])
        extra = {"comment_shortened_reason": "配合上级限期整治部署，情况紧急"} if shape == "short_comment" else {}
        end = start + dt.timedelta(days=length)
        if not step("open_comment", clerk, start, comment_from=start, comment_to=end, comment_channel="明德区人民政府门户网站、“明德发布”政务新媒体", **extra):
            return
        methods = "向社会公开征求意见"
        if shape == "hearing":
            hearing = start + dt.timedelta(days=rng.randint(15, 20))
            materials = hearing - dt.timedelta(days=rng.randint(7, 9))
            if not step("hold_hearing", clerk, hearing, hearing_on=hearing, hearing_materials_on=materials, hearing_participants_published_on=materials):
                return
            methods += "、听证会"
        last = workdays_after(end, rng.randint(1, 4))
        received = rng.randint(8, 160)
        if not step(
            "record_participation",
            clerk,
            last,
            participation_on=last,
            participation_methods=methods + "、座谈会",
            comments_received=received,
            comments_adopted=rng.randint(1, max(1, received // 3)),
            comments_summary="对合理意见予以采纳，未采纳意见已说明理由",
        ):
            return
    expert = workdays_after(last, rng.randint(2, 6))
    if shape in ("exempt", "short_comment") and rng.random() < 0.7:
        if not step("expert_exempt", head, expert, expert_exempt_reason="事项不涉及专业性、技术性较强的问题"):
            return
    elif not step(
        "expert_review",
        clerk,
        expert,
        expert_on=expert,
        expert_method=rng.choice(["meeting", "written", "commissioned"]),
        expert_summary="专家论证认为方案必要、可行",
    ):
        return
    risk = workdays_after(expert, rng.randint(2, 6))
    if shape == "exempt":
        if not step("risk_exempt", head, risk, risk_exempt_ground="assessed", risk_exempt_reason="已在专项规划编制时开展社会稳定风险评估，不作重复评估"):
            return
    elif not step(
        "risk_assessment",
        clerk,
        risk,
        risk_on=risk,
        risk_conclusion=rng.choice(["controllable", "controllable", "after_measures"]),
        risk_summary="明确风险点，提出防范措施和处置预案",
    ):
        return
    if not _review(
        step,
        rng,
        clerk,
        reviewer,
        workdays_after(risk, rng.randint(1, 4)),
        "illegal" if shape == "illegal_first" else rng.choice(["legal", "legal", "with_changes"]),
    ):
        return
    review_day = case.review_opinion_on
    if shape == "illegal_first":
        if not _review(step, rng, clerk, reviewer, workdays_after(review_day, rng.randint(5, 10)), "legal"):
            return
        review_day = case.review_opinion_on
    decided = workdays_after(review_day, rng.randint(4, 12))
    dissent = "一名副区长建议分步实施" if rng.random() < 0.3 else ""
    if not step(
        "decide",
        head,
        decided,
        decided_on=decided,
        meeting_kind="standing",
        meeting_name=f"区政府{decided.year}年第{decided.isocalendar()[1] // 2 + 1}次常务会议",
        presiding_head="区长",
        decision_result=rng.choice(["adopted", "adopted", "with_changes"]),
        dissent=dissent,
    ):
        return
    party = workdays_after(decided, rng.randint(1, 4))
    if not step("report_party", clerk, party, party_reported_on=party, party_committee="中共明德区委员会"):
        return
    published = workdays_after(party, rng.randint(3, 8))
    if not step(
        "publish",
        clerk,
        published,
        published_on=published,
        publication_channel="明德区人民政府门户网站、区政府公报",
        decision_document_number=f"明政发〔{published.year}〕{rng.randint(3, 40)}号",
        interpretation="同步发布政策解读，说明公众意见和专家论证意见的采纳情况",
    ):
        return
    archived = workdays_after(published, rng.randint(8, 20))
    if not step("archive", clerk, archived, archived_on=archived, archive_number=f"MD-JC-{published.year}-{case.sequence:03d}"):
        return
    reported = workdays_after(published, rng.randint(40, 70))
    if not step(
        "report_execution", clerk, reported, execution_reported_on=reported, executing_unit=case.unit.name, execution_summary="按计划推进，阶段目标已完成"
    ):
        return
    if rng.random() < 0.4:
        evaluated = workdays_after(reported, rng.randint(20, 60))
        step(
            "evaluate",
            reviewer,
            evaluated,
            evaluated_on=evaluated,
            evaluation_trigger=rng.choice(["many_opinions", "necessary"]),
            evaluation_unit=rng.choice(["江城大学公共政策研究院（第三方）", "湖广公共管理咨询评估中心（第三方）"]),
            evaluation_summary="决策实施总体达到预期效果，建议完善配套措施",
        )


def _review(step: Callable[..., bool], rng: random.Random, clerk: Any, reviewer: Any, submitted: dt.date, conclusion: str) -> bool:
    if not step("submit_review", clerk, submitted, review_submitted_on=submitted, review_materials="决策草案、起草说明、法律依据、履行决策法定程序的说明"):
        return False
    opinion = workdays_after(submitted, rng.randint(7, 12))
    text = "草案第五条限制外地经营者参与，违反公平竞争审查制度，应予删除" if conclusion == "illegal" else "决策事项符合法定权限，程序完备，内容合法"
    return step(
        "record_review",
        reviewer,
        opinion,
        review_opinion_on=opinion,
        review_body="明德区司法局",
        review_conclusion=conclusion,
        review_opinion=text,
        legal_adviser="区政府法律顾问（湖广律师事务所）、区司法局公职律师",
    )
