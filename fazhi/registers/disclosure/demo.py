"""A year of 依申请公开 for the demo district: about 300 requests across the departments."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.registers.framework.demo import department_staff, stepper, two_years, weighted_picker, workday_before, workdays_after
from fazhi.registers.framework.services import matter_create

OUTCOMES = {
    "disclosed": 90,
    "already_public": 20,
    "partly_disclosed": 25,
    "refused_state_secret": 1,
    "refused_law_prohibits": 1,
    "refused_three_safety": 1,
    "refused_third_party": 4,
    "refused_internal": 3,
    "refused_process": 6,
    "refused_enforcement_file": 2,
    "refused_inquiry": 2,
    "unavailable_not_held": 55,
    "unavailable_needs_creation": 10,
    "unavailable_still_unclear": 4,
    "not_processed_petition": 8,
    "not_processed_repeat": 6,
    "not_processed_publication": 1,
    "not_processed_excessive": 2,
    "not_processed_confirmation": 2,
    "other_unpaid_fee": 1,
    "other": 4,
}
# What the reply letter must state for these outcomes (the step is refused without it): where the
# information is published (art.36(1)), why a part is withheld (art.37), what was done.
REPLY_NOTES = {
    "already_public": "该信息已在本机关门户网站“政府信息公开”栏目公开，可登录查阅。",
    "partly_disclosed": "申请公开的信息中涉及第三方个人信息的内容，公开会对第三方合法权益造成损害，已作删除处理。",
    "other": "经与你（单位）沟通，你（单位）所需信息已通过其他渠道获取，本申请办结。",
}
APPLICANTS = {"natural_person": 80, "commercial": 10, "research": 1, "public_interest": 1, "legal_service": 5, "other": 3}
TOPICS = [
    "征收补偿安置方案",
    "某地块规划许可证",
    "行政处罚决定书",
    "财政预算执行情况",
    "营业执照登记信息",
    "环境影响评价批复",
    "拆迁补偿标准",
    "学校招生划片依据",
]


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n: int = 290) -> int:
    year = today.year
    staff = department_staff(org)
    units = list(staff)
    weights = [6 if u.short_name in ("住建", "自然资源", "市监", "房管") else 1 for u in units]
    outcome = weighted_picker(rng, OUTCOMES)
    plans = two_years(rng, today, n, (dt.date(year - 1, 12, 1), dt.date(year - 1, 12, 28), 14))
    created = 0
    for received, carried_in in plans:
        unit = rng.choices(units, weights)[0]
        clerk, reviewer = staff[unit]
        kind = rng.choices(list(APPLICANTS), list(APPLICANTS.values()))[0]
        data = {
            "received_on": received,
            "applicant_type": kind,
            "applicant_name": fake_name(rng) if kind == "natural_person" else f"江城{rng.choice('恒信达远华盛')}{rng.choice('律师事务所科技公司')}",
            "applicant_phone": f"13{rng.randint(100000000, 999999999)}",
            "channel": rng.choices(["online", "in_person", "registered_post", "ordinary_letter", "fax"], [55, 25, 15, 4, 1])[0],
            "content": f"申请公开{rng.choice(TOPICS)}",
        }
        case = matter_create(register="disclosure", unit=unit, actor=clerk, data=data, carried_in=carried_in)
        created += 1
        step = stepper(case, today)
        day = received
        if rng.random() < 0.12:
            asked = workdays_after(day, rng.randint(1, 6))
            if not step("request_correction", clerk, asked, correction_requested_on=asked, correction_items="请明确所需信息的名称或文号"):
                progress(1)
                continue
            if rng.random() < 0.15:
                step("abandon", reviewer, asked + dt.timedelta(days=30), replied_on=asked + dt.timedelta(days=30))
                progress(1)
                continue
            day = asked + dt.timedelta(days=rng.randint(2, 10))
            if not step("receive_correction", clerk, day, correction_received_on=day):
                progress(1)
                continue
        if rng.random() < 0.06:
            sent = workdays_after(day, rng.randint(2, 5))
            if step("consult_third_party", clerk, sent, consultation_sent_on=sent, third_party="相关企业"):
                back = workdays_after(sent, rng.randint(5, 15))
                step("third_party_answered", clerk, back, consultation_answered_on=back)
                day = back
        late = rng.random() < 0.03
        extended = False
        if rng.random() < 0.05 and not late:
            ext = workdays_after(day, 15)
            if step("extend", staff_head(org, unit), ext, extended_on=ext, extension_reason="需要调取档案，难以在期限内答复"):
                day = workdays_after(day, 15)
                extended = True
        answer = workday_before(workdays_after(day, rng.randint(3, 19) if not late else rng.randint(21, 26)))
        result = outcome()
        # no further draws from rng below: the registers built after this one keep their data
        if result == "other_unpaid_fee":  # 信息处理费 not paid within 20 working days: withdrawn
            noticed = workdays_after(day, 5)
            if step("notify_fee", reviewer, noticed, fee_notified_on=noticed, fee_amount="200"):
                closed = workdays_after(noticed, 22)
                step("abandon_unpaid", reviewer, closed, replied_on=closed)
            progress(1)
            continue
        if result in ("disclosed", "partly_disclosed") and not late and not extended and created % 40 == 7:
            # 延迟答复 (art.35): a heavy applicant, a later date set and told within the period
            told = workdays_after(day, 10)
            if step(
                "delay_reply",
                reviewer,
                told,
                delay_notified_on=told,
                delayed_reply_due_on=workdays_after(day, 40),
                delay_reason="申请数量明显超过合理范围，理由合理",
            ):
                answer = workday_before(workdays_after(answer, 15))
        elif result in ("disclosed", "partly_disclosed") and not late and created % 40 == 19:
            # 信息处理费 paid: the time to pay is not counted in the reply period
            noticed, paid = workdays_after(day, 2), workdays_after(day, 6)
            if step("notify_fee", reviewer, noticed, fee_notified_on=noticed, fee_amount="100"):
                if not step("fee_paid", clerk, paid, fee_paid_on=paid):
                    progress(1)
                    continue  # noticed, not yet paid by the demo's today: waits for the payment
                answer = workday_before(workdays_after(answer, 4))
        note = {"reply_note": REPLY_NOTES[result]} if result in REPLY_NOTES else {}
        step("reply", reviewer, answer, replied_on=answer, outcome=result, **note)
        progress(1)
    return created


def staff_head(org: DemoOrg, unit: object) -> object:
    from django.contrib.auth import get_user_model

    code = getattr(unit, "code", "").lower().replace("-", "_")
    return get_user_model().objects.get(username=f"{code}_head")
