"""Checks of the 行政复议 procedure that the declaration cannot express."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.masking import party_fields_errors
from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.reconsideration.models import DocumentReviewRoute, NormativeReviewResult, Procedure, ReconsiderationCase


def simplified_since() -> dt.date:
    """简易程序 exists only from the law version that defines its clock (2023 revision, art.53, art.90)."""
    from fazhi.law.clocks import clock_rules

    return clock_rules()["reconsideration.decision_simplified"].values[0].since


DATE_ORDER = [
    ("correction_requested_on", ("received_on",), "收到日期"),
    ("correction_received_on", ("correction_requested_on",), "补正通知日期"),
    ("accepted_on", ("correction_received_on", "received_on"), "收到申请（或补正）日期"),
    ("suspended_on", ("accepted_on",), "受理日期"),
    ("resumed_on", ("suspended_on",), "中止日期"),
    ("extended_on", ("accepted_on",), "受理日期"),
    ("hearing_on", ("accepted_on",), "受理日期"),
    ("hearing_noticed_on", ("received_on",), "收到申请日期"),
    ("copy_sent_on", ("received_on",), "收到申请日期"),
    ("copy_received_on", ("copy_sent_on",), "发送副本日期"),
    ("answer_received_on", ("copy_sent_on",), "发送副本日期"),
    ("committee_consulted_on", ("received_on",), "收到申请日期"),
    ("document_review_on", ("received_on",), "收到申请日期"),
    ("document_reply_on", ("document_review_on",), "转送日期"),
    ("opinion_report_on", ("opinion_letter_on",), "意见书制发日期"),
    ("act_known_on", ("act_made_on",), "行政行为作出日期"),
    ("views_heard_on", ("accepted_on",), "受理日期"),
    ("procedure_switched_on", ("accepted_on",), "受理日期"),
    ("opinion_letter_on", ("accepted_on",), "受理日期"),
    ("decided_on", ("accepted_on", "received_on"), "受理日期"),
    ("closed_on", ("decided_on", "received_on"), "决定日期"),
]


LAW_2023 = dt.date(2024, 1, 1)  # 《行政复议法》(2023修订) in force (art.90)


def _intake_errors(case: ReconsiderationCase, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """A 补正 notice or a 不予受理 decision only within the acceptance review period (arts.30, 31;
    1999 text art.17); afterwards the case is accepted by law and can only be 驳回 (art.33)."""
    from fazhi.registers.framework.clocks import matter_clocks

    field = "correction_requested_on" if transition == "request_correction" else "decided_on"
    day = data.get(field)
    errors: dict[str, list[str]] = {}
    new_law = case.received_on >= LAW_2023
    if transition == "request_correction" and new_law and case.correction_requested_on is not None:
        errors.setdefault(field, []).append("补正通知应当一次性载明需要补正的事项，不能再次通知补正（《行政复议法》第三十一条）")
    if day is None:
        return errors
    acceptance = next((c for c in matter_clocks(case, explain=False) if c.rule == "reconsideration.acceptance"), None)
    if acceptance is None or acceptance.result.due is None or day <= acceptance.result.due:
        return errors
    what = "通知补正" if transition == "request_correction" else "决定不予受理"
    due = f"{acceptance.result.due:%Y年%-m月%-d日}"
    if new_law:
        errors.setdefault(field, []).append(
            f"受理审查期限已于{due}届满，依法视为受理（《行政复议法》第三十条第三款），不能再{what}；"
            "受理后发现不符合受理条件的，应当决定驳回行政复议申请（第三十三条）"
        )
    else:
        errors.setdefault(field, []).append(f"审查期限已于{due}届满，申请自收到之日起即为受理（1999年《行政复议法》第十七条），不能再{what}")
    return errors


def _application_errors(case: ReconsiderationCase, data: dict[str, Any]) -> dict[str, list[str]]:
    """The application period, checked when the case is accepted: 60 days from knowing the act
    (art.20 para.1), at most one year when the rights were not explained (para.3), and never
    more than 5 years (20 for real property) after the act (art.21); a delay for a 正当理由
    continues the period from the end of the obstacle (para.2), so a recorded reason lets it pass."""
    from fazhi.law.clocks import clock_compute

    errors: dict[str, list[str]] = {}
    received = case.received_on
    if received < LAW_2023:
        return errors
    if case.act_made_on:
        rule = "reconsideration.application_limit_real_property" if case.real_property else "reconsideration.application_limit"
        limit = clock_compute(rule, case.act_made_on, explain=False, in_force_on=received).due
        if limit and received > limit:
            years = "二十年" if case.real_property else "五年"
            errors.setdefault("accepted_on", []).append(
                f"申请时距行政行为作出已超过{years}（{limit:%Y年%-m月%-d日}届满），应当决定不予受理（《行政复议法》第二十一条）"
            )
            return errors
    if case.act_known_on and not data.get("late_application_reason"):
        rule = "reconsideration.application_period_uninformed" if case.rights_not_informed else "reconsideration.application_period"
        due = clock_compute(rule, case.act_known_on, explain=False, in_force_on=received).due
        if due and received > due:
            article = "第二十条第三款" if case.rights_not_informed else "第二十条第一款"
            errors.setdefault("late_application_reason", []).append(
                f"申请已超过法定申请期限（{due:%Y年%-m月%-d日}届满，《行政复议法》{article}）：应当决定不予受理；"
                "因不可抗力或者其他正当理由耽误的，请写明正当理由（第二十条第二款）"
            )
    return errors


def _clock_due(case: ReconsiderationCase, rule_prefix: str) -> dt.date | None:
    from fazhi.registers.framework.clocks import matter_last_dues

    return next((due for rule, due in matter_last_dues(case).items() if rule.startswith(rule_prefix)), None)


# art.70: without the answer and evidence in time the act is taken to have no evidence or basis
NO_ANSWER_OUTCOMES = {"set_aside", "partly_set_aside", "declared_illegal", "declared_void", "ordered_to_perform"}
NOT_ON_THE_MERITS = {"rejected_application", "withdrawn", "terminated"}


def _decision_errors(case: ReconsiderationCase, data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    outcome = data.get("outcome") or ""
    decided = data.get("decided_on")
    if outcome in NOT_ON_THE_MERITS or decided is None:
        return errors
    due = _clock_due(case, "reconsideration.respondent_answer") if case.copy_sent_on else None
    if due is not None and outcome not in NO_ANSWER_OUTCOMES and not data.get("third_party_evidence"):
        answered = case.answer_received_on is not None and case.answer_received_on <= due and case.evidence_submitted
        if not answered and (case.answer_received_on is not None or decided > due):
            errors.setdefault("outcome", []).append(
                f"被申请人未在法定期限（{due:%Y年%-m月%-d日}届满）内提出书面答复并提交证据、依据，视为该行政行为没有证据、依据，"
                "应当决定撤销、部分撤销、确认违法、确认无效或者责令履行（《行政复议法》第七十条）；"
                "行政行为涉及第三人合法权益、第三人提供了证据的，请勾选相应选项"
            )
    if case.complex_case:
        if case.procedure == Procedure.ORDINARY and case.hearing_on is None:
            errors.setdefault("decided_on", []).append("案情重大、疑难、复杂的案件应当组织听证后再作决定（《行政复议法》第五十条第一款）")
        if case.committee_consulted_on is None:
            errors.setdefault("decided_on", []).append("案情重大、疑难、复杂的案件应当提请行政复议委员会提出咨询意见（《行政复议法》第五十二条第二款）")
    return errors


def _hearing_errors(case: ReconsiderationCase, data: dict[str, Any]) -> dict[str, list[str]]:
    from fazhi.law.workdays import current_calendar

    noticed, hearing = data.get("hearing_noticed_on"), data.get("hearing_on")
    if not noticed or not hearing:
        return {}
    earliest = current_calendar().nth_workday_after(noticed, 5)
    if hearing < earliest:
        return {
            "hearing_noticed_on": [
                f"应当于举行听证的五日（工作日）前书面通知当事人（《行政复议法》第五十一条、第八十八条）：{noticed:%Y年%-m月%-d日}通知的，"
                f"听证最早于{earliest:%Y年%-m月%-d日}举行"
            ]
        }
    return {}


BY_OWN_STEP = {"mediated": "调解结案（制作调解书）", "settled_withdrawn": "和解后撤回申请，终止审理"}


class ReconsiderationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        case: ReconsiderationCase = matter

        errors = date_errors(None if transition == CREATE else case, data, DATE_ORDER)
        errors |= party_fields_errors(case, data, "applicant_type", "applicant_id_number")
        if data.get("reviewed_document") and not (data.get("normative_document_review") or case.normative_document_review):
            errors.setdefault("reviewed_document", []).append("请同时选择“一并请求审查规范性文件”（《行政复议法》第十三条）")
        if transition == CREATE:
            return errors
        if transition in ("request_correction", "reject_at_intake"):
            errors |= _intake_errors(case, transition, data)
        if transition == "accept":
            errors |= _application_errors(case, data)
        if transition == "hold_hearing":
            errors |= _hearing_errors(case, data)
        if transition == "decide":
            errors |= _decision_errors(case, data)
        if transition in ("record_copy_receipt", "receive_answer") and case.copy_sent_on is None:
            errors.setdefault(next(iter(data), "copy_sent_on"), []).append("请先记录向被申请人发送申请书副本（《行政复议法》第四十八条）")
        if transition in ("handle_document_review", "transfer_document_review") and not case.normative_document_review:
            errors.setdefault("document_review_on", []).append("申请人未一并提出规范性文件附带审查申请（《行政复议法》第十三条、第五十六条）")
        if transition == "handle_document_review" and data.get("normative_document_result") == NormativeReviewResult.FORWARDED:
            errors.setdefault("normative_document_result", []).append("无权处理的，请使用“转送有权机关处理规范性文件附带审查”")
        if transition == "receive_document_reply" and case.document_review_route != DocumentReviewRoute.TRANSFERRED:
            errors.setdefault("document_reply_on", []).append("该案未将规范性文件转送有权机关处理")
        if transition == "receive_opinion_report" and case.opinion_letter_on is None:
            errors.setdefault("opinion_report_on", []).append("该案未制发行政复议意见书")
        if transition == "accept" and data.get("procedure") == Procedure.SIMPLIFIED:
            accepted_on = data.get("accepted_on")
            since = simplified_since()
            if accepted_on and accepted_on < since:
                errors.setdefault("procedure", []).append(f"简易程序自{since:%Y年%-m月%-d日}起适用（《行政复议法》第五十三条、第九十条）")
        if transition == "switch_procedure" and case.procedure != Procedure.SIMPLIFIED:
            errors.setdefault("procedure_switched_on", []).append("只有简易程序案件可以转为普通程序（《行政复议法》第五十五条）")
        if transition == "decide":
            outcome = data.get("outcome")
            if outcome in BY_OWN_STEP:
                errors.setdefault("outcome", []).append(f"请使用“{BY_OWN_STEP[outcome]}”步骤")
            if case.normative_document_review and not data.get("normative_document_result"):
                errors.setdefault("normative_document_result", []).append("申请人一并请求审查规范性文件的，应记录附带审查结果（第五十六条）")
            if data.get("compensation_amount") and not data.get("compensation_decided"):
                errors.setdefault("compensation_decided", []).append("填写了赔偿金额的，应勾选“一并作出赔偿决定”")
        if transition == "extend" and case.procedure == Procedure.SIMPLIFIED:
            errors.setdefault("extended_on", []).append("简易程序案件不能延期（《行政复议法》第六十二条）")
        return errors

    def applies(self, matter: Any, transition: str) -> bool:
        """Whether the step can apply to this case at all (the page offers only those)."""
        case: ReconsiderationCase = matter
        if transition in ("record_copy_receipt", "receive_answer"):
            return case.copy_sent_on is not None
        if transition in ("handle_document_review", "transfer_document_review"):
            return case.normative_document_review and case.document_review_route in ("", DocumentReviewRoute.PENDING)
        if transition == "receive_document_reply":
            return case.document_review_route == DocumentReviewRoute.TRANSFERRED
        if transition == "receive_opinion_report":
            return case.opinion_letter_on is not None
        if transition == "switch_procedure":
            return case.procedure == Procedure.SIMPLIFIED
        if transition == "extend":
            return case.procedure != Procedure.SIMPLIFIED
        return True

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        wants_review = data.get("normative_document_review") or matter.normative_document_review
        if transition in (CREATE, "accept") and wants_review and not matter.document_review_route:
            return {"document_review_route": DocumentReviewRoute.PENDING}
        if transition == "handle_document_review":
            return {"document_review_route": DocumentReviewRoute.HANDLED}
        if transition == "transfer_document_review":
            return {"document_review_route": DocumentReviewRoute.TRANSFERRED, "normative_document_result": NormativeReviewResult.FORWARDED}
        if transition == "switch_procedure":
            return {"procedure": Procedure.ORDINARY}
        if transition == "mediate":
            return {"outcome": "mediated"}
        if transition == "settle":
            return {"outcome": "settled_withdrawn"}
        return {}
