"""Campaigns: stratified, reproducible sampling; online scoring; results per unit; notices."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from fazhi.casefile_review.models import CampaignState, RectificationNotice, ReviewCampaign, SampledFile
from fazhi.casefile_review.sheets import sheets
from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role
from fazhi.inspections.draw import shuffled
from fazhi.registers.enforcement.models import EnforcementCase

ORGANISER_ROLES = {"rule_of_law_office", "evaluator", "head", "reviewer"}
SCORER_ROLES = {"rule_of_law_office", "evaluator", "reviewer"}


@transaction.atomic
def campaign_create(*, organiser: Unit, actor: Any, **fields: Any) -> ReviewCampaign:
    require_role(actor, organiser, ORGANISER_ROLES, "组织案卷评查", admin=True)
    if fields.get("sheet") not in sheets():
        raise ValidationFailed({"sheet": [f"未知的评查标准，可选：{'、'.join(sheets())}"]})
    scope: Unit = fields["scope"]
    if not scope.path.startswith(organiser.path) and not organiser.path.startswith(scope.path):
        raise ValidationFailed({"scope": ["评查范围应为组织单位所在的区域"]})
    campaign = ReviewCampaign(organiser=organiser, **fields)
    campaign.full_clean()
    campaign.save()
    return campaign


def sample(campaign: ReviewCampaign) -> list[EnforcementCase]:
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
def campaign_sample(*, campaign: ReviewCampaign, actor: Any) -> int:
    locked = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
    require_role(actor, locked.organiser, ORGANISER_ROLES, "抽取案卷", admin=True)
    if locked.state != CampaignState.DRAFT:
        raise TransitionNotAllowed("案卷已经抽取")
    files = sample(locked)
    if not files:
        raise ValidationFailed({"__all__": [f"评查范围内没有 {locked.year} 年结案的执法案卷"]})
    SampledFile.objects.bulk_create([SampledFile(campaign=locked, case=c, unit_id=c.unit_id, position=i) for i, c in enumerate(files, start=1)])
    locked.state = CampaignState.SAMPLED
    locked.save(update_fields=["state"])
    return len(files)


@transaction.atomic
def file_score(*, file: SampledFile, actor: Any, points: dict[str, Any], vetoes: list[str], comment: str) -> SampledFile:
    campaign = ReviewCampaign.objects.get(pk=file.campaign_id)
    require_role(actor, campaign.organiser, SCORER_ROLES, "评查打分", admin=True)
    if campaign.state != CampaignState.SAMPLED:
        raise TransitionNotAllowed("评查已结束，分数不能再修改")
    total, errors = sheets()[campaign.sheet].score(points, vetoes)
    if errors:
        raise ValidationFailed(errors)
    file.points = {k: str(v) for k, v in points.items()}
    file.vetoes, file.total, file.comment = list(vetoes), total, comment
    file.scored_by, file.scored_at = actor, timezone.now()
    file.save()
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
def campaign_close(*, campaign: ReviewCampaign, actor: Any, on: dt.date, rectify_days: int = 30) -> list[RectificationNotice]:
    """Close the campaign and send a 整改通知 to every unit with a failed file."""
    locked = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
    require_role(actor, locked.organiser, ORGANISER_ROLES, "通报评查结果", admin=True)
    if locked.state != CampaignState.SAMPLED:
        raise TransitionNotAllowed("只有评查中的活动可以通报结果")
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
        notices.append(RectificationNotice(campaign=locked, unit_id=unit_id, issued_on=on, due_on=on + dt.timedelta(days=rectify_days), text=text))
    RectificationNotice.objects.bulk_create(notices)
    locked.state, locked.closed_on = CampaignState.CLOSED, on
    locked.save(update_fields=["state", "closed_on"])
    return notices


@transaction.atomic
def notice_report(*, notice: RectificationNotice, actor: Any, reported_on: dt.date, report: str) -> RectificationNotice:
    require_role(actor, notice.unit, {"head", "reviewer", "clerk"}, "报送整改情况", admin=True)
    if not report.strip():
        raise ValidationFailed({"report": ["请填写整改情况"]})
    notice.reported_on, notice.report = reported_on, report.strip()
    notice.save(update_fields=["reported_on", "report"])
    return notice
