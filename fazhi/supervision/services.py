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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role
from fazhi.supervision import selectors
from fazhi.supervision.models import Lead, LeadEvent, NoticeKind, Source, State

SUPERVISORS = selectors.SUPERVISORS  # roles over the organising unit
SUPERVISED = selectors.SUPERVISED  # roles over the supervised unit


def _impunity_summary(flag: Any) -> str:
    """Over the threshold: 达到立案追诉标准; under it, an IP case flagged on reasonable suspicion
    (国务院令第310号 第三条第二款): the citation then says so and names the full threshold."""
    if "合理嫌疑" in flag.citation:
        return (
            f"案件 {flag.case.case_number} 涉案金额 {flag.amount} 元，“{flag.offence_label}”存在犯罪合理嫌疑"
            f"（{flag.citation}），未见移送记录，涉嫌以罚代刑。"
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


def scan(organiser: Unit, today: dt.date, actor: Any = None, progress: Callable[[int], None] | None = None) -> list[Lead]:
    """Raise the leads the rules find and that were not raised before. Returns the new ones."""
    if actor is not None:
        require_role(actor, organiser, SUPERVISORS, "扫描督察线索", admin=True)
    known = set(Lead.objects.filter(organiser=organiser).values_list("source_key", flat=True))
    new = []
    with transaction.atomic():
        for c in _candidates(organiser, today):
            if c["key"] in known:
                continue
            lead = Lead.objects.create(
                organiser=organiser,
                unit=c["unit"],
                source=c["source"],
                source_key=c["key"],
                register=c["register"],
                matter_id=c["matter_id"],
                reference=c["reference"],
                summary=c["summary"],
                raised_on=today,
            )
            LeadEvent.objects.create(lead=lead, action="raise", label="按规则生成线索", on=today, text=c["summary"])
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


def lead_create(*, organiser: Unit, unit: Unit, summary: str, actor: Any, on: dt.date) -> Lead:
    require_role(actor, organiser, SUPERVISORS, "登记督察线索", admin=True)
    if not unit.is_within(organiser):
        raise ValidationFailed({"unit": [f"{unit.name}不在{organiser.name}的督察范围内"]})
    if not summary.strip():
        raise ValidationFailed({"summary": ["请填写线索内容"]})
    with transaction.atomic():
        n = Lead.objects.filter(organiser=organiser, source=Source.MANUAL).count() + 1
        try:
            lead = Lead.objects.create(
                organiser=organiser, unit=unit, source=Source.MANUAL, source_key=f"manual:{n}", summary=summary.strip(), raised_on=on, raised_by=actor
            )
        except IntegrityError:
            raise TransitionNotAllowed("线索编号冲突，请重试") from None
        LeadEvent.objects.create(lead=lead, action="raise", label="登记线索", on=on, actor=actor, text=summary.strip())
    return lead


STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # action: (states it may start from, role side, label)
    "find": ((State.OPEN,), "supervisor", "核查"),
    "notice": ((State.FOUNDED,), "supervisor", "发函"),
    "report": ((State.NOTICED,), "supervised", "报送整改情况"),
    "close": ((State.REPORTED,), "supervisor", "销号"),
    "recheck": ((State.CLOSED,), "supervisor", "回头看"),
}


def _step(lead: Lead, action: str, actor: Any, on: dt.date) -> Lead:
    states, side, label = STEPS[action]
    locked = Lead.objects.select_for_update().select_related("organiser", "unit").get(pk=lead.pk)
    if side == "supervisor":
        require_role(actor, locked.organiser, SUPERVISORS, f"对督察线索{label}", admin=True)
    else:
        require_role(actor, locked.unit, SUPERVISED, f"对督察线索{label}")
    if locked.state not in states:
        raise TransitionNotAllowed(f"线索当前状态为“{locked.get_state_display()}”，不能{label}")
    if on < locked.raised_on:
        raise ValidationFailed({"on": [f"日期不能早于线索登记日期 {locked.raised_on:%Y-%m-%d}"]})
    return locked


def _text(value: str, field: str, what: str) -> str:
    if not value.strip():
        raise ValidationFailed({field: [f"请填写{what}"]})
    return value.strip()


@transaction.atomic
def lead_find(*, lead: Lead, founded: bool, text: str, actor: Any, on: dt.date) -> Lead:
    locked = _step(lead, "find", actor, on)
    locked.finding, locked.finding_on = _text(text, "text", "核查情况"), on
    locked.state = State.FOUNDED if founded else State.UNFOUNDED
    locked.save()
    LeadEvent.objects.create(lead=locked, action="find", label="核查属实" if founded else "核查不属实", on=on, actor=actor, text=locked.finding)
    return locked


@transaction.atomic
def lead_notice(*, lead: Lead, kind: str, text: str, due_on: dt.date, actor: Any, on: dt.date) -> Lead:
    locked = _step(lead, "notice", actor, on)
    if kind not in NoticeKind.values:
        raise ValidationFailed({"kind": ["请选择整改提示函或督办函"]})
    if due_on <= on:
        raise ValidationFailed({"due_on": ["整改期限应晚于发函日期"]})
    locked.notice_kind, locked.notice_text, locked.notice_on, locked.due_on = kind, _text(text, "text", "函件内容"), on, due_on
    locked.state = State.NOTICED
    locked.save()
    LeadEvent.objects.create(
        lead=locked, action="notice", label=f"发出{NoticeKind(kind).label}（期限 {due_on:%Y-%m-%d}）", on=on, actor=actor, text=locked.notice_text
    )
    return locked


@transaction.atomic
def lead_report(*, lead: Lead, text: str, actor: Any, on: dt.date) -> Lead:
    locked = _step(lead, "report", actor, on)
    assert locked.notice_on is not None
    if on < locked.notice_on:
        raise ValidationFailed({"on": ["报送日期不能早于发函日期"]})
    locked.report, locked.reported_on, locked.state = _text(text, "text", "整改情况"), on, State.REPORTED
    locked.save()
    late = f"（逾期 {(on - locked.due_on).days} 天）" if locked.due_on and on > locked.due_on else ""
    LeadEvent.objects.create(lead=locked, action="report", label=f"报送整改情况{late}", on=on, actor=actor, text=locked.report)
    return locked


@transaction.atomic
def lead_close(*, lead: Lead, actor: Any, on: dt.date, text: str = "") -> Lead:
    locked = _step(lead, "close", actor, on)
    locked.closed_on, locked.state = on, State.CLOSED
    locked.save()
    LeadEvent.objects.create(lead=locked, action="close", label="销号", on=on, actor=actor, text=text.strip())
    return locked


@transaction.atomic
def lead_recheck(*, lead: Lead, passed: bool, text: str, actor: Any, on: dt.date) -> Lead:
    """回头看: passed ends the lead; a relapse sends it back to rectification under a new letter."""
    locked = _step(lead, "recheck", actor, on)
    locked.recheck_on, locked.recheck_note = on, _text(text, "text", "回头看情况")
    locked.state = State.RECHECKED if passed else State.FOUNDED
    if not passed:
        locked.closed_on = locked.reported_on = None
    locked.save()
    LeadEvent.objects.create(
        lead=locked, action="recheck", label="回头看通过" if passed else "回头看发现问题反弹，重新督办", on=on, actor=actor, text=locked.recheck_note
    )
    return locked
