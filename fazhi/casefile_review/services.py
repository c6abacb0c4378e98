"""Campaigns: stratified, reproducible sampling; online scoring; results per unit; notices.

The steps, their roles and the states are declared in ``definitions/workflows/casefile_campaign.yaml``;
every step (setting up, sampling, each score, closing with the notices, each unit's report) is a
workflow event with its audit leaf, recording the campaign and the child rows it wrote.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from fazhi.casefile_review.models import RectificationNotice, ReviewCampaign, SampledFile
from fazhi.casefile_review.selectors import WORKFLOW
from fazhi.casefile_review.sheets import sheets
from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.pagecache import RECORDS, bump
from fazhi.core.selectors import require_role, user_has_role
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.inspections.draw import shuffled
from fazhi.registers.enforcement.models import EnforcementCase
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_check, workflow_get, workflow_record, workflow_require, workflow_state


def campaign_create(*, organiser: Unit, actor: Actor, **fields: Any) -> ReviewCampaign:
    workflow_check(WORKFLOW, ReviewCampaign(organiser=organiser), CREATE, actor)
    fields = workflow_require(WORKFLOW, CREATE, fields)
    if fields.get("sheet") not in sheets():
        raise ValidationFailed({"sheet": [f"未知的评查标准，可选：{'、'.join(sheets())}"]})
    scope: Unit = fields["scope"]
    if not scope.path.startswith(organiser.path) and not organiser.path.startswith(scope.path):
        raise ValidationFailed({"scope": ["评查范围应为组织单位所在的区域"]})
    campaign = ReviewCampaign(organiser=organiser, **fields)
    campaign.full_clean()
    with transaction.atomic():
        campaign.save()
        workflow_record(WORKFLOW, campaign, CREATE, actor=actor, label=f"设立评查活动：{campaign.name}")
    return campaign


def campaign_sample_pick(campaign: ReviewCampaign) -> list[EnforcementCase]:
    """Stratified by unit and kind: in each stratum, the closed files of the year sorted by id and
    shuffled by a stream seeded with SHA-256(seed, unit code, kind); the first k are taken. The
    same seed and the same closed files always give the same sample."""
    cases = (
        EnforcementCase.objects.filter(unit__path__startswith=campaign.scope.path, state="closed", closed_on__year=campaign.year)
        .select_related("unit")
        .order_by("id")
    )
    strata: dict[tuple[str, str], list[EnforcementCase]] = defaultdict(list)
    for c in cases:
        assert isinstance(c, EnforcementCase)
        strata[(c.unit.code, c.kind)].append(c)
    picked: list[EnforcementCase] = []
    for (code, kind), members in sorted(strata.items()):
        seed = hashlib.sha256(f"{campaign.seed}|{code}|{kind}".encode()).digest()
        picked += shuffled(members, seed, "casefile")[: campaign.files_per_stratum]
    return picked


@transaction.atomic
def campaign_sample(*, campaign: ReviewCampaign, actor: Actor) -> int:
    locked = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
    workflow_check(WORKFLOW, locked, "sample", actor)
    files = campaign_sample_pick(locked)
    if not files:
        raise ValidationFailed({"__all__": [f"评查范围内没有 {locked.year} 年结案的执法案卷"]})
    SampledFile.objects.bulk_create([SampledFile(campaign=locked, case=c, unit_id=c.unit_id, position=i) for i, c in enumerate(files, start=1)])
    bump(RECORDS)  # bulk_create sends no post_save: the cached figures count these files
    rows = list(locked.files.order_by("position"))
    workflow_record(WORKFLOW, locked, "sample", actor=actor, label=f"按种子分层抽取案卷 {len(rows)} 卷", rows=rows)
    campaign.state = locked.state
    return len(rows)


@transaction.atomic
def sampled_file_score(*, file: SampledFile, actor: Actor, points: dict[str, Any], vetoes: list[str], comment: str) -> SampledFile:
    campaign = ReviewCampaign.objects.select_for_update().get(pk=file.campaign_id)
    workflow_check(WORKFLOW, campaign, "score", actor)
    total, errors = sheets()[campaign.sheet].score(points, vetoes)
    if errors:
        raise ValidationFailed(errors)
    file.points = {k: str(v) for k, v in points.items()}
    file.vetoes, file.total, file.comment = list(vetoes), total, comment
    file.scored_by, file.scored_at = actor_row_or_none(actor), timezone.now()
    file.save()
    case_number = EnforcementCase.objects.filter(pk=file.case_id).values_list("case_number", flat=True).first() or ""
    workflow_record(WORKFLOW, campaign, "score", actor=actor, label=f"评查打分：{case_number} {total} 分", text=comment, rows=[file])
    return file


@dataclass
class UnitResult:
    unit: Unit
    files: int = 0
    scored: int = 0
    failed: int = 0
    vetoed: int = 0
    totals: list[decimal.Decimal] = field(default_factory=list)

    @property
    def average(self) -> decimal.Decimal | None:
        return (sum(self.totals, decimal.Decimal(0)) / len(self.totals)).quantize(decimal.Decimal("0.1")) if self.totals else None


def campaign_results(campaign: ReviewCampaign) -> list[UnitResult]:
    sheet = sheets()[campaign.sheet]
    out: dict[int, UnitResult] = {}
    for f in campaign.files.select_related("unit"):
        r = out.setdefault(f.unit_id, UnitResult(f.unit))
        r.files += 1
        if f.total is not None:
            r.scored += 1
            r.totals.append(f.total)
            r.failed += f.total < sheet.pass_score
            r.vetoed += bool(f.vetoes)
    return sorted(out.values(), key=lambda r: (r.average is None, -(r.average or 0), r.unit.path))


@transaction.atomic
def campaign_close(*, campaign: ReviewCampaign, actor: Actor, on: dt.date, rectify_days: int = 30) -> list[RectificationNotice]:
    """Close the campaign and send a 整改通知 to every unit with a failed file."""
    locked = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
    workflow_check(WORKFLOW, locked, "close", actor)
    workflow_require(WORKFLOW, "close", {"closed_on": on})
    unscored = locked.files.filter(total__isnull=True).count()
    if unscored:
        raise ValidationFailed({"__all__": [f"还有 {unscored} 卷未评分"]})
    sheet = sheets()[locked.sheet]
    notices = []
    failed: dict[int, list[SampledFile]] = defaultdict(list)
    for f in locked.files.select_related("unit", "case"):
        if f.total is not None and f.total < sheet.pass_score:
            failed[f.unit_id].append(f)
    for unit_id, files in failed.items():
        lines = [
            f"{f.case.case_number}：{f.total} 分"
            + (f"（否决项：{'、'.join(sheet.veto[v] for v in f.vetoes)}）" if f.vetoes else "")
            + (f"；{f.comment}" if f.comment else "")
            for f in files
        ]
        text = f"经{locked.name}评查，你单位以下案卷不合格（合格线 {sheet.pass_score} 分），请于期限内整改并报送整改情况：\n" + "\n".join(lines)
        notices.append(
            RectificationNotice.objects.create(campaign=locked, unit_id=unit_id, issued_on=on, due_on=on + dt.timedelta(days=rectify_days), text=text)
        )
    locked.closed_on = on
    locked.save(update_fields=["closed_on"])
    workflow_record(WORKFLOW, locked, "close", actor=actor, on=on, label=f"结束评查并通报，向 {len(notices)} 个单位发出整改通知", rows=notices)
    campaign.state, campaign.closed_on = locked.state, locked.closed_on
    return notices


@transaction.atomic
def notice_report(*, notice: RectificationNotice, actor: Actor, reported_on: dt.date, report: str) -> RectificationNotice:
    """The unit's rectification report. Its role is checked over the notice's unit (the roles the
    definition gives the step), not over the organiser; the event is the campaign's."""
    campaign = ReviewCampaign.objects.select_for_update().get(pk=notice.campaign_id)
    locked = RectificationNotice.objects.select_related("unit").get(pk=notice.pk)
    t = workflow_get(WORKFLOW).definition.step("report")
    require_role(actor, locked.unit, t.roles, t.label, admin=t.admin)
    state = workflow_state(WORKFLOW, campaign)
    if state not in t.sources:
        raise TransitionNotAllowed(f"评查活动当前状态为“{campaign.get_state_display()}”，不能{t.label}")
    if not report.strip():
        raise ValidationFailed({"report": ["请填写整改情况"]})
    if reported_on is None:
        raise ValidationFailed({"reported_on": ["请填写整改报告日期"]})
    locked.reported_on, locked.report = reported_on, report.strip()
    locked.save(update_fields=["reported_on", "report"])
    workflow_record(WORKFLOW, campaign, "report", actor=actor, on=reported_on, label=f"{locked.unit.name}{t.label}", text=locked.report, rows=[locked])
    notice.reported_on, notice.report = locked.reported_on, locked.report
    return notice


def campaign_actions(user: Any, campaign: ReviewCampaign) -> list[tuple[str, str]]:
    """The campaign's button steps (sample, close) this user may take now: (action, label)."""
    d = workflow_get(WORKFLOW).definition
    out = []
    for action in ("sample", "close"):
        t = d.transitions[action]
        if campaign.state in t.sources and user_has_role(user, campaign.organiser, t.roles, admin=t.admin):
            out.append((action, t.label))
    return out


def may_score(user: Any, campaign: ReviewCampaign) -> bool:
    t = workflow_get(WORKFLOW).definition.transitions["score"]
    return campaign.state in t.sources and user_has_role(user, campaign.organiser, t.roles, admin=t.admin)


def may_report(user: Any, notice: RectificationNotice) -> bool:
    t = workflow_get(WORKFLOW).definition.transitions["report"]
    return notice.campaign.state in t.sources and user_has_role(user, notice.unit, t.roles, admin=t.admin)
