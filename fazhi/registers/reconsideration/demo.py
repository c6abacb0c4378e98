"""A year of 行政复议 at the scale of the seed reports (about 60 cases, every outcome)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fazhi.core.demo import DemoOrg, fake_name
from fazhi.registers.framework.demo import stepper, two_years, weighted_picker, workday_before, workdays_after
from fazhi.registers.framework.services import matter_create
from fazhi.registers.reconsideration.models import ReconsiderationCase

OUTCOME_WEIGHTS = {
    "upheld": 38,
    "rejected_application": 9,
    "set_aside": 7,
    "partly_set_aside": 2,
    "declared_illegal": 5,
    "varied": 2,
    "ordered_to_perform": 3,
    "declared_void": 1,
    "claim_rejected": 3,
    "administrative_agreement": 1,
    "mediated": 11,
    "settled_withdrawn": 9,
    "withdrawn": 7,
    "terminated": 2,
}
ACTS = [
    "行政处罚决定（罚款）",
    "责令限期拆除决定",
    "政府信息公开答复",
    "工伤认定决定",
    "不予登记决定",
    "行政强制措施（查封）",
    "房屋征收补偿决定",
    "不履行法定职责",
    "行政许可决定",
    "投诉举报处理答复",
]


def build(org: DemoOrg, users: dict[str, Any], rng: random.Random, today: dt.date, progress: Callable[[int], None]) -> int:
    """Create the cases by walking each through the real services (events and audit leaves included)."""
    year = today.year
    clerk, reviewer, head = users["clerk"], users["reviewer"], users["head"]
    next_outcome = weighted_picker(rng, OUTCOME_WEIGHTS)

    respondents = org.departments[1:] + org.subdistricts
    plans = two_years(rng, today, 55, (dt.date(year - 1, 10, 15), dt.date(year - 1, 12, 28), 7))
    this_year = len(plans) - 55  # the index of the current year's first case
    overdue_slots = {rng.randrange(this_year, this_year + 33) for _ in range(3)}
    created = 0
    for i, (received, carried_in) in enumerate(plans):
        respondent = rng.choice(respondents)
        government = rng.random() < 0.3
        applicant_type = rng.choices(["natural_person", "legal_person", "other_organisation"], [80, 17, 3])[0]
        data = {
            "received_on": received,
            "applicant_name": fake_name(rng)
            if applicant_type == "natural_person"
            else f"江城{rng.choice('恒信达远华盛')}{rng.choice('科技商贸建设物业')}有限公司",
            "applicant_type": applicant_type,
            "applicant_id_number": f"4201{rng.randint(10, 99)}19{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1000, 9999)}"
            if applicant_type == "natural_person"
            else "",
            "applicant_phone": f"13{rng.randint(100000000, 999999999)}" if applicant_type == "natural_person" else "",
            "respondent_name": org.district.name if government else respondent.name,
            "respondent_unit": (org.district if government else respondent).pk,
            "respondent_is_government": government,
            "disputed_act": (act := rng.choice(ACTS)),
            "disclosure_related": "信息公开" in act,
            "channel": rng.choices(["in_person", "post", "online", "oral"], [50, 20, 28, 2])[0],
            "compensation_requested": rng.random() < 0.12,
            "normative_document_review": rng.random() < 0.03,
        }
        case = matter_create(register="reconsideration", unit=org.reconsideration_body, actor=clerk, data=data, carried_in=carried_in)
        created += 1
        assert isinstance(case, ReconsiderationCase)
        _walk(case, rng, today, clerk, reviewer, head, next_outcome, overdue=i in overdue_slots)
        progress(1)
    return created


def _walk(
    case: ReconsiderationCase, rng: random.Random, today: dt.date, clerk: Any, reviewer: Any, head: Any, next_outcome: Callable[[], str], overdue: bool
) -> None:
    step = stepper(case, today)

    day = case.received_on
    if rng.random() < 0.15:
        day = workdays_after(day, rng.randint(1, 4))
        if not step("request_correction", clerk, day, correction_requested_on=day, correction_items="请补充提交被申请行政行为的相关材料"):
            return
        day += dt.timedelta(days=rng.randint(3, 9))
        if not step("receive_correction", clerk, day, correction_received_on=day):
            return
    day = workdays_after(day, rng.randint(1, 5))
    if rng.random() < 0.05:
        if step("reject_at_intake", reviewer, day, decided_on=day, decision_reason="不属于行政复议范围（《行政复议法》第十二条）"):
            served = day + dt.timedelta(days=rng.randint(1, 5))
            step("close", clerk, served, closed_on=served)
        return
    simplified = day.year >= 2024 and rng.random() < 0.3
    if not step("accept", clerk, day, accepted_on=day, procedure="simplified" if simplified else "ordinary"):
        return
    accepted = day
    if overdue:
        return  # left open past its deadline: the demo's overdue cases
    # the copy to the respondent (7 / 3 working days) and its answer (10 / 5 working days), arts.48, 54
    sent = workdays_after(accepted, rng.randint(1, 2 if simplified else 5))
    if not step("send_copy", clerk, sent, copy_sent_on=sent):
        return
    answered = workdays_after(sent, rng.randint(2, 4 if simplified else 9))
    if not step("receive_answer", clerk, answered, answer_received_on=answered, evidence_submitted=True):
        return
    if rng.random() < 0.2:
        # noticed at least five working days before the hearing (art.51)
        hearing = max(accepted + dt.timedelta(days=rng.randint(10, 25)), workdays_after(accepted, 6))
        step("hold_hearing", clerk, hearing, hearing_on=hearing, hearing_noticed_on=accepted, respondent_head_attended=rng.random() < 0.7)
    elif not simplified:
        heard = workdays_after(accepted, rng.randint(3, 12))
        step("hear_views", clerk, heard, views_heard_on=heard)
    if simplified and rng.random() < 0.1:
        switched = workdays_after(accepted, rng.randint(2, 6))
        if step("switch_procedure", head, switched, procedure_switched_on=switched):
            simplified = False
    limit = 28 if simplified else 58
    if not simplified and rng.random() < 0.06:
        s = accepted + dt.timedelta(days=rng.randint(10, 20))
        if not step("suspend", reviewer, s, suspended_on=s, suspension_ground="双方同意调解（《行政复议法》第三十九条）"):
            return
        r = s + dt.timedelta(days=rng.randint(10, 30))
        if not step("resume", reviewer, r, resumed_on=r):
            return
        limit += (r - s).days
    if not simplified and rng.random() < 0.1:
        e = accepted + dt.timedelta(days=rng.randint(45, 55))
        if not step("extend", head, e, extended_on=e, extension_reason="案情复杂，需进一步调查"):
            return
        limit += 28
    decided = accepted + dt.timedelta(days=rng.randint(min(15, limit), limit))
    decided = workday_before(decided)
    if decided <= answered:  # decided on the answer and evidence
        decided = workdays_after(answered, 1)
    if decided > today:
        return
    outcome = next_outcome()
    if outcome in ("mediated", "settled_withdrawn"):
        done = step(
            "mediate" if outcome == "mediated" else "settle", reviewer, decided, decided_on=decided, mediation_summary="双方自愿达成协议，被申请人自行纠正"
        )
    else:
        extra = {"normative_document_result": "lawful"} if case.normative_document_review else {}
        done = step("decide", reviewer, decided, decided_on=decided, outcome=outcome, **extra)
    if not done:
        return
    if case.outcome in ("set_aside", "declared_illegal") and rng.random() < 0.4:
        letter = workdays_after(decided, rng.randint(1, 10))
        step("issue_opinion_letter", reviewer, letter, opinion_letter_on=letter, opinion_letter_summary="执法程序不规范，建议加强证据收集和法制审核")
    closed = decided + dt.timedelta(days=rng.randint(2, 8))
    step("close", clerk, closed, closed_on=closed)
