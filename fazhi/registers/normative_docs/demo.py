"""A year of 规范性文件 of the demo district: the departments' and the district government's
documents drafted this year (some still in comment or review, some filed late, a few corrected
after filing review), and documents of earlier years evaluated and cleaned up this year."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg
from fazhi.registers.framework.demo import department_staff, prior_share, stepper, workdays_after
from fazhi.registers.framework.services import matter_create

SUBJECTS = [
    "市场主体住所（经营场所）登记管理办法",
    "老旧小区改造项目管理办法",
    "城市道路挖掘管理规定",
    "农村集体经济组织资产管理办法",
    "学校校外培训机构管理办法",
    "养老服务补贴发放实施细则",
    "户外广告设置管理办法",
    "建筑垃圾处置管理规定",
    "公共租赁住房保障实施办法",
    "促进民营经济高质量发展若干措施",
    "小微企业创业担保贷款贴息实施办法",
    "餐饮服务食品安全管理规定",
    "停车设施建设和管理办法",
    "行政执法裁量基准适用规定",
    "电动自行车充电设施管理办法",
    "困难群众医疗救助实施办法",
    "人才引进与安居补贴办法",
    "政府投资项目管理办法",
]
# What becomes of the earlier years' documents this year: each cleanup outcome, a lapse at the end
# of a short validity, and one past its validity that nobody recorded (a supervision lead).
CLEANUP = ["clean_continue", "clean_amend", "clean_repeal", "clean_invalidate", "lapse", "stale"]
REASONS = {
    "clean_continue": "符合现行法律法规，仍需继续适用",
    "clean_amend": "部分条款与新修订的上位法不一致，需修改后重新公布",
    "clean_repeal": "上位法已废止，文件失去依据",
    "clean_invalidate": "调整对象已消失，文件不再适用",
}


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n_current: int = 30, n_older: int = 12) -> int:
    from fazhi.core.models import Membership

    staff = department_staff(org)
    units = list(staff)
    heads = {m.unit_id: m.user for m in Membership.objects.filter(unit__in=units, role="head").select_related("user")}
    justice = next((u.name for u in org.departments if u.name.endswith("司法局")), "司法局")
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    year = today.year
    created = 0
    cleanups = iter(CLEANUP * 2)
    # documents of earlier years (cleaned up this year), those of the year before, those of this year
    n_prior = round(n_current * prior_share() * rng.uniform(0.85, 1.1))
    for i in range(n_older + n_prior + n_current):
        older = i < n_older
        prior = n_older <= i < n_older + n_prior
        unit = units[i % len(units)]
        clerk, reviewer = staff[unit]
        head = heads.get(unit.pk, reviewer)
        government = rng.random() < 0.3
        body = org.district.name if government else unit.name
        short = f"{org.district.short_name[:1]}政规" if government else f"{org.district.short_name[:1]}{unit.short_name}规"
        if older:
            back = 4 if CLEANUP[i % len(CLEANUP)] in ("lapse", "stale") else rng.choice([2, 3, 4])
            received = dt.date(year - back, rng.randint(1, 9), rng.randint(1, 28))
        elif prior:
            received = dt.date(year - 1, 1, 2) + dt.timedelta(days=(340 * (i - n_older)) // n_prior)
        else:
            k = i - n_prior  # as when the demo held one year
            received = dt.date(year, 1, 2) + dt.timedelta(days=int((today - dt.date(year, 1, 2)).days * k / (n_older + n_current)))
        received = workdays_after(received, 1)
        if received > today:
            continue
        provisional = not older and rng.random() < 0.15
        title = f"{'明德区' if government else unit.name}{SUBJECTS[i % len(SUBJECTS)]}"
        if provisional:
            title = title.replace("办法", "暂行办法") if "办法" in title else f"{title}（试行）"
        business = rng.random() < 0.35
        doc = matter_create(
            register="normative_docs",
            unit=unit,
            actor=clerk,
            data={
                "received_on": received,
                "title": title,
                "doc_kind": "government" if government else "department",
                "issuing_body": body,
                "business_related": business,
                "provisional": provisional,
            },
        )
        created += 1
        progress(1)
        _walk(doc, rng, today, clerk, reviewer, head, justice, short, numbers, org, older, next(cleanups) if older else "")
    _publish_list(org, today)
    return created


def _publish_list(org: DemoOrg, today: dt.date) -> None:
    """依法治区办 publishes the list of the documents in force (the portal shows it sealed)."""
    from fazhi.core.models import Membership, Role
    from fazhi.registers.normative_docs.catalogue import catalogue_publish

    office = Membership.objects.filter(unit=org.district, role=Role.RULE_OF_LAW_OFFICE).select_related("user").first()
    if office is not None:
        from django.utils import timezone

        as_of = min(today, timezone.localdate())
        catalogue_publish(unit=org.district, actor=office.user, as_of=as_of, note="演示：年度现行有效规范性文件目录")


def _walk(
    doc: Any,
    rng: random.Random,
    today: dt.date,
    clerk: Any,
    reviewer: Any,
    head: Any,
    justice: str,
    short: str,
    numbers: dict[tuple[str, int], int],
    org: DemoOrg,
    older: bool,
    cleanup: str,
) -> None:
    step = stepper(doc, today)
    start = workdays_after(doc.received_on, rng.randint(10, 30))
    end = start + dt.timedelta(days=rng.randint(31, 35)) if doc.business_related else workdays_after(start, rng.randint(8, 12))
    if not step("solicit_comment", clerk, start, comment_from=start, comment_to=end, comment_channel="明德区人民政府门户网站"):
        return
    submitted = workdays_after(end, rng.randint(1, 5))
    received_opinions = rng.randint(0, 12)
    if not step(
        "submit_review",
        clerk,
        submitted,
        submitted_on=submitted,
        reviewing_body=justice,
        opinions_received=received_opinions,
        opinions_adopted=received_opinions // 2,
    ):
        return
    reviewed = workdays_after(submitted, rng.randint(4, 12))
    reviewer_data = {"reviewer_name": "周审核", "reviewer_qualification": "legal_profession", "reviewer_certificate": "A20144201000318"}
    if rng.random() < 0.1:
        if not step("review_fail", reviewer, reviewed, reviewed_on=reviewed, review_summary="部分条款增设义务，缺少上位法依据", **reviewer_data):
            return
        submitted = workdays_after(reviewed, rng.randint(5, 10))
        if not step("resubmit", clerk, submitted, submitted_on=submitted):
            return
        reviewed = workdays_after(submitted, rng.randint(3, 8))
    opinion = rng.choice(["passed", "passed_with_changes"])
    if not step("review_pass", reviewer, reviewed, reviewed_on=reviewed, review_opinion=opinion, **reviewer_data):
        return
    meeting = workdays_after(reviewed, rng.randint(2, 10))
    meeting_name = "区人民政府常务会议" if doc.doc_kind == "government" else "局长办公会议"
    if not step("deliberate", head, meeting, meeting_on=meeting, meeting_name=meeting_name):
        return
    published = workdays_after(meeting, rng.randint(1, 6))
    if published > today:
        return
    numbers[(doc.issuing_body, published.year)] += 1
    number = f"{short}〔{published.year}〕{numbers[(doc.issuing_body, published.year)]}号"
    effective = published + dt.timedelta(days=30)
    months = 24 if doc.provisional else 60
    if cleanup in ("lapse", "stale"):
        months = 24  # a short validity that ended before this year
    until = _months_after(effective, months) - dt.timedelta(days=1)
    step(
        "publish",
        clerk,
        published,
        doc_number=number,
        published_on=published,
        publication_place="明德区人民政府门户网站",
        effective_on=effective,
        valid_until=until,
    )
    late = rng.random() < 0.18
    filed = published + dt.timedelta(days=rng.randint(35, 60) if late else rng.randint(5, 26))
    filed_with = org.city.name if doc.doc_kind == "government" else org.district.name
    if not step("file", clerk, filed, filed_on=filed, filed_with=filed_with):
        return
    checked = filed + dt.timedelta(days=rng.randint(8, 15))
    if rng.random() < 0.12:
        asked = filed + dt.timedelta(days=rng.randint(20, 40))
        if not step("request_correction", clerk, asked, correction_requested_on=asked, correction_reason="个别条款增加了市场主体的义务，与上位法不一致"):
            return
        fixed = asked + dt.timedelta(days=rng.randint(15, 30))
        if not step("correct", head, fixed, corrected_on=fixed, correction_measure="印发修改决定，删除相关条款"):
            return
    elif not step("record_filing_review", clerk, checked, filing_reviewed_on=checked, filing_review="formal"):
        return
    if not older:
        return
    if cleanup == "lapse":
        step("lapse", clerk, until + dt.timedelta(days=1), expired_on=until + dt.timedelta(days=1))
    if cleanup in ("lapse", "stale"):
        return
    evaluated = dt.date(today.year, rng.randint(2, 5), rng.randint(1, 28))
    if evaluated > until or not step(
        "evaluate", clerk, evaluated, evaluated_on=evaluated, evaluation_conclusion="continue" if cleanup == "clean_continue" else "amend"
    ):
        return
    cleaned = evaluated + dt.timedelta(days=rng.randint(20, 60))
    if not step(cleanup, head, cleaned, cleaned_on=cleaned, cleanup_reason=REASONS[cleanup]):
        return
    if cleanup == "clean_amend":
        again = cleaned + dt.timedelta(days=rng.randint(30, 60))
        step("supersede", clerk, again, superseded_on=again, superseded_by=f"{short}〔{again.year}〕{numbers[(doc.issuing_body, again.year)] + 20}号")


def _months_after(day: dt.date, months: int) -> dt.date:
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
