"""The 行政复议 procedure through the one transition service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import do
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.registers.framework.clocks import matter_clocks
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_amend, matter_create
from fazhi.registers.reconsideration.models import ReconsiderationCase


def test_a_case_walks_its_whole_life(org: Any, make_case: Any) -> None:
    case = make_case(received_on=dt.date(2025, 3, 3))
    assert case.case_number == "东复〔2025〕1号" and case.state == "received"
    do(case, "request_correction", org.alice, correction_requested_on="2025-03-04", correction_items="补充身份证明")
    do(case, "receive_correction", org.alice, correction_received_on="2025-03-10")
    do(case, "accept", org.bob, accepted_on="2025-03-11", procedure="ordinary")
    do(case, "suspend", org.bob, suspended_on="2025-03-20", suspension_ground="双方同意调解")
    do(case, "resume", org.bob, resumed_on="2025-03-30")
    do(case, "extend", org.carol, extended_on="2025-05-01", extension_reason="案情复杂")
    do(case, "decide", org.bob, decided_on="2025-05-20", outcome="set_aside")
    do(case, "close", org.alice, closed_on="2025-05-25")
    case.refresh_from_db()
    assert case.state == "closed" and case.closed_on == dt.date(2025, 5, 25) and case.outcome == "set_aside"
    transitions = list(MatterEvent.objects.filter(object_id=case.pk).order_by("id").values_list("transition", flat=True))
    assert transitions == ["register", "request_correction", "receive_correction", "accept", "suspend", "resume", "extend", "decide", "close"]
    assert case.due_on is None  # closed: no clock runs
    checkpoint_take()
    assert audit_verify().ok


def test_a_forbidden_transition_is_refused_and_nothing_is_written(org: Any, make_case: Any) -> None:
    case = make_case()
    before = MatterEvent.objects.count()
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已收到申请”，不能执行“作出复议决定”"):
        do(case, "decide", org.bob, decided_on="2025-10-09", outcome="upheld")
    with pytest.raises(TransitionNotAllowed):
        do(case, "no_such_step", org.bob)
    assert MatterEvent.objects.count() == before
    case.refresh_from_db()
    assert case.state == "received"


def test_the_actor_needs_the_role_and_the_unit(org: Any, make_case: Any) -> None:
    case = make_case()
    with pytest.raises(PermissionDenied, match=r"需要以下角色之一：[^a-z]+；"):  # roles named as a clerk reads them
        do(case, "reject_at_intake", org.alice, decided_on="2025-09-30", decision_reason="x")
    with pytest.raises(PermissionDenied, match="无权办理"):
        do(case, "accept", org.frank, accepted_on="2025-09-30", procedure="ordinary")
    with pytest.raises(PermissionDenied):
        do(case, "accept", org.dave, accepted_on="2025-09-30", procedure="ordinary")  # sees it, may not act
    with pytest.raises(PermissionDenied):
        matter_create(register="reconsideration", unit=org.body, actor=org.erin, data={})


def test_required_fields_and_bad_values_are_named(org: Any, make_case: Any) -> None:
    case = make_case()
    with pytest.raises(ValidationFailed) as exc:
        do(case, "accept", org.bob, accepted_on="2025-02-30")
    assert "accepted_on" in exc.value.errors and "procedure" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        do(case, "accept", org.bob, accepted_on="2025-09-01", procedure="ordinary")
    assert "不能早于" in exc.value.errors["accepted_on"][0]
    with pytest.raises(ValidationFailed, match="未知的决定类型"):
        do(case, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
        do(case, "decide", org.bob, decided_on="2025-10-09", outcome="maybe")


def test_the_extension_is_taken_once_and_never_in_simplified_procedure(org: Any, make_case: Any) -> None:
    case = make_case()
    do(case, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    do(case, "extend", org.carol, extended_on="2025-11-20", extension_reason="复杂")
    with pytest.raises(TransitionNotAllowed, match="最多只能执行 1 次"):
        do(case, "extend", org.carol, extended_on="2025-11-21", extension_reason="再次")
    simple = make_case()
    do(simple, "accept", org.bob, accepted_on="2025-09-30", procedure="simplified")
    with pytest.raises(ValidationFailed, match="简易程序案件不能延期"):
        do(simple, "extend", org.carol, extended_on="2025-10-10", extension_reason="x")


def test_simplified_procedure_does_not_exist_before_2024(org: Any, make_case: Any) -> None:
    case = make_case(received_on=dt.date(2023, 12, 1))
    with pytest.raises(ValidationFailed, match="2024年1月1日"):
        do(case, "accept", org.bob, accepted_on="2023-12-04", procedure="simplified")


def test_due_dates_follow_the_clocks(org: Any, make_case: Any) -> None:
    case = make_case(received_on=dt.date(2025, 9, 29))  # Monday before 国庆
    # 5 working days, skipping 10/1–10/8 (holiday) but counting 9/28 make-up? no: 9/30, 10/9, 10/10, 10/11 (调休 Sat), 10/13
    clocks = {c.rule: c for c in matter_clocks(case)}
    acceptance, decision = clocks["reconsideration.acceptance"], clocks["reconsideration.decision"]
    assert acceptance.rule == "reconsideration.acceptance" and acceptance.result.due == dt.date(2025, 10, 13)
    assert acceptance.use.on_expiry == "未作出不予受理决定的，视为受理" and not acceptance.counts_for_due
    # art.30 para.3: not rejected by the end of the review period = accepted on that day, so
    # the decision clock runs from 10/13 until the body accepts (or rejects) expressly.
    assert decision.deemed_from == dt.date(2025, 10, 13) and decision.result.due == dt.date(2025, 12, 12)
    # deemed accepted, the copy of the application is due to the respondent within 7 working days (art.48)
    assert case.due_rule == "reconsideration.copy_to_respondent" and case.due_on == dt.date(2025, 10, 22)
    do(case, "accept", org.bob, accepted_on="2025-10-09", procedure="ordinary")
    case.refresh_from_db()
    assert (case.due_rule, case.due_on) == ("reconsideration.copy_to_respondent", dt.date(2025, 10, 17))  # 10/11 is a 调休 workday
    do(case, "send_copy", org.alice, copy_sent_on="2025-10-10")
    assert (case.due_rule, case.due_on) == ("reconsideration.respondent_answer", dt.date(2025, 10, 23))  # 10 working days, 10/11 counted (art.48)
    do(case, "receive_answer", org.alice, answer_received_on="2025-10-20", evidence_submitted=True)
    case.refresh_from_db()
    assert case.deadlines == {"reconsideration.copy_to_respondent": "met", "reconsideration.respondent_answer": "met"}
    assert case.due_rule == "reconsideration.decision"
    assert case.due_on == dt.date(2025, 12, 8)  # 60 days → 12/8 (Monday)
    do(case, "extend", org.carol, extended_on="2025-12-01", extension_reason="复杂")
    case.refresh_from_db()
    assert case.due_on == dt.date(2026, 1, 7)  # +30 days
    do(case, "suspend", org.bob, suspended_on="2025-12-02", suspension_ground="调解")
    case.refresh_from_db()
    assert case.due_on is None  # a suspended clock has no due date


def test_amendments_are_events_not_silent_edits(org: Any, make_case: Any) -> None:
    case = make_case()
    with pytest.raises(ValidationFailed, match="理由"):
        matter_amend(matter=case, actor=org.alice, changes={"applicant_name": "张叁"}, reason=" ")
    event = matter_amend(matter=case, actor=org.alice, changes={"applicant_name": "张叁"}, reason="身份证件姓名为张叁")
    case.refresh_from_db()
    assert case.applicant_name == "张叁"
    assert event.before == {"applicant_name": "张三"} and event.after == {"applicant_name": "张叁"}
    assert event.note == "身份证件姓名为张叁"
    with pytest.raises(ValidationFailed, match="此步骤不接受该字段"):
        matter_amend(matter=case, actor=org.alice, changes={"outcome": "upheld"}, reason="想改结果")


def test_case_numbers_are_per_unit_and_year(org: Any, make_case: Any) -> None:
    numbers = [make_case(received_on=dt.date(2025, 3, 1)).case_number for _ in range(3)]
    assert numbers == ["东复〔2025〕1号", "东复〔2025〕2号", "东复〔2025〕3号"]
    assert make_case(received_on=dt.date(2026, 1, 5)).case_number == "东复〔2026〕1号"
    other = matter_create(register="reconsideration", unit=org.other_body, actor=org.frank, data={**__import__("conftest").application()})
    assert other.case_number == "西复〔2025〕1号"
    assert ReconsiderationCase.objects.count() == 5


def test_a_simplified_case_switched_to_the_ordinary_procedure_gets_the_60_day_period(org: Any, make_case: Any) -> None:
    case = make_case(received_on=dt.date(2025, 2, 28))
    do(case, "accept", org.bob, accepted_on="2025-03-03", procedure="simplified")
    assert (case.due_on, case.due_rule) == (dt.date(2025, 3, 6), "reconsideration.copy_to_respondent_simplified")  # 3 working days (art.54)
    do(case, "send_copy", org.alice, copy_sent_on="2025-03-04")
    do(case, "receive_answer", org.alice, answer_received_on="2025-03-07", evidence_submitted=True)
    assert case.due_on == dt.date(2025, 4, 2)  # 30 日 (art.62)
    with pytest.raises(PermissionDenied):
        do(case, "switch_procedure", org.bob, procedure_switched_on="2025-03-10")
    do(case, "switch_procedure", org.carol, procedure_switched_on="2025-03-10")
    assert (case.procedure, case.due_on) == ("ordinary", dt.date(2025, 5, 6))  # 60 日 ends in the 劳动节 holiday
    ordinary = make_case()
    do(ordinary, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    with pytest.raises(ValidationFailed, match="只有简易程序"):
        do(ordinary, "switch_procedure", org.carol, procedure_switched_on="2025-10-10")


def test_mediation_and_settlement_are_steps_of_their_own_that_stop_the_clock(org: Any, make_case: Any) -> None:
    case = make_case()
    do(case, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    do(case, "hear_views", org.alice, views_heard_on="2025-10-13")
    with pytest.raises(ValidationFailed, match="调解结案"):
        do(case, "decide", org.bob, decided_on="2025-10-20", outcome="mediated")
    do(case, "mediate", org.bob, decided_on="2025-10-20", mediation_summary="被申请人自行撤销处罚，申请人同意")
    assert (case.state, case.outcome, case.due_on) == ("decided", "mediated", None)
    other = make_case()
    do(other, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    do(other, "suspend", org.bob, suspended_on="2025-10-09", suspension_ground="双方同意和解（第三十九条）")
    do(other, "settle", org.carol, decided_on="2025-10-28", mediation_summary="和解协议已履行，申请人撤回申请")
    assert (other.state, other.outcome) == ("decided", "settled_withdrawn")


def test_incidental_review_compensation_hearing_and_opinion_letter(org: Any, make_case: Any) -> None:
    case = make_case(normative_document_review=True, compensation_requested=True)
    do(case, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    with pytest.raises(ValidationFailed, match="五日（工作日）前"):
        do(case, "hold_hearing", org.alice, hearing_on="2025-10-20", hearing_noticed_on="2025-10-14", respondent_head_attended=True)
    do(case, "hold_hearing", org.alice, hearing_on="2025-10-20", hearing_noticed_on="2025-10-10", respondent_head_attended=True)
    assert case.respondent_head_attended and case.state == "accepted"
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", org.bob, decided_on="2025-11-03", outcome="set_aside", compensation_amount="5000")
    assert set(exc.value.errors) == {"normative_document_result", "compensation_decided"}
    do(
        case,
        "decide",
        org.bob,
        decided_on="2025-11-03",
        outcome="set_aside",
        normative_document_result="forwarded",
        compensation_decided=True,
        compensation_amount="5000",
    )
    do(case, "issue_opinion_letter", org.carol, opinion_letter_on="2025-11-10", opinion_letter_summary="处罚前未告知陈述申辩权利")
    do(case, "close", org.alice, closed_on="2025-11-12")
    with pytest.raises(TransitionNotAllowed, match="最多"):
        do(case, "issue_opinion_letter", org.carol, opinion_letter_on="2025-11-13", opinion_letter_summary="再次")
    assert (case.normative_document_result, str(case.compensation_amount), case.opinion_letter_on) == ("forwarded", "5000.00", dt.date(2025, 11, 10))


def test_the_page_offers_only_the_steps_that_can_apply_to_the_case(org: Any, make_case: Any) -> None:
    from fazhi.registers.framework.selectors import transitions_available

    case = make_case(received_on=dt.date(2025, 9, 1))
    do(case, "accept", org.bob, accepted_on="2025-09-05", procedure="ordinary")
    offered = {t.name for t in transitions_available(org.bob, case)}
    assert {"send_copy", "decide"} <= offered
    assert not offered & {
        "receive_answer",
        "record_copy_receipt",
        "receive_opinion_report",
        "handle_document_review",
        "receive_document_reply",
        "switch_procedure",
    }
    do(case, "send_copy", org.alice, copy_sent_on="2025-09-08")
    offered = {t.name for t in transitions_available(org.bob, case)}
    assert {"receive_answer", "record_copy_receipt"} <= offered and "send_copy" not in offered
