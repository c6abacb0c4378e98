"""Checks of the 行政执法 procedure: officers, 告知 and 听证, the 法制审核 gate, 集体讨论, publication.

The gate lives here, in the register's validation, because every path that changes a case
(web form, ledger import, command, API) goes through ``matter_transition``, which runs it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.law.workdays import current_calendar
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import Officer, PowerItem
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("notified_on", ("received_on",), "立案日期"),
    ("hearing_requested_on", ("notified_on",), "告知日期"),
    ("hearing_held_on", ("hearing_requested_on",), "申请听证日期"),
    ("review_submitted_on", ("hearing_held_on", "notified_on", "received_on"), "听证（告知、立案）日期"),
    ("reviewed_on", ("review_submitted_on",), "提交法制审核日期"),
    ("discussed_on", ("reviewed_on", "hearing_held_on", "received_on"), "审核（听证、立案）日期"),
    ("decided_on", ("discussed_on", "reviewed_on", "hearing_held_on", "notified_on", "received_on"), "集体讨论（审核、听证、告知、立案）日期"),
    ("served_on", ("decided_on",), "决定日期"),
    ("executed_on", ("served_on",), "送达日期"),
    ("closed_on", ("executed_on", "served_on", "received_on"), "执行（送达、立案）日期"),
    ("published_on", ("decided_on",), "决定日期"),
    ("decision_changed_on", ("decided_on",), "决定日期"),
    ("publication_withdrawn_on", ("decision_changed_on",), "决定被变更的日期"),
]
NEEDS_NOTICE = {"penalty_imposed"}  # 第四十四条: 告知 before a penalty is imposed


def officer_errors(unit: Any, lead_id: Any, second_id: Any, day: dt.date | None) -> dict[str, list[str]]:
    """At least two certified officers of the handling unit (行政处罚法第四十二条)."""
    errors: dict[str, list[str]] = {}
    if lead_id is not None and lead_id == second_id:
        errors["second_officer"] = ["主办与协办执法人员应为两名不同的人员（《行政处罚法》第四十二条）"]
    officers = {o.pk: o for o in Officer.objects.filter(pk__in=[x for x in (lead_id, second_id) if x is not None])}
    for field, pk in (("lead_officer", lead_id), ("second_officer", second_id)):
        officer = officers.get(pk)
        if officer is None:
            continue
        if officer.unit_id != unit.pk:
            errors.setdefault(field, []).append(f"{officer.name}不是{unit.name}的执法人员")
        elif day and not officer.certified_on(day):
            errors.setdefault(field, []).append(
                f"{officer.name}的执法证在 {day:%Y-%m-%d} 不在有效期内（有效期至 {officer.certificate_valid_until:%Y-%m-%d}），不能办案"
            )
    return errors


def _set(case: Any, data: dict[str, Any]) -> Any:
    """The case as it would be after this step (for checks that read several fields)."""

    class View:
        def __getattr__(self, name: str) -> Any:
            return data[name] if name in data else getattr(case, name)

    return View()


class EnforcementHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if transition == CREATE:
            item = PowerItem.objects.filter(pk=data.get("power_item") or 0).first()
            if item is not None and (item.unit_id != matter.unit_id or not item.active):
                errors.setdefault("power_item", []).append(f"该事项不在{matter.unit.name}的有效权责清单中")
            errors |= officer_errors(matter.unit, data.get("lead_officer"), data.get("second_officer"), data.get("received_on"))
            return errors
        case = _set(matter, data)
        if transition == "notify" and matter.kind != "penalty" and (data.get("proposed_fine") or data.get("proposed_measure")):
            errors.setdefault("proposed_fine", []).append("只有行政处罚案件告知拟作出的罚款或其他处罚")
        if transition == "request_hearing":
            errors |= self._hearing_request_errors(matter, data["hearing_requested_on"])
        if transition == "decide":
            errors |= self._decision_errors(matter, case, data)
        if transition == "publish" and matter.outcome == "":
            errors.setdefault("published_on", []).append("尚未作出决定")
        if transition == "change_decision" and not matter.published_on:
            errors.setdefault("decision_changed_on", []).append("该决定尚未公示：请更正决定信息后再公示；已公示的决定被变更、撤销的，在此记录并撤回公示")
        if transition == "withdraw_publication" and not matter.decision_changed_on:
            errors.setdefault("publication_withdrawn_on", []).append("只有被变更、撤销或确认违法的决定需要撤回公示，请先记录该情况")
        return errors

    def _hearing_request_errors(self, matter: Any, day: dt.date) -> dict[str, list[str]]:
        if not matter.hearing_right:
            return {"hearing_requested_on": ["告知的处罚不属于第六十三条规定的听证范围，当事人无权要求听证"]}
        v = rules.rule_in_force("hearing_right", matter.notified_on)
        limit = current_calendar().nth_workday_after(matter.notified_on, int(v.values["request_within_workdays"]))
        if day > limit:
            return {"hearing_requested_on": [f"应在告知后五个工作日内（至 {limit:%Y-%m-%d}）提出听证要求（{v.reference}）"]}
        return {}

    def _decision_errors(self, matter: Any, case: Any, data: dict[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        day: dt.date = data["decided_on"]
        outcome = data.get("outcome", "")
        from fazhi.registers.framework.registry import register_get

        o = register_get("enforcement").definition.outcomes.get(outcome)
        if o is not None and o.group != matter.kind:
            errors.setdefault("outcome", []).append(f"“{o.label}”不是{matter.get_kind_display()}案件的决定类型")
        if matter.kind != "penalty" and (data.get("fine_amount") or data.get("measure")):
            errors.setdefault("fine_amount", []).append("只有行政处罚决定填写罚没金额和处罚种类")
        if outcome == "penalty_imposed" and not (data.get("fine_amount") or data.get("measure")):
            errors.setdefault("fine_amount", []).append("给予行政处罚的，应填写罚没金额或其他处罚种类（警告、通报批评的填 0）")
        if outcome in NEEDS_NOTICE and not matter.notified_on:
            errors.setdefault("decided_on", []).append(
                "作出行政处罚决定前，应告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证权利（《行政处罚法》第四十四条）"
            )
        if outcome in NEEDS_NOTICE and matter.notified_on:
            stronger = self._beyond_notice(matter, data)
            if stronger:
                errors.setdefault("fine_amount", []).append(stronger)
        # 法制审核 gate (第五十八条): whatever the path, no decision without a passed review
        reasons, reference = rules.review_reasons(case, day)
        if reasons and not (matter.state == "reviewed" and matter.review_result == "passed"):
            errors.setdefault("decided_on", []).append(f"本案{'、'.join(reasons)}，作出决定前必须经法制审核并通过（{reference}）")
        needed, ref = rules.discussion_required(case, data.get("measure") or "", day)
        if needed and outcome == "penalty_imposed" and not matter.discussed_on:
            errors.setdefault("decided_on", []).append(f"情节复杂或重大违法行为给予行政处罚，应由行政机关负责人集体讨论决定（{ref}）")
        errors |= officer_errors(matter.unit, matter.lead_officer_id, matter.second_officer_id, day)
        return {("decided_on" if k in ("lead_officer", "second_officer") else k): v for k, v in errors.items()}

    def _beyond_notice(self, matter: Any, data: dict[str, Any]) -> str:
        """A heavier penalty than the one notified would deprive the party of its hearing right."""
        import decimal

        fine = data.get("fine_amount")
        measure = data.get("measure") or ""
        if fine is not None and decimal.Decimal(str(fine)) > (matter.proposed_fine or 0):
            return f"罚没金额不能超过告知的拟处罚金额（{matter.proposed_fine or 0} 元）；加重处罚应重新告知"
        if measure and measure != (matter.proposed_measure or ""):
            return "作出的其他处罚与告知的内容不一致；应重新告知"
        return ""

    def derive(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, Any]:
        if transition == CREATE:
            item = PowerItem.objects.filter(pk=data.get("power_item") or 0).first()
            return {"kind": item.kind} if item else {}
        if transition == "notify":
            right, _ = rules.hearing_right(matter.party_type, data.get("proposed_fine"), data.get("proposed_measure") or "", data["notified_on"])
            return {"hearing_right": right}
        if transition == "hold_hearing":
            return {"hearing_held": True}
        if transition == "pass_review":
            return {"review_result": "passed"}
        if transition == "return_review":
            return {"review_result": "returned"}
        return {}

    def after(self, matter: Any, transition: str, event: Any) -> None:
        if transition == "decide" and event is not None:
            from fazhi.registers.enforcement.impunity import impunity_check

            impunity_check(matter, on=event.event_date)
