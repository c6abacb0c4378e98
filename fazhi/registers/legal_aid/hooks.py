"""Checks and derived values of the 法律援助 procedure."""

from __future__ import annotations

from typing import Any

from fazhi.registers.framework.checks import date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER = [
    ("correction_requested_on", ("received_on",), "收到申请日期"),
    ("correction_received_on", ("correction_requested_on",), "通知补充材料日期"),
    ("decided_on", ("correction_received_on", "received_on"), "收到申请（补充材料）日期"),
    ("assigned_on", ("decided_on", "received_on"), "审查决定日期"),
    ("closed_on", ("assigned_on", "correction_requested_on", "received_on"), "指派日期"),
    ("objection_decided_on", ("objection_received_on",), "收到异议日期"),
]
OBJECTION_STEPS = {
    "uphold_refusal": "upheld",
    "correct_refusal": "corrected",
    "uphold_termination": "upheld",
    "correct_termination": "corrected",
}
CRIMINAL_FORMS = {"criminal_defence", "criminal_representation"}


class LegalAidHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if transition == CREATE:
            category, form = data.get("category"), data.get("aid_form")
            if (category == "criminal") != (form in CRIMINAL_FORMS):
                errors.setdefault("aid_form", []).append("刑事案件的援助形式应为刑事辩护或刑事代理，其他案件不能选择刑事辩护、代理")
            if data.get("source") == "notification" and not data.get("notifying_authority"):
                errors.setdefault("notifying_authority", []).append("通知辩护、代理的案件应填写通知机关")
        if transition == "assign" and matter.state == "received" and matter.source != "notification":
            errors.setdefault("assigned_on", []).append("依申请的案件应先作出给予法律援助的决定，再指派；情况紧急的请使用“先行援助”")
        if transition == "confirm_after_advance" and not matter.advance_aid:
            errors.setdefault("decided_on", []).append("只有先行援助的案件需要补作审查决定")
        if transition == "raise_objection" and matter.decided_on and data.get("objection_received_on") and data["objection_received_on"] < matter.decided_on:
            errors.setdefault("objection_received_on", []).append(f"不能早于不予援助决定日期（{matter.decided_on:%Y-%m-%d}）")
        if transition == "raise_termination_objection":
            if matter.outcome != "terminated":
                errors.setdefault("objection_received_on", []).append("只能对终止法律援助的决定提出异议，已办结的案件不能提出（法律援助法第四十九条）")
            elif matter.closed_on and data.get("objection_received_on") and data["objection_received_on"] < matter.closed_on:
                errors.setdefault("objection_received_on", []).append(f"不能早于终止援助决定日期（{matter.closed_on:%Y-%m-%d}）")
        if transition == "close" and data.get("outcome") == "terminated":
            errors.setdefault("outcome", []).append("终止法律援助请使用“终止援助”步骤并写明理由")
        return errors

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        if transition == "advance_assign":
            return {"advance_aid": True}  # 法律援助法第四十四条
        if transition == "terminate":
            return {"outcome": "terminated"}  # 第四十八条
        if transition in ("raise_objection", "raise_termination_objection"):
            return {"objection_decided_on": None, "objection_result": ""}
        if transition == "correct_refusal":
            # the refusal no longer stands: the case is open again until the aid is given
            return {"objection_result": "corrected", "closed_on": None}
        if transition == "correct_termination":
            # 第四十九条: the termination is corrected, the aid goes on; the case is no longer closed
            return {"objection_result": "corrected", "outcome": "", "closed_on": None}
        if transition in OBJECTION_STEPS:
            return {"objection_result": OBJECTION_STEPS[transition]}
        return {}
