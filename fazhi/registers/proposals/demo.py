"""The year's 人大建议 and 政协提案 assigned to the demo district's departments after the 两会."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.registers.framework.demo import department_staff, stepper, weighted_picker, workdays_after
from fazhi.registers.framework.services import matter_create

TOPICS = [
    "老旧小区加装电梯",
    "电动自行车充电设施建设",
    "中小学课后服务",
    "社区养老服务中心建设",
    "背街小巷环境整治",
    "农贸市场提档升级",
    "学校周边交通安全",
    "优化营商环境、规范涉企执法",
    "湖泊水环境治理",
    "停车难问题",
]
RESULTS = {"A": 55, "B": 35, "C": 8, "D": 2}


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n_npc: int = 120, n_cppcc: int = 100) -> int:
    year = today.year
    staff = department_staff(org)
    heads = _heads(list(staff))
    units = list(staff)
    result = weighted_picker(rng, RESULTS)
    created = 0
    for kind, n, session, assigned_from in (
        ("npc", n_npc, f"明德区第十届人民代表大会第{year - 2022}次会议", dt.date(year, 3, 20)),
        ("cppcc", n_cppcc, f"政协明德区第九届委员会第{year - 2022}次会议", dt.date(year, 3, 27)),
    ):
        for number in range(1, n + 1):
            received = workdays_after(assigned_from, rng.randint(0, 6))
            if received >= today:
                continue
            unit = rng.choice(units)
            clerk, reviewer = staff[unit]
            lead = rng.random() < 0.3
            data = {
                "received_on": received,
                "kind": kind,
                "session": session,
                "proposal_number": str(number),
                "title": f"关于{rng.choice(TOPICS)}的{'建议' if kind == 'npc' else '提案'}",
                "proposer_name": f"{fake_name(rng)}{'代表' if kind == 'npc' else '委员'}",
                "handling_role": "lead" if lead else "sole",
                "co_handling_units": "、".join(u.name for u in rng.sample(units, 2) if u != unit) if lead else "",
            }
            case = matter_create(register="proposals", unit=unit, actor=clerk, data=data)
            created += 1
            _walk(case, rng, today, clerk, reviewer, heads.get(unit.pk, reviewer), result)
            progress(1)
    return created


def _heads(units: list[Any]) -> dict[int, Any]:
    from fazhi.core.models import Membership

    return {m.unit_id: m.user for m in Membership.objects.filter(unit__in=units, role="head").select_related("user")}


def _walk(case: Any, rng: random.Random, today: dt.date, clerk: Any, reviewer: Any, head: Any, result: Callable[[], str]) -> None:
    step = stepper(case, today)
    contacted = workdays_after(case.received_on, rng.randint(3, 20))
    step("contact", clerk, contacted, contacted_on=contacted)
    days = rng.randint(40, 88)
    if rng.random() < 0.06:
        extended = case.received_on + dt.timedelta(days=80)
        if not step("extend", head, extended, extended_on=extended, extension_reason="涉及多个部门、需列入下年度预算统筹解决"):
            return
        days = rng.randint(100, 170)
    answered = workdays_after(case.received_on + dt.timedelta(days=days), 0)
    if not step("answer", head, answered, answered_on=answered, outcome=result(), answer_summary="已会同相关部门研究办理，具体情况如下……"):
        return
    feedback = answered + dt.timedelta(days=rng.randint(7, 20))
    satisfaction = rng.choices(["satisfied", "basically", "dissatisfied"], [88, 10, 2])[0]
    if satisfaction == "dissatisfied":
        if not step("reopen", clerk, feedback, feedback_on=feedback, dissatisfaction_reason="办理措施不够具体"):
            return
        again = feedback + dt.timedelta(days=rng.randint(15, 30))
        if not step("answer", head, again, answered_on=again, outcome="A"):
            return
        feedback, satisfaction = again + dt.timedelta(days=10), "basically"
    step("record_feedback", clerk, feedback, feedback_on=feedback, satisfaction=satisfaction)
