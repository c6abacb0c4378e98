"""Checks and derived values of the 行政应诉 procedure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.masking import party_fields_errors
from fazhi.law.clocks import clock_compute
from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.litigation.models import HEAD_APPEARANCES, AppealPeriod, Appearance, Instance, LitigationCase
from fazhi.registers.litigation.results import APPEAL_ONLY, result_for

DATE_ORDER = [
    ("defence_filed_on", ("received_on",), "收到起诉状副本日期"),
    ("analysis_meeting_on", ("received_on",), "收到起诉状副本日期"),
    ("hearing_on", ("received_on",), "收到起诉状副本日期"),
    ("judged_on", ("hearing_on", "received_on"), "开庭日期"),
    ("judgment_served_on", ("judged_on",), "裁判日期"),
    ("appealed_on", ("judged_on",), "裁判日期"),
    ("closed_on", ("judged_on",), "裁判日期"),
]
SECOND_ALSO = {"withdrawn", "mediated", "suit_dismissed"}
NOT_APPEALABLE = {"withdrawn", "mediated"}  # 准许撤诉的裁定、调解书
RULINGS = {"suit_dismissed"}  # 裁定驳回起诉: 10 days (行政诉讼法 art.85)
APPEAL_RULES = {AppealPeriod.JUDGMENT: "litigation.appeal", AppealPeriod.RULING: "litigation.appeal_ruling"}
CO_DEFENDANT = "《行政诉讼法》第二十六条第二款"


def appeal_period_for(instance: str, outcome: str) -> str:
    """Which appeal period the decision carries (行政诉讼法 arts.7, 85)."""
    if instance == Instance.SECOND or outcome in NOT_APPEALABLE or outcome in APPEAL_ONLY:
        return AppealPeriod.NONE
    return AppealPeriod.RULING if outcome in RULINGS else AppealPeriod.JUDGMENT


def appeal_due(case: LitigationCase) -> dt.date | None:
    """Last day to appeal: 15 days (判决) or 10 days (裁定) from service (art.85); None when
    the service is not recorded or the decision cannot be appealed."""
    rule = APPEAL_RULES.get(case.appeal_period)  # type: ignore[call-overload]
    if rule is None or case.judgment_served_on is None:
        return None
    return clock_compute(rule, case.judgment_served_on, explain=False).due


def prior_instance(case: LitigationCase, number: str) -> LitigationCase | None:
    """The earlier instance of the lawsuit recorded in the same unit, by its court case number."""
    if not number:
        return None
    manager: Any = LitigationCase.objects  # typed as the abstract Matter's manager
    qs = manager.filter(unit_id=case.unit_id, court_case_number=number)
    if case.pk:
        qs = qs.exclude(pk=case.pk)
    prior: LitigationCase | None = qs.order_by("-received_on", "-pk").first()
    return prior


def _err(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


class LitigationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        case: LitigationCase = matter
        errors = date_errors(None if transition == CREATE else case, data, DATE_ORDER)
        errors |= party_fields_errors(case, data, "plaintiff_type", "plaintiff_id_number")
        instance = data.get("instance") or case.instance
        if transition == CREATE:
            self._validate_create(case, data, instance, errors)
        if transition == "hold_hearing":
            appearance = data.get("appearance")
            if appearance not in HEAD_APPEARANCES and not data.get("absence_reason"):
                _err(errors, "absence_reason", "负责人未出庭的，应写明理由（《规定》第八条、第九条）")
            if appearance in HEAD_APPEARANCES and not data.get("appearance_person"):
                _err(errors, "appearance_person", "请填写出庭负责人的姓名和职务")
        if transition == "judge" and data.get("outcome"):
            outcome = data["outcome"]
            if instance == Instance.SECOND and outcome not in APPEAL_ONLY | SECOND_ALSO:
                _err(errors, "outcome", "二审案件的结果应为驳回上诉、改判、发回重审、准许撤回上诉，或撤诉、调解、驳回起诉")
            elif instance != Instance.SECOND and outcome in APPEAL_ONLY:
                _err(errors, "outcome", "该结果只适用于二审案件")
            else:
                _result, message = result_for(case, outcome, data.get("agency_result") or "")
                if message:
                    _err(errors, "agency_result", message)
        if transition == "appeal":
            self._validate_appeal(case, data, errors)
        if transition == "close" and data.get("closed_on") and case.appeal_period in APPEAL_RULES and case.appealed_on is None:
            due = appeal_due(case)
            if due is None:
                _err(errors, "closed_on", "请先登记裁判文书送达日期：上诉期自送达之日起计算，届满未上诉的，裁判才发生法律效力（《行政诉讼法》第八十五条）")
            elif data["closed_on"] <= due:
                _err(errors, "closed_on", f"上诉期至 {due:%Y-%m-%d} 届满，此前裁判尚未发生法律效力，不能以生效结案（《行政诉讼法》第八十五条）")
        return errors

    def _validate_create(self, case: LitigationCase, data: dict[str, Any], instance: str, errors: dict[str, list[str]]) -> None:
        prior_number = data.get("prior_case_number") or ""
        if instance in (Instance.SECOND, Instance.RETRIAL) and not prior_number:
            _err(errors, "prior_case_number", "二审、再审案件应填写前审案号")
        if data.get("reconsideration_codefendant"):
            if not data.get("after_reconsideration"):
                _err(errors, "reconsideration_codefendant", f"复议机关作共同被告的，须是经复议后起诉的案件（{CO_DEFENDANT}）")
            if not data.get("co_defendant_name"):
                _err(errors, "co_defendant_name", f"请填写作为共同被告的复议机关（{CO_DEFENDANT}）")
        if instance != Instance.SECOND:
            for name in ("appellant", "first_instance_result"):
                if data.get(name):
                    _err(errors, name, "上诉人和一审裁判结果只在登记二审案件时填写")
            return
        prior = prior_instance(case, prior_number)
        if prior is None:
            # the first instance is not in the system (e.g. before it was used): the clerk says
            # who appealed and how the first instance ended for the agency
            if not data.get("appellant"):
                _err(errors, "appellant", "请填写上诉人：二审结果对本机关是胜是败，取决于谁上诉（《行政诉讼法》第八十九条）")
            if not data.get("first_instance_result"):
                _err(errors, "first_instance_result", "请填写一审裁判结果（对本机关）：二审驳回上诉的，一审结果即为最终结果（《行政诉讼法》第八十九条）")
            return
        if prior.appealed_on is None:
            _err(errors, "prior_case_number", f"前审案件 {prior.case_number} 尚未登记上诉，请先在该案件中登记上诉")
            return
        for name, value in (("appellant", prior.appellant), ("first_instance_result", prior.agency_result)):
            if data.get(name) and data[name] != value:
                _err(errors, name, f"与前审案件 {prior.case_number} 登记的内容不一致")

    def _validate_appeal(self, case: LitigationCase, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
        if case.instance == Instance.SECOND:
            _err(errors, "appealed_on", "二审裁判是终审裁判，不能上诉（《行政诉讼法》第七条）")
            return
        if case.appeal_period == AppealPeriod.NONE:
            _err(errors, "appealed_on", "准许撤诉的裁定和调解书不能上诉")
            return
        if not case.court_case_number:
            _err(errors, "appealed_on", "请先更正填写本审法院案号：二审案件据此与本案关联")
        due = appeal_due(case)
        appealed_on = data.get("appealed_on")
        if due is not None and appealed_on and appealed_on > due:
            _err(errors, "appealed_on", f"上诉期已于 {due:%Y-%m-%d} 届满，逾期不提起上诉的，一审裁判已发生法律效力（《行政诉讼法》第八十五条）")

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        case: LitigationCase = matter
        if transition == CREATE and (data.get("instance") or case.instance) == Instance.SECOND:
            prior = prior_instance(case, data.get("prior_case_number") or "")
            if prior is not None:
                return {"appellant": prior.appellant, "first_instance_result": prior.agency_result}
            return {}
        if transition == "judge":
            outcome = data.get("outcome") or ""
            result, _message = result_for(case, outcome, data.get("agency_result") or "")
            return {"agency_result": result, "appeal_period": appeal_period_for(case.instance, outcome)}
        if transition == "hold_hearing":
            # 负责人出庭 counts per 审级: one hearing attended with a valid ID proof is enough
            # (规定第七条); a defective proof that cannot be fixed means the leader did not appear (第六条)
            counted = data.get("appearance") in HEAD_APPEARANCES and not data.get("appearance_proof_defective")
            return {
                "head_appeared": case.head_appeared or counted,
                "principal_appeared": case.principal_appeared or (counted and data.get("appearance") == Appearance.PRINCIPAL),
            }
        return {}
