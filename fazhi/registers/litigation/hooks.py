"""Checks and derived values of the 行政应诉 procedure."""

from __future__ import annotations

from typing import Any

from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.litigation.models import HEAD_APPEARANCES, Appearance, Instance, LitigationCase

DATE_ORDER = [
    ("defence_filed_on", ("received_on",), "收到起诉状副本日期"),
    ("analysis_meeting_on", ("received_on",), "收到起诉状副本日期"),
    ("hearing_on", ("received_on",), "收到起诉状副本日期"),
    ("judged_on", ("hearing_on", "received_on"), "开庭日期"),
    ("closed_on", ("judged_on",), "裁判日期"),
]
APPEAL_ONLY = {"appeal_dismissed", "appeal_varied", "remanded"}
SECOND_ALSO = {"withdrawn", "mediated", "suit_dismissed"}


class LitigationHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        case: LitigationCase = matter
        errors = date_errors(None if transition == CREATE else case, data, DATE_ORDER)
        instance = data.get("instance") or case.instance
        if transition == CREATE and instance in (Instance.SECOND, Instance.RETRIAL) and not data.get("prior_case_number"):
            errors.setdefault("prior_case_number", []).append("二审、再审案件应填写前审案号")
        if transition == "hold_hearing":
            appearance = data.get("appearance")
            if appearance not in HEAD_APPEARANCES and not data.get("absence_reason"):
                errors.setdefault("absence_reason", []).append("负责人未出庭的，应写明理由（《规定》第八条、第九条）")
            if appearance in HEAD_APPEARANCES and not data.get("appearance_person"):
                errors.setdefault("appearance_person", []).append("请填写出庭负责人的姓名和职务")
        if transition == "judge" and data.get("outcome"):
            allowed = APPEAL_ONLY | SECOND_ALSO if instance == Instance.SECOND else set()
            if instance == Instance.SECOND and data["outcome"] not in allowed:
                errors.setdefault("outcome", []).append("二审案件的结果应为驳回上诉、改判、发回重审，或撤诉、调解、驳回起诉")
            if instance != Instance.SECOND and data["outcome"] in APPEAL_ONLY:
                errors.setdefault("outcome", []).append("该结果只适用于二审案件")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        """负责人出庭 counts per 审级: one hearing attended with a valid ID proof is enough (规定第七条);
        a defective proof that cannot be fixed means the leader did not appear (第六条)."""
        if transition != "hold_hearing":
            return {}
        case: LitigationCase = matter
        counted = data.get("appearance") in HEAD_APPEARANCES and not data.get("appearance_proof_defective")
        return {
            "head_appeared": case.head_appeared or counted,
            "principal_appeared": case.principal_appeared or (counted and data.get("appearance") == Appearance.PRINCIPAL),
        }
