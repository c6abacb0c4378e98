"""Who sees which 案卷评查 campaign, and which of its sampled files and rectification notices: the
organisers and scorers see the whole campaign, a reviewed unit its own files and notices."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.casefile_review.models import RectificationNotice, ReviewCampaign, SampledFile
from fazhi.core.models import Unit
from fazhi.core.selectors import unit_scope_q, units_visible_to, user_has_role, user_scope_paths
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_get

WORKFLOW = "casefile_campaign"  # definitions/workflows/casefile_campaign.yaml: states, steps, roles


def _roles(action: str) -> frozenset[str]:
    return frozenset(workflow_get(WORKFLOW).definition.step(action).roles)


def organiser_roles() -> frozenset[str]:
    """Who organises a campaign (sets it up, samples, closes): the roles its definition names."""
    return _roles(CREATE)


def scorer_roles() -> frozenset[str]:
    return _roles("score")


def campaigns_visible_to(user: Any) -> QuerySet[ReviewCampaign]:
    """Campaigns the user organises (scope) or whose files include the user's units."""
    paths = user_scope_paths(user)
    own_units = Unit.objects.filter(unit_scope_q(paths))
    return ReviewCampaign.objects.filter(Q(unit_scope_q(paths, field="organiser__path")) | Q(files__unit__in=own_units)).distinct()


def campaign_seen_whole(user: Any, campaign: ReviewCampaign) -> bool:
    """The organisers and the scorers see every file, notice and result of a campaign."""
    return user_has_role(user, campaign.organiser, organiser_roles() | scorer_roles())


def campaign_files_visible_to(user: Any, campaign: ReviewCampaign) -> QuerySet[SampledFile]:
    """The campaign's sampled files the user sees: all of them for the organisers and scorers, the
    files of the user's own units otherwise."""
    files = campaign.files.select_related("case", "unit").order_by("position")
    return files if campaign_seen_whole(user, campaign) else files.filter(unit__in=units_visible_to(user))


def campaign_notices_visible_to(user: Any, campaign: ReviewCampaign) -> QuerySet[RectificationNotice]:
    """The campaign's rectification notices the user sees, as for the files."""
    notices = campaign.notices.select_related("unit", "campaign")
    return notices if campaign_seen_whole(user, campaign) else notices.filter(unit__in=units_visible_to(user))


def notices_visible_to(user: Any) -> QuerySet[RectificationNotice]:
    """Rectification notices addressed to the units the user reaches (the ones they report on)."""
    return RectificationNotice.objects.filter(unit__in=units_visible_to(user))


def notices_to_report(user: Any, today: Any) -> list[Any]:
    """The 整改通知 waiting for the user's unit: the campaign's ``report`` step, whose roles are
    checked over the notice's unit (which the definition's ``unit:`` cannot name)."""
    from django.urls import reverse

    from fazhi.registers.framework.waiting import WaitingRecord

    d = workflow_get(WORKFLOW).definition
    t = d.step("report")
    paths = user_scope_paths(user, t.roles)
    if not paths:
        return []
    notices = (
        RectificationNotice.objects.filter(unit_scope_q(paths, "unit__path"), reported_on__isnull=True, campaign__state__in=list(t.sources))
        .select_related("campaign", "unit")
        .order_by("due_on", "pk")[:20]
    )
    return [
        WaitingRecord(
            n,
            n.campaign.name,
            n.unit.name,
            d.state_label(n.campaign.state),
            [t.label],
            reverse("review_notice_report", args=[n.campaign_id, n.pk]),
            [(n.due_on, "整改期限")],
        )
        for n in notices
    ]
