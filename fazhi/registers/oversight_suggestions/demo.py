"""检察建议 and 司法建议 the demo district's departments received during the year."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg
from fazhi.registers.framework.demo import department_staff, stepper, weighted_picker, workdays_after
from fazhi.registers.framework.services import matter_create

SUBJECTS = {
    "public_interest": [
        "督促依法履行河道非法采砂监管职责",
        "督促整治校园周边食品安全隐患",
        "督促追缴国有土地使用权出让金",
        "督促整治饮用水水源地违法排污",
        "督促履行违法占用耕地查处职责",
    ],
    "procuratorate": [
        "规范行政处罚案件向公安机关移送",
        "加强行政执法案卷管理",
        "加强执法人员资格管理",
        "规范涉企行政检查",
    ],
    "court": [
        "规范行政强制执行程序",
        "完善政府信息公开答复文书",
        "规范征收补偿协议的签订与履行",
        "加强行政机关负责人出庭应诉准备",
    ],
}
KINDS = {"public_interest": 50, "procuratorate": 30, "court": 20}
RESULTS = {"adopted": 85, "partly": 10, "not_adopted": 5}
REASONS = {"partly": "部分事项涉及上级事权，已报请上级机关研究", "not_adopted": "建议事项不属于本单位法定职责，已告知有权机关"}


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n: int = 22) -> int:
    year = today.year
    staff = department_staff(org)
    units = list(staff)
    kind_of = weighted_picker(rng, KINDS)
    result = weighted_picker(rng, RESULTS)
    created = 0
    numbers = {"public_interest": 0, "procuratorate": 0, "court": 0}
    for i in range(n):
        # spread over the year so far; the last few are still open
        received = workdays_after(dt.date(year, 1, 10) + dt.timedelta(days=(i * (today - dt.date(year, 1, 10)).days) // n), 0)
        if received >= today:
            continue
        kind = kind_of()
        numbers[kind] += 1
        unit = units[i % len(units)] if i < len(units) else rng.choice(units)
        clerk, reviewer = staff[unit]
        urgent = kind == "public_interest" and rng.random() < 0.15
        issuer, number = (
            ("明德区人民法院", f"（{year}）明法司建{numbers[kind]}号")
            if kind == "court"
            else ("明德区人民检察院", f"明检{'行公' if kind == 'public_interest' else ''}建〔{year}〕{numbers[kind]}号")
        )
        data = {"received_on": received, "kind": kind, "urgent": urgent, "issuer": issuer, "document_number": number, "subject": rng.choice(SUBJECTS[kind])}
        case = matter_create(register="oversight_suggestions", unit=unit, actor=clerk, data=data)
        created += 1
        _walk(case, rng, today, clerk, reviewer, urgent, result)
        progress(1)
    # two 检察建议书 naming their own reply date (情况紧急, 20 days): one answered in time, one late
    # (drawn after the year above, which keeps its data)
    for i, late in enumerate((False, True)):
        received = workdays_after(today - dt.timedelta(days=90 + 30 * i), 0)
        unit = rng.choice(units)
        clerk, reviewer = staff[unit]
        data = {
            "received_on": received,
            "kind": "procuratorate",
            "letter_reply_due_on": received + dt.timedelta(days=20),
            "issuer": "明德区人民检察院",
            "document_number": f"明检建〔{received.year}〕{101 + i}号",
            "subject": "立即排查整治燃气安全隐患",
        }
        case = matter_create(register="oversight_suggestions", unit=unit, actor=clerk, data=data)
        created += 1
        step = stepper(case, today)
        replied = received + dt.timedelta(days=rng.randint(24, 35) if late else rng.randint(10, 18))
        step("reply", reviewer, replied, replied_on=replied, outcome="adopted", reply_summary="已按建议书要求限期整改并书面回复")
    return created


def _walk(case: Any, rng: random.Random, today: dt.date, clerk: Any, reviewer: Any, urgent: bool, result: Callable[[], str]) -> None:
    step = stepper(case, today)
    assigned = workdays_after(case.received_on, rng.randint(0, 2))
    if not step("assign", clerk, assigned, assigned_on=assigned, handling_office=rng.choice(["法制科", "执法监督科", "综合执法大队", "办公室"])):
        return
    days = rng.randint(8, 14) if urgent else rng.choice([rng.randint(30, 58)] * 9 + [rng.randint(62, 75)])
    rectified = case.received_on + dt.timedelta(days=max(days - 5, 1))
    if not step("record_rectification", clerk, rectified, rectified_on=rectified, rectification_summary="已对照建议逐项整改，建立长效机制"):
        return
    replied = case.received_on + dt.timedelta(days=days)
    outcome = result()
    if not step(
        "reply", reviewer, replied, replied_on=replied, outcome=outcome, reply_summary="已书面回复整改情况", not_adopted_reason=REASONS.get(outcome, "")
    ):
        return
    archived = replied + dt.timedelta(days=rng.randint(3, 10))
    step("close", clerk, archived, archived_on=archived)
