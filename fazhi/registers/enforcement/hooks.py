"""Checks of the 行政执法 procedure: officers, 告知 and 听证, the 法制审核 gate, 集体讨论, publication.

The gate lives here, in the register's validation, because every path that changes a case
(web form, ledger import, command, API) goes through ``matter_transition``, which runs it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core.masking import party_number_errors
from fazhi.law.workdays import current_calendar
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import ExcludedReason, Officer, PowerItem
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.memo import memoized

DATE_ORDER: DateOrder = [
    ("notified_on", ("received_on",), "立案日期"),
    ("hearing_requested_on", ("notified_on",), "告知日期"),
    ("rights_waived_on", ("notified_on",), "告知日期"),
    ("hearing_noticed_on", ("hearing_requested_on",), "申请听证日期"),
    ("hearing_held_on", ("hearing_noticed_on", "hearing_requested_on"), "通知听证（申请听证）日期"),
    ("correction_requested_on", ("received_on",), "收到申请日期"),
    ("correction_received_on", ("correction_requested_on",), "告知补正日期"),
    ("seized_on", ("received_on",), "立案日期"),
    ("seizure_extended_on", ("seized_on",), "查封、扣押日期"),
    ("seizure_released_on", ("seizure_extended_on", "seized_on"), "延长（查封、扣押）日期"),
    ("testing_started_on", ("testing_finished_on", "received_on"), "上次检测结果（立案）日期"),
    ("testing_finished_on", ("testing_started_on",), "送检日期"),
    ("term_extended_on", ("received_on",), "立案日期"),
    ("term_continued_on", ("term_extended_on",), "批准延长日期"),
    ("excluded_from", ("excluded_until", "received_on"), "上一不计入期间结束（立案）日期"),
    ("excluded_until", ("excluded_from",), "不计入期间开始日期"),
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
    for field, pk in (("lead_officer", lead_id), ("second_officer", second_id)):
        officer = _officer(pk)
        if officer is None:
            continue
        if officer.unit_id != unit.pk:
            errors.setdefault(field, []).append(f"{officer.name}不是{unit.name}的执法人员")
        elif day and not officer.certified_on(day):
            errors.setdefault(field, []).append(
                f"{officer.name}的执法证在 {day:%Y-%m-%d} 不在有效期内（有效期至 {officer.certificate_valid_until:%Y-%m-%d}），不能办案"
            )
    return errors


def _officer(pk: Any) -> Officer | None:
    if pk is None:
        return None
    return memoized(("enforcement.officer", pk), lambda: Officer.objects.filter(pk=pk).first())


def _power_item(pk: Any) -> PowerItem | None:
    pk = pk or 0
    return memoized(("enforcement.power_item", pk), lambda: PowerItem.objects.filter(pk=pk).first())


def officers_certified(units: Any, day: dt.date) -> Any:
    """The officers a case of these units may name on ``day``: their own, in post, certificate valid."""
    return Officer.objects.filter(unit__in=list(units), active=True, certificate_issued_on__lte=day, certificate_valid_until__gte=day)


def _seizure_open(case: Any) -> bool:
    return bool(case.seized_on) and not case.seizure_released_on


# Whether a step can apply to the case as it stands (the matter page offers only those). The
# validation below still refuses each with its reason (a ledger row or an API call may try).
APPLIES: dict[str, Any] = {
    "request_hearing": lambda c: c.hearing_right and c.rights_waived not in ("hearing", "statement_and_hearing"),
    "request_correction": lambda c: c.kind == "licence" and not c.correction_requested_on,
    "receive_correction": lambda c: bool(c.correction_requested_on) and not c.correction_received_on,
    "seize": lambda c: c.kind in ("coercion", "penalty") and not _seizure_open(c),
    "extend_seizure": _seizure_open,
    "release_seizure": _seizure_open,
    "start_testing": lambda c: not c.testing_open,
    "finish_testing": lambda c: c.testing_open,
    "end_excluded_period": lambda c: c.term_paused,
    "publish": lambda c: c.outcome != "" and not c.published_on,
    "change_decision": lambda c: bool(c.published_on) and not c.decision_changed_on,
    "withdraw_publication": lambda c: bool(c.decision_changed_on) and not c.publication_withdrawn_on,
}


def _set(case: Any, data: dict[str, Any]) -> Any:
    """The case as it would be after this step (for checks that read several fields)."""

    class View:
        def __getattr__(self, name: str) -> Any:
            return data[name] if name in data else getattr(case, name)

    return View()


class EnforcementHooks:
    def applies(self, matter: Any, transition: str) -> bool:
        test = APPLIES.get(transition)
        return bool(test(matter)) if test is not None else True

    def choices(self, field: str, units: Any, day: dt.date) -> Any:
        if field in ("lead_officer", "second_officer"):
            return officers_certified(units, day)
        return None

    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if "party_type" in data or "party_id_number" in data:
            party_type = data.get("party_type", getattr(matter, "party_type", ""))
            errors |= party_number_errors(party_type, data.get("party_id_number", getattr(matter, "party_id_number", "")), "party_id_number")
        if transition == CREATE:
            item = _power_item(data.get("power_item"))
            if item is not None and (item.unit_id != matter.unit_id or not item.active):
                errors.setdefault("power_item", []).append(f"该事项不在{matter.unit.name}的有效权责清单中")
            if item is not None and data.get("joint_handling") and item.kind != "licence":
                errors.setdefault("joint_handling", []).append("只有行政许可事项才有统一办理、联合办理或集中办理")
            errors |= officer_errors(matter.unit, data.get("lead_officer"), data.get("second_officer"), data.get("received_on"))
            return errors
        case = _set(matter, data)
        if transition == "notify" and matter.kind != "penalty" and (data.get("proposed_fine") or data.get("proposed_measure")):
            errors.setdefault("proposed_fine", []).append("只有行政处罚案件告知拟作出的罚款或其他处罚")
        if transition == "request_hearing":
            errors |= self._hearing_request_errors(matter, data["hearing_requested_on"])
        if transition == "waive_rights" and data.get("rights_waived") == "hearing" and not matter.hearing_right:
            errors.setdefault("rights_waived", []).append("告知的处罚不属于听证范围，当事人没有听证权利可放弃")
        if transition == "hold_hearing":
            errors |= self._hearing_notice_errors(matter, data["hearing_held_on"])
        errors |= term_errors(matter, transition, data)
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
        if matter.rights_waived in ("hearing", "statement_and_hearing"):
            return {"hearing_requested_on": [f"当事人已于 {matter.rights_waived_on:%Y-%m-%d} 明确放弃听证权利"]}
        v = rules.rule_in_force("hearing_right", matter.notified_on)
        limit = current_calendar().nth_workday_after(matter.notified_on, int(v.values["request_within_workdays"]))
        if day > limit:
            return {"hearing_requested_on": [f"应在告知后五个工作日内（至 {limit:%Y-%m-%d}）提出听证要求（{v.reference}）"]}
        return {}

    def _hearing_notice_errors(self, matter: Any, day: dt.date) -> dict[str, list[str]]:
        """第六十四条第（二）项: the time and place are told at least 7 (working) days before the hearing."""
        v = rules.rule_in_force("hearing_right", matter.hearing_requested_on or day)
        n = int(v.values.get("notice_before_workdays", 7))
        if not matter.hearing_noticed_on:
            return {"hearing_held_on": [f"举行听证前，应在听证的{n}个工作日前通知当事人听证的时间、地点（{v.reference}），请先记录通知"]}
        earliest = current_calendar().nth_workday_after(matter.hearing_noticed_on, n)
        if day < earliest:
            return {
                "hearing_held_on": [
                    f"听证通知于 {matter.hearing_noticed_on:%Y-%m-%d} 送达，听证最早只能在 {earliest:%Y-%m-%d} 举行"
                    f"（应在举行听证的{n}个工作日前通知，{v.reference}）"
                ]
            }
        return {}

    def _rights_window_errors(self, matter: Any, day: dt.date) -> list[str]:
        """No 行政处罚 decision while the party may still state its case or ask for a hearing
        (第四十四条、第四十五条、第六十二条、第六十四条), unless it waived the right."""
        out = []
        cal = current_calendar()
        waived = matter.rights_waived or ""
        sv = rules.rule_or_none("statement_window", matter.notified_on)
        if sv is not None and waived not in ("statement", "statement_and_hearing"):
            end = cal.nth_workday_after(matter.notified_on, int(sv.values["workdays"]))
            if day <= end:
                out.append(f"当事人陈述、申辩的期限至 {end:%Y-%m-%d} 届满，期满前（当事人明确放弃的除外）不能作出行政处罚决定（{sv.reference}）")
        if matter.hearing_right and not matter.hearing_held and waived not in ("hearing", "statement_and_hearing"):
            hv = rules.rule_or_none("hearing_right", matter.notified_on)
            end = cal.nth_workday_after(matter.notified_on, int(hv.values["request_within_workdays"])) if hv else day
            if hv is not None and day <= end:
                out.append(f"当事人可在 {end:%Y-%m-%d} 前要求听证，期满前（当事人明确放弃的除外）不能作出行政处罚决定（{hv.reference}）")
        return out

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
            for message in self._rights_window_errors(matter, day):
                errors.setdefault("decided_on", []).append(message)
        if matter.term_paused:
            errors.setdefault("decided_on", []).append(
                f"不计入办案期限的期间（{matter.get_excluded_reason_display()}，自 {matter.excluded_from:%Y-%m-%d}）尚未结束，请先记录其结束日期"
            )
        if matter.testing_open:
            errors.setdefault("decided_on", []).append(f"{matter.testing_started_on:%Y-%m-%d} 送检测、检验、检疫或鉴定的结果尚未记录，请先记录结果出具日期")
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
            item = _power_item(data.get("power_item"))
            if item is None:
                return {}
            return {"kind": item.kind, "term": rules.term_for(item.kind, item.sector, bool(data.get("joint_handling")), data["received_on"])}
        if transition == "waive_rights":
            # a second waiver adds to the first (statement, then hearing: both are waived)
            rights = {matter.rights_waived, data["rights_waived"]} - {""}
            return {"rights_waived": "statement_and_hearing" if len(rights) > 1 else data["rights_waived"]}
        if transition in ("exclude_period", "end_excluded_period"):
            return {"term_paused": transition == "exclude_period"}
        if transition in ("start_testing", "finish_testing"):
            return {"testing_open": transition == "start_testing"}
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
        self.after_many([(matter, transition, event)])

    def after_many(self, steps: list[tuple[Any, str, Any]]) -> None:
        """A decision is checked against the criminal thresholds (以罚代刑), many at once."""
        from fazhi.registers.enforcement.impunity import impunity_check_many

        impunity_check_many([(matter, event.event_date) for matter, transition, event in steps if transition == "decide" and event is not None])


def _running(matter: Any, transition: str) -> Any:
    """The running clock that ``transition`` extends (the decision term or the seizure term), or None."""
    from fazhi.registers.framework.clocks import matter_clocks

    for c in matter_clocks(matter, explain=False):
        if transition in c.use.extend:
            return c
    return None


def _extensions_left(matter: Any, transition: str, field: str) -> tuple[Any, dict[str, list[str]]]:
    """The running clock ``transition`` extends, or why it cannot be extended on the step's day."""
    from fazhi.law.clocks import clock_rules
    from fazhi.registers.framework.clocks import matter_events

    clock = _running(matter, transition)
    if clock is None:
        term = rules.term_rule(matter.term, matter.received_on) if matter.term else None
        cited = f"（{term.reference}）" if term and transition == "extend_term" else ""
        return None, {field: [f"本案没有可以延长的期限：该期限未在计算或依法不能延长{cited}"]}
    rule = clock_rules()[clock.rule]
    value = rule.value_on(clock.result.start)
    if value is None or not value.extension:
        return None, {field: [f"{rule.label}的期限依法不能延长（{clock.result.citation}）"]}
    # the events the clocks read: the matter's rows, or those a ledger import's plan holds in memory
    # (its earlier extensions are not rows yet: counting the table let a second one through)
    done = sum(1 for e in matter_events(matter) if e.transition == transition)
    if done >= value.max_extensions:
        return None, {field: [f"{rule.label}的期限只能延长{value.max_extensions}次（{value.reference}）"]}
    return clock, {}


def term_errors(matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """Steps on the decision term and the seizure term: only where the law or the sector's rule allows them."""
    errors: dict[str, list[str]] = {}
    cal = current_calendar()
    term = rules.term_rule(matter.term, matter.received_on) if matter.term else None
    excluded = set(term.values.get("excluded", [])) if term else set()
    seizure_open = bool(matter.seized_on) and not matter.seizure_released_on
    if transition == "request_correction":
        if matter.kind != "licence":
            errors["correction_requested_on"] = ["只有行政许可申请需要告知补正"]
        else:
            v = rules.rule_in_force("licence_correction", matter.received_on)
            limit = cal.nth_workday_after(matter.received_on, int(v.values["within_workdays"]))
            if data["correction_requested_on"] > limit:
                errors["correction_requested_on"] = [
                    f"应在收到申请材料后五个工作日内（至 {limit:%Y-%m-%d}）一次告知需要补正的全部内容；逾期未告知的，"
                    f"自收到申请材料之日（{matter.received_on:%Y-%m-%d}）起即为受理，不能再要求补正（{v.reference}）"
                ]
    elif transition == "receive_correction" and not matter.correction_requested_on:
        errors["correction_received_on"] = ["尚未告知申请人补正"]
    elif transition == "seize" and matter.kind not in ("coercion", "penalty"):
        errors["seized_on"] = ["只有行政强制或行政处罚案件可以采取查封、扣押措施"]
    elif transition in ("extend_seizure", "release_seizure"):
        field = "seizure_extended_on" if transition == "extend_seizure" else "seizure_released_on"
        if not seizure_open:
            errors[field] = ["本案没有尚未解除的查封、扣押"]
        elif transition == "extend_seizure":
            clock, errors = _extensions_left(matter, transition, field)
            if clock is not None and clock.result.due and data[field] > clock.result.due:
                errors[field] = [f"查封、扣押期限已于 {clock.result.due:%Y-%m-%d} 届满，不能再延长；应当及时解除查封、扣押（《行政强制法》第二十八条）"]
    elif transition == "start_testing":
        if matter.testing_open:
            errors["testing_started_on"] = [f"{matter.testing_started_on:%Y-%m-%d} 送检的结果尚未记录"]
        elif matter.term_paused and "testing" in excluded:
            errors["testing_started_on"] = ["另一不计入办案期限的期间尚未结束，请先记录其结束日期"]
        elif "testing" not in excluded and not seizure_open:
            errors["testing_started_on"] = ["本案适用的办案期限不扣除检测、检验、检疫或鉴定期间，也没有尚未解除的查封、扣押"]
    elif transition == "finish_testing" and not matter.testing_open:
        errors["testing_finished_on"] = ["没有尚未出具结果的检测、检验、检疫或鉴定"]
    elif transition == "exclude_period":
        reason = data.get("excluded_reason", "")
        if term is None:
            errors["excluded_reason"] = ["本案没有可以扣除期间的办案期限"]
        elif reason not in excluded:
            allowed = "、".join(str(dict(ExcludedReason.choices).get(x, "检测、检验、检疫或鉴定")) for x in sorted(excluded)) or "无"
            errors["excluded_reason"] = [f"本案适用的办案期限规定（{term.reference}）不扣除该期间；可以扣除的：{allowed}"]
        elif matter.term_paused or (matter.testing_open and "testing" in excluded):
            errors["excluded_from"] = ["另一不计入办案期限的期间尚未结束，请先记录其结束日期"]
    elif transition == "end_excluded_period" and not matter.term_paused:
        errors["excluded_until"] = ["没有尚未结束的不计入办案期限的期间"]
    elif transition == "extend_term":
        clock, errors = _extensions_left(matter, transition, "term_extended_on")
        if clock is not None and clock.result.due and data["term_extended_on"] > clock.result.due:
            errors["term_extended_on"] = [f"办案期限已于 {clock.result.due:%Y-%m-%d} 届满，延长应在期限届满前批准"]
    elif transition == "continue_term":
        if term is None or not term.values.get("continued_by_discussion"):
            errors["term_continued_on"] = ["本案适用的办案期限规定没有经集体讨论继续延期的规定"]
        elif not matter.term_extended_on:
            errors["term_continued_on"] = [f"经负责人批准延长后仍不能作出决定的，才由负责人集体讨论决定继续延期（{term.reference}）"]
        else:
            clock = _running(matter, "extend_term")
            if clock is None or (clock.result.due and data["term_continued_on"] > clock.result.due):
                due = f"已于 {clock.result.due:%Y-%m-%d} 届满" if clock is not None and clock.result.due else "已不在计算"
                errors["term_continued_on"] = [f"延长后的办案期限{due}，继续延期应在期限届满前决定"]
        if not data.get("term_continued_days"):
            errors.setdefault("term_continued_days", []).append("决定继续延期的，应当同时确定延长的合理期限")
    return errors
