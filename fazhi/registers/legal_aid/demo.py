"""A year of 法律援助 for the demo district's centre: about 450 cases, civil, criminal, administrative."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.core.models import Membership
from fazhi.registers.framework.demo import stepper, two_years, weighted_picker
from fazhi.registers.framework.services import matter_create

CIVIL = [
    ("arbitration", "追索劳动报酬", True),
    ("litigation", "工伤赔偿", False),
    ("litigation", "赡养、抚养费纠纷", False),
    ("litigation", "交通事故人身损害赔偿", False),
    ("non_litigation", "讨要农民工工资（非诉讼代理）", True),
    ("litigation", "医疗损害赔偿", False),
]
CLOSURES = {"judgment": 40, "mediated": 30, "arbitration": 12, "non_litigation": 10, "withdrawn": 5}
COURTS = ["江城市明德区人民法院", "江城市明德区人民检察院", "江城市公安局明德区分局"]
LAWYERS = ["江城正衡律师事务所", "江城明理律师事务所", "江城楚天律师事务所", "明德区长青法律服务所"]


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n_cases: int = 450) -> int:
    centre = org.legal_aid_centre
    assert centre is not None
    users = get_user_model().objects
    clerk = Membership.objects.filter(unit=centre, role="clerk").select_related("user").order_by("user__username").first()
    assert clerk is not None
    staff = {"clerk": clerk.user, "reviewer": users.get(username="aid_reviewer"), "head": users.get(username="aid_head")}
    closure = weighted_picker(rng, CLOSURES)
    _terminated.clear()
    year = today.year
    plans = two_years(rng, today, n_cases, (dt.date(year - 1, 11, 15), dt.date(year - 1, 12, 31), max(n_cases // 15, 2)))
    created = 0
    for received, carried_in in plans:
        category = rng.choices(["civil", "criminal", "administrative"], [58, 38, 4])[0]
        notification = category == "criminal" and rng.random() < 0.85
        if category == "criminal":
            form = rng.choice(["criminal_defence"] * 4 + ["criminal_representation"])
            summary, wages = rng.choice(["涉嫌盗窃罪", "涉嫌危险驾驶罪", "涉嫌帮助信息网络犯罪活动罪"]), False
        elif category == "administrative":
            form, summary, wages = "litigation", "不服工伤认定提起行政诉讼", False
        else:
            form, summary, wages = rng.choice(CIVIL)
        data = {
            "received_on": received,
            "source": "notification" if notification else "application",
            "category": category,
            "aid_form": form,
            "applicant_name": fake_name(rng),
            "applicant_phone": "" if notification else f"13{rng.randint(100000000, 999999999)}",
            "notifying_authority": rng.choice(COURTS) if notification else "",
            "matter_summary": summary,
            "wage_arrears": wages,
        }
        case = matter_create(register="legal_aid", unit=centre, actor=staff["clerk"], data=data, carried_in=carried_in)
        created += 1
        _walk(case, rng, today, staff, closure)
        progress(1)
    return created


_terminated: list[int] = []  # the demo's terminated cases (reset for each build)


def _walk(case: Any, rng: random.Random, today: dt.date, staff: dict[str, Any], closure: Callable[[], str]) -> None:
    step = stepper(case, today)
    clerk, reviewer = staff["clerk"], staff["reviewer"]
    day = case.received_on
    provider = {"provider_type": "lawyer", "provider_name": f"{fake_name(rng)}（{rng.choice(LAWYERS)}）"}
    if case.source == "notification":
        assigned = day + dt.timedelta(days=rng.randint(0, 3))
        if not step("assign", clerk, assigned, assigned_on=assigned, **provider):
            return
    elif case.wage_arrears and rng.random() < 0.1:
        assigned = day + dt.timedelta(days=rng.randint(0, 1))
        if not step("advance_assign", reviewer, assigned, assigned_on=assigned, advance_reason="仲裁时效即将届满（不足7日）", **provider):
            return
        decided = assigned + dt.timedelta(days=rng.randint(1, 5))
        step("confirm_after_advance", reviewer, decided, decided_on=decided)
    else:
        if rng.random() < 0.12:
            asked = day + dt.timedelta(days=rng.randint(1, 3))
            if not step("request_correction", clerk, asked, correction_requested_on=asked, correction_items="经济困难状况说明表"):
                return
            day = asked + dt.timedelta(days=rng.randint(2, 10))
            if rng.random() < 0.15:
                step("treat_as_withdrawn", reviewer, day + dt.timedelta(days=20), closed_on=day + dt.timedelta(days=20))
                return
            if not step("receive_correction", clerk, day, correction_received_on=day):
                return
        decided = day + dt.timedelta(days=rng.randint(1, 6) if rng.random() < 0.97 else rng.randint(8, 10))
        if rng.random() < 0.04:
            step("refuse", reviewer, decided, decided_on=decided, refusal_reason="经济状况不符合法律援助条件（《法律援助法》第三十四条）")
            return
        if not step("grant", reviewer, decided, decided_on=decided):
            return
        assigned = decided + dt.timedelta(days=rng.randint(0, 3))
        if not step("assign", clerk, assigned, assigned_on=assigned, **provider):
            return
    duration = rng.randint(30, 180) if case.category != "criminal" else rng.randint(20, 120)
    closed = case.received_on + dt.timedelta(days=duration)
    # a few are terminated, at least one (the demo shows every outcome whatever the seed)
    if rng.random() < 0.03 or not _terminated:
        if step("terminate", reviewer, closed, closed_on=closed, termination_reason="受援人自行委托律师（《法律援助法》第四十八条）"):
            _terminated.append(case.pk)
        return
    outcome = closure() if case.category != "criminal" else "judgment"
    recovered = str(rng.randint(20, 900) * 100) if case.wage_arrears or (case.category == "civil" and rng.random() < 0.5) else ""
    step("close", clerk, closed, closed_on=closed, outcome=outcome, amount_recovered=recovered)
