"""The year's 国家赔偿 applications to the demo district's departments as 赔偿义务机关."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.registers.framework.demo import department_staff, received_dates, stepper, weighted_picker, workdays_after
from fazhi.registers.framework.services import matter_create

ACTS = [
    "违法查封、扣押财物造成损失",
    "违法实施罚款",
    "违法吊销许可证和执照",
    "违法强制拆除建筑物",
    "违法行政拘留",
    "违法征收财物、摊派费用",
    "违法责令停产停业",
]
REFUSALS = [
    "致害行为未被确认违法，不属于国家赔偿范围",
    "损失系申请人自身行为造成（《国家赔偿法》第五条第二项）",
    "申请人主张的损失无证据证明",
]
OUTCOMES = {"compensate": 60, "refuse": 40}
MODES = {"money": 80, "return": 15, "restore": 5}


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n: int = 22) -> int:
    staff = department_staff(org)
    units = list(staff)
    outcome = weighted_picker(rng, OUTCOMES)
    mode = weighted_picker(rng, MODES)
    created = 0
    for received in received_dates(rng, dt.date(today.year, 1, 5), today - dt.timedelta(days=7), n):
        unit = rng.choice(units)
        clerk, reviewer = staff[unit]
        claimed = Decimal(rng.randrange(5, 400) * 1000)
        data = {"received_on": received, "applicant_name": fake_name(rng), "infringing_act": rng.choice(ACTS), "claimed_amount": claimed}
        case = matter_create(register="state_compensation", unit=unit, actor=clerk, data=data)
        created += 1
        progress(1)
        step = stepper(case, today)
        if rng.random() < 0.2:
            notice = workdays_after(received, rng.randint(1, 5))
            step("notify_correction", clerk, notice, correction_notice_on=notice)
            step("receive_correction", clerk, notice + dt.timedelta(days=10), corrected_on=notice + dt.timedelta(days=10))
        heard = workdays_after(received, rng.randint(10, 25))
        step("hear", reviewer, heard, heard_on=heard, hearing_summary="听取赔偿请求人意见，就赔偿方式、项目和数额进行协商")
        # about one in ten decided after the two months
        decided = workdays_after(received, rng.randint(30, 41) if rng.random() < 0.9 else rng.randint(45, 55))
        if decided > today:
            continue
        result = outcome()
        if result == "compensate":
            kind = mode()
            amount = (claimed * Decimal(rng.randint(30, 100)) / 100).quantize(Decimal("1")) if kind == "money" else None
            fields = {"mode": kind, "amount": amount}
        else:
            fields = {"refusal_reason": rng.choice(REFUSALS)}
        if not step("decide", reviewer, decided, decided_on=decided, outcome=result, **fields):
            continue
        served = decided + dt.timedelta(days=rng.randint(1, 9))
        if not step("serve", clerk, served, served_on=served):
            continue
        if rng.random() < 0.15:
            sued = served + dt.timedelta(days=rng.randint(20, 80))
            step("sue", clerk, sued, sued_on=sued)
            continue
        ended = decided + dt.timedelta(days=rng.randint(30, 95))
        step("close", clerk, ended, ended_on=ended, closed_note="赔偿已履行" if result == "compensate" else "起诉期限届满，请求人未起诉")
    # drawn after the year above, which keeps its data: an application left undecided past the two
    # months whose applicant sued on that ground (art.14 para.1), and a refusal taken to 行政复议
    # (行政复议法 art.11(6))
    for route in ("sue", "reconsider"):
        unit = rng.choice(units)
        clerk, reviewer = staff[unit]
        received = workdays_after(today - dt.timedelta(days=rng.randint(120, 150)), 0)
        data = {
            "received_on": received,
            "applicant_name": fake_name(rng),
            "infringing_act": rng.choice(ACTS),
            "claimed_amount": Decimal(rng.randrange(5, 100) * 1000),
        }
        case = matter_create(register="state_compensation", unit=unit, actor=clerk, data=data)
        created += 1
        step = stepper(case, today)
        if route == "sue":
            sued = received + dt.timedelta(days=rng.randint(75, 95))  # the two months ran out without a decision
            step("sue", clerk, sued, sued_on=sued)
            continue
        decided = workdays_after(received, rng.randint(30, 40))
        step("decide", reviewer, decided, decided_on=decided, outcome="refuse", refusal_reason=rng.choice(REFUSALS))
        step("serve", clerk, decided + dt.timedelta(days=3), served_on=decided + dt.timedelta(days=3))
        applied = decided + dt.timedelta(days=rng.randint(20, 50))
        step("apply_reconsideration", clerk, applied, reconsidered_on=applied)
    return created
