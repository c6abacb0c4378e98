"""督察: raising leads by rule (idempotently) and by hand, and taking a lead through its steps.

Rules, over the organiser's subtree:
- a 行政复议 decision that corrects an act (变更, 撤销, 确认违法, 责令履行, ...) opens a lead on
  the respondent unit's original act;
- a 以罚代刑 flag not cleared opens a lead on the case's unit;
- a matter still open more than ``FAZHI_SUPERVISION_OVERDUE_DAYS`` days past its due date;
- a 案卷评查 file scored below the sheet's pass line;
- a 重大行政决策 taken without a mandatory procedure in its record (《重大行政决策程序暂行条例》
  arts.12–25, 31), e.g. one loaded in bulk or corrected after the meeting.
- a 规范性文件 not filed within the period, or past its validity still marked in force.
Each rule keys its lead by the record, so scanning again never raises a lead twice.

A lead's steps (核查, 发函, 报送整改情况, 销号, 回头看) are declared in
``definitions/workflows/lead.yaml``; every step, the raising included, is recorded with its
audit leaf (``fazhi.registers.framework.workflow``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role, user_has_role
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_check, workflow_get, workflow_record, workflow_require
from fazhi.supervision import selectors
from fazhi.supervision.models import Lead, NoticeKind, Source

WORKFLOW = "lead"  # definitions/workflows/lead.yaml: states, steps, roles, what each step records

SUPERVISORS = selectors.SUPERVISORS  # roles over the organising unit
SUPERVISED = selectors.SUPERVISED  # roles over the supervised unit


def _impunity_summary(flag: Any) -> str:
    """Over the threshold: 达到立案追诉标准; under it, an IP case flagged on reasonable suspicion
    (国务院令第310号 第三条第二款): the citation then says so and names the full threshold."""
    if "合理嫌疑" in flag.citation:
        return (
            f"案件 {flag.case.case_number} 涉案金额 {flag.amount} 元，“{flag.offence_label}”存在犯罪合理嫌疑（{flag.citation}），未见移送记录，涉嫌以罚代刑。"
        )
    return (
        f"案件 {flag.case.case_number} 涉案金额 {flag.amount} 元，达到“{flag.offence_label}”立案追诉标准"
        f"（{flag.threshold} 元，{flag.citation}），未见移送记录，涉嫌以罚代刑。"
    )


def overdue_days() -> int:
    return int(getattr(settings, "FAZHI_SUPERVISION_OVERDUE_DAYS", 30))


def _candidates(organiser: Unit, today: dt.date) -> list[dict[str, Any]]:
    from fazhi.casefile_review.models import SampledFile
    from fazhi.casefile_review.sheets import sheets
    from fazhi.registers.enforcement.models import ImpunityFlag
    from fazhi.registers.framework.registry import REGISTRY
    from fazhi.registers.reconsideration.models import ReconsiderationCase

    prefix = organiser.path
    out: list[dict[str, Any]] = []
    reg = REGISTRY["reconsideration"]
    correcting = [k for k, o in reg.definition.outcomes.items() if o.group == "corrected"]
    model: Any = ReconsiderationCase
    cases = model.objects.filter(outcome__in=correcting, unit__path__startswith=prefix)
    for case in cases.select_related("respondent_unit", "unit"):
        target = case.respondent_unit if case.respondent_unit and case.respondent_unit.path.startswith(prefix) else case.unit
        outcome = reg.definition.outcomes[case.outcome].label
        out.append(
            {
                "source": Source.RECONSIDERATION,
                "key": f"reconsideration:{case.pk}",
                "unit": target,
                "register": "reconsideration",
                "matter_id": case.pk,
                "reference": case.case_number,
                "summary": (
                    f"行政复议决定（{case.case_number}，{case.decided_on:%Y-%m-%d}）对{case.respondent_name}的行政行为"
                    f"作出“{outcome}”决定，需核查原行政行为的问题并督促整改。"
                ),
            }
        )
    flags = ImpunityFlag.objects.filter(cleared_on__isnull=True, case__unit__path__startswith=prefix).select_related("case", "case__unit")
    for flag in flags:
        out.append(
            {
                "source": Source.IMPUNITY,
                "key": f"impunity:{flag.pk}",
                "unit": flag.case.unit,
                "register": "enforcement",
                "matter_id": flag.case_id,
                "reference": flag.case.case_number,
                "summary": _impunity_summary(flag),
            }
        )
    limit = today - dt.timedelta(days=overdue_days())
    from fazhi.supervision.normative import candidates as normative_candidates

    out += normative_candidates(prefix, today)  # 规范性文件: their own filing rule, not the general overdue one
    for name, r in REGISTRY.items():
        if name == "normative_docs":
            continue
        qs = r.model.objects.filter(unit__path__startswith=prefix, state__in=r.definition.open_states(), due_on__lt=limit).select_related("unit")
        for m in qs:
            assert m.due_on is not None
            out.append(
                {
                    "source": Source.OVERDUE,
                    "key": f"overdue:{name}:{m.pk}",
                    "unit": m.unit,
                    "register": name,
                    "matter_id": m.pk,
                    "reference": m.case_number,
                    "summary": (
                        f"{r.definition.label} {m.case_number} 的法定期限 {m.due_on:%Y-%m-%d} 已过 {(today - m.due_on).days} 天仍未办结"
                        f"（督察阈值 {overdue_days()} 天）。"
                    ),
                }
            )
    from fazhi.registers.major_decisions.hooks import missing_at_decision
    from fazhi.registers.major_decisions.models import MajorDecision

    for d in MajorDecision.objects.filter(decided_on__isnull=False, unit__path__startswith=prefix).select_related("unit"):
        missing = missing_at_decision(d)
        if missing:
            out.append(
                {
                    "source": Source.DECISION_STEPS,
                    "key": f"decision_steps:{d.pk}",
                    "unit": d.unit,
                    "register": "major_decisions",
                    "matter_id": d.pk,
                    "reference": d.case_number,
                    "summary": f"重大行政决策 {d.case_number}（{d.title}）于 {d.decided_on:%Y-%m-%d} 作出决定，记录中缺少法定程序：{'；'.join(missing)}。",
                }
            )
    sheet_of = sheets()
    files = SampledFile.objects.filter(total__isnull=False, unit__path__startswith=prefix).select_related("campaign", "case", "unit")
    for f in files:
        sheet = sheet_of.get(f.campaign.sheet)
        if sheet is not None and f.total is not None and f.total < sheet.pass_score:
            out.append(
                {
                    "source": Source.CASEFILE,
                    "key": f"casefile:{f.pk}",
                    "unit": f.unit,
                    "register": "enforcement",
                    "matter_id": f.case_id,
                    "reference": f.case.case_number,
                    "summary": f"{f.campaign.name}中案卷 {f.case.case_number} 得分 {f.total}，低于合格线 {sheet.pass_score} 分。{f.comment}",
                }
            )
    return out


def leads_scan(organiser: Unit, today: dt.date, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> list[Lead]:
    """Raise the leads the rules find and that were not raised before. Returns the new ones.

    Each lead is raised by rule: a system step of the workflow with no actor (whoever asked for
    the scan must supervise the organising unit)."""
    if actor is not None:
        require_role(actor, organiser, SUPERVISORS, "扫描督察线索", admin=True)
    known = set(Lead.objects.filter(organiser=organiser).values_list("source_key", flat=True))
    new = []
    with transaction.atomic():
        for c in _candidates(organiser, today):
            if c["key"] in known:
                continue
            values = workflow_require(
                WORKFLOW,
                CREATE,
                {"organiser": organiser, "unit": c["unit"], "source": c["source"], "source_key": c["key"], "summary": c["summary"], "raised_on": today},
            )
            lead = Lead(register=c["register"], matter_id=c["matter_id"], reference=c["reference"], **values)
            workflow_check(WORKFLOW, lead, CREATE, None, system=True)
            lead.save()
            workflow_record(WORKFLOW, lead, CREATE, actor=None, label="按规则生成线索", text=lead.summary, on=today)
            known.add(c["key"])
            new.append(lead)
            if progress:
                progress(1)
    return new


def summary(new: list[Lead]) -> str:
    """What a scan raised, by rule, as one line."""
    if not new:
        return "没有新的线索"
    by = {s.label: sum(1 for lead in new if lead.source == s) for s in Source}
    return f"新生成 {len(new)} 条线索：" + "，".join(f"{k} {v} 条" for k, v in by.items() if v)


def lead_create(*, organiser: Unit, unit: Unit, summary: str, actor: Actor, on: dt.date) -> Lead:
    workflow_check(WORKFLOW, Lead(organiser=organiser, unit=unit), CREATE, actor)
    if not unit.is_within(organiser):
        raise ValidationFailed({"unit": [f"{unit.name}不在{organiser.name}的督察范围内"]})
    with transaction.atomic():
        n = Lead.objects.filter(organiser=organiser, source=Source.MANUAL).count() + 1
        values = workflow_require(
            WORKFLOW,
            CREATE,
            {"organiser": organiser, "unit": unit, "source": Source.MANUAL, "source_key": f"manual:{n}", "summary": summary, "raised_on": on},
        )
        try:
            with transaction.atomic():
                lead = Lead.objects.create(raised_by=actor_row_or_none(actor), **values)
        except IntegrityError:
            raise TransitionNotAllowed("线索编号冲突，请重试") from None
        workflow_record(WORKFLOW, lead, CREATE, actor=actor, label="登记线索", text=lead.summary, on=on)
    return lead


def _step(lead: Lead, action: str, actor: Actor, on: dt.date) -> Lead:
    """The lead locked for the step, which its state and the actor's roles allow."""
    locked = Lead.objects.select_for_update().select_related("organiser", "unit").get(pk=lead.pk)
    workflow_check(WORKFLOW, locked, action, actor)
    if on < locked.raised_on:
        raise ValidationFailed({"on": [f"日期不能早于线索登记日期 {locked.raised_on:%Y-%m-%d}"]})
    return locked


def _write(lead: Lead, action: str, values: dict[str, Any]) -> Lead:
    """The step's required fields checked, then written to the lead."""
    for field, value in workflow_require(WORKFLOW, action, values).items():
        setattr(lead, field, value)
    lead.save()
    return lead


@transaction.atomic
def lead_find(*, lead: Lead, founded: bool, text: str, actor: Actor, on: dt.date) -> Lead:
    action = "find" if founded else "dismiss"
    locked = _write(_step(lead, action, actor, on), action, {"finding": text, "finding_on": on})
    workflow_record(WORKFLOW, locked, action, actor=actor, text=locked.finding, on=on)
    return locked


@transaction.atomic
def lead_notice(*, lead: Lead, kind: str, text: str, due_on: dt.date, actor: Actor, on: dt.date) -> Lead:
    locked = _step(lead, "notice", actor, on)
    if kind not in NoticeKind.values:
        raise ValidationFailed({"kind": ["请选择整改提示函或督办函"]})
    if due_on <= on:
        raise ValidationFailed({"due_on": ["整改期限应晚于发函日期"]})
    _write(locked, "notice", {"notice_kind": kind, "notice_text": text, "notice_on": on, "due_on": due_on})
    label = f"发出{NoticeKind(kind).label}（期限 {due_on:%Y-%m-%d}）"
    # the letter (definitions/documents/lead/notice_letter.yaml) is issued by the step itself
    workflow_record(WORKFLOW, locked, "notice", actor=actor, label=label, text=locked.notice_text, on=on)
    return locked


@transaction.atomic
def lead_report(*, lead: Lead, text: str, actor: Actor, on: dt.date) -> Lead:
    locked = _step(lead, "report", actor, on)
    assert locked.notice_on is not None
    if on < locked.notice_on:
        raise ValidationFailed({"on": ["报送日期不能早于发函日期"]})
    _write(locked, "report", {"report": text, "reported_on": on})
    late = f"（逾期 {(on - locked.due_on).days} 天）" if locked.due_on and on > locked.due_on else ""
    workflow_record(WORKFLOW, locked, "report", actor=actor, label=f"报送整改情况{late}", text=locked.report, on=on)
    return locked


@transaction.atomic
def lead_close(*, lead: Lead, actor: Actor, on: dt.date, text: str = "") -> Lead:
    locked = _write(_step(lead, "close", actor, on), "close", {"closed_on": on})
    workflow_record(WORKFLOW, locked, "close", actor=actor, text=text.strip(), on=on)
    return locked


@transaction.atomic
def lead_recheck(*, lead: Lead, passed: bool, text: str, actor: Actor, on: dt.date) -> Lead:
    """回头看: passed ends the lead; a relapse sends it back to rectification under a new letter."""
    action = "recheck" if passed else "reopen"
    locked = _step(lead, action, actor, on)
    if not passed:
        locked.closed_on = locked.reported_on = None
    _write(locked, action, {"recheck_note": text, "recheck_on": on})
    workflow_record(WORKFLOW, locked, action, actor=actor, text=locked.recheck_note, on=on)
    return locked


# The lead page's forms, in order: each takes the steps of the definition it names (a finding
# either way, a re-check either way); a form is offered when the user may take one of them now.
FORMS: dict[str, tuple[str, ...]] = {
    "find": ("find", "dismiss"),
    "notice": ("notice",),
    "report": ("report",),
    "close": ("close",),
    "recheck": ("recheck", "reopen"),
}
FORM_LABELS = {"find": "核查", "recheck": "回头看"}  # the others bear their step's label


def form_label(form: str) -> str:
    return FORM_LABELS.get(form) or workflow_get(WORKFLOW).definition.transitions[FORMS[form][0]].label


def may(user: Any, lead: Lead, action: str) -> bool:
    """Whether the user holds a role the step names over the unit it names (or is an
    administrator, where the step allows one)."""
    d = workflow_get(WORKFLOW).definition
    t = d.transitions[action]
    unit = getattr(lead, t.unit_field or d.unit_field)
    return user_has_role(user, unit, t.roles, admin=t.admin)


def lead_actions(user: Any, lead: Lead) -> list[tuple[str, str]]:
    """The forms this user may use on the lead now: (form, label), from the definition."""
    d = workflow_get(WORKFLOW).definition
    return [(form, form_label(form)) for form, actions in FORMS.items() if any(lead.state in d.transitions[a].sources and may(user, lead, a) for a in actions)]
