"""A year of 行政应诉 for the demo district: about 130 first-instance cases and some appeals.

Every judgment is served; within the appeal period (行政诉讼法 art.85) a quarter of the appealable
ones are appealed (mostly by the side that lost), the rest take effect and are closed after the
period; the appeals are second-instance records naming the first (art.89 decides the result)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.registers.framework.demo import department_staff, stepper, two_years, weighted_picker, workday_before, workdays_after
from fazhi.registers.framework.services import matter_create
from fazhi.registers.litigation.hooks import appeal_due

FIRST_INSTANCE = {
    "claim_rejected": 46,
    "suit_dismissed": 20,
    "withdrawn": 16,
    "set_aside": 4,
    "declared_illegal": 5,
    "ordered_to_perform": 2,
    "ordered_to_pay": 1,
    "declared_void": 1,
    "varied": 1,
    "administrative_agreement": 1,
    "mediated": 3,
}
SECOND_INSTANCE = {"appeal_dismissed": 80, "appeal_varied": 8, "remanded": 6, "appeal_withdrawn": 6}
ACTS = ["房屋征收补偿决定", "行政处罚决定", "政府信息公开答复", "不履行法定职责", "工伤认定", "强制拆除行为", "行政登记", "投诉举报处理"]
COURTS = ["江城市明德区人民法院", "江城市铁路运输法院", "江城市中级人民法院"]
APPEARANCES = {"principal": 18, "deputy": 40, "in_charge": 22, "staff": 15, "lawyer_only": 5}


def build(org: DemoOrg, rng: random.Random, today: dt.date, progress: Callable[[int], None], n_first: int = 125) -> int:
    year = today.year
    staff = department_staff(org)
    justice = org.departments[0]  # 司法局 answers for the district government
    defendants = [d for d in staff if d != justice]
    first_outcome = weighted_picker(rng, FIRST_INSTANCE)
    second_outcome = weighted_picker(rng, SECOND_INSTANCE)
    plans = two_years(rng, today, n_first, (dt.date(year - 1, 9, 1), dt.date(year - 1, 12, 28), 12))
    created = 0
    appeals: list[tuple[Any, dt.date]] = []
    for received, carried_in in plans:
        government = rng.random() < 0.22
        unit = justice if government else rng.choice(defendants)
        clerk, reviewer = staff[unit]
        natural = rng.random() < 0.85
        data = {
            "received_on": received,
            "plaintiff_name": fake_name(rng) if natural else f"江城{rng.choice('恒信达远华盛')}{rng.choice('置业物流建设')}有限公司",
            "plaintiff_type": "natural_person" if natural else "legal_person",
            "plaintiff_phone": f"13{rng.randint(100000000, 999999999)}" if natural else "",
            "defendant_name": org.district.name if government else unit.name,
            "defendant_is_government": government,
            "court": COURTS[0] if rng.random() < 0.7 else COURTS[1],
            "court_case_number": f"（{received.year}）鄂0102行初{rng.randint(10, 999)}号",
            "instance": "first",
            "disputed_act": rng.choice(ACTS),
            "after_reconsideration": rng.random() < 0.3,
            "disclosure_related": rng.random() < 0.1,
            "compensation_claimed": rng.random() < 0.1,
        }
        case = matter_create(register="litigation", unit=unit, actor=clerk, data=data, carried_in=carried_in)
        created += 1
        appealed = _walk(case, rng, today, clerk, reviewer, first_outcome, may_appeal=True)
        if appealed:
            appeals.append((case, appealed))
        progress(1)
    for first, appealed in appeals:
        served = workdays_after(appealed, rng.randint(5, 20))
        if served >= today:
            continue
        clerk, reviewer = staff[first.unit]
        data = {
            "received_on": served,
            "plaintiff_name": first.plaintiff_name,
            "plaintiff_type": first.plaintiff_type,
            "defendant_name": first.defendant_name,
            "defendant_is_government": first.defendant_is_government,
            "court": COURTS[2],
            "court_case_number": f"（{served.year}）鄂01行终{rng.randint(10, 999)}号",
            "instance": "second",
            "prior_case_number": first.court_case_number,
            "disputed_act": first.disputed_act,
        }
        case = matter_create(register="litigation", unit=first.unit, actor=clerk, data=data)
        created += 1
        _walk(case, rng, today, clerk, reviewer, second_outcome, may_appeal=False)
        progress(1)
    return created


def _walk(case: Any, rng: random.Random, today: dt.date, clerk: Any, reviewer: Any, next_outcome: Callable[[], str], *, may_appeal: bool) -> dt.date | None:
    """Walk one instance; the day it was appealed, if it was."""
    step = stepper(case, today)
    day = case.received_on
    if rng.random() < 0.35:
        meeting = workdays_after(day, rng.randint(2, 8))
        step("hold_analysis_meeting", reviewer, meeting, analysis_meeting_on=meeting)
    filed = day + dt.timedelta(days=rng.randint(5, 14) if rng.random() > 0.03 else rng.randint(16, 20))
    if not step("file_defence", clerk, workday_before(filed), defence_filed_on=workday_before(filed)):
        return None
    hearing = workdays_after(filed, rng.randint(15, 60))
    appearance = rng.choices(list(APPEARANCES), list(APPEARANCES.values()))[0]
    head = appearance in ("principal", "deputy", "in_charge")
    if not step(
        "hold_hearing",
        clerk,
        hearing,
        hearing_on=hearing,
        appearance=appearance,
        appearance_person=f"{fake_name(rng)}（{'局长' if appearance == 'principal' else '副局长'}）" if head else "",
        appearance_proof_defective=head and rng.random() < 0.02,
        absence_reason="" if head else "因公务冲突，由相应工作人员出庭",
    ):
        return None
    judged = workdays_after(hearing, rng.randint(10, 60))
    if not step("judge", clerk, judged, judged_on=judged, outcome=next_outcome()):
        return None
    served = judged + dt.timedelta(days=rng.randint(0, 6))
    if not step("record_service", clerk, served, judgment_served_on=served):
        return None
    due = appeal_due(case)
    if due is None:  # final (二审), or a withdrawal or mediation: effective on service
        closed = served + dt.timedelta(days=rng.randint(3, 20))
        step("close", clerk, closed, closed_on=closed)
        return None
    if may_appeal and rng.random() < 0.25:
        appealed = served + dt.timedelta(days=rng.randint(2, 10))  # within 10 days: inside either period
        agency_appeals = case.agency_result == "lost" and rng.random() < 0.85
        if step("appeal", reviewer, appealed, appealed_on=appealed, appellant="agency" if agency_appeals else "plaintiff"):
            return appealed
        return None
    closed = due + dt.timedelta(days=rng.randint(1, 15))
    step("close", clerk, closed, closed_on=closed)
    return None
