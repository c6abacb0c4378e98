"""案卷评查 pages: campaigns, scoring a file online, results per unit, notices."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.casefile_review.models import ReviewCampaign, SampledFile
from fazhi.casefile_review.selectors import (
    campaign_files_visible_to,
    campaign_notices_visible_to,
    campaign_seen_whole,
    campaigns_visible_to,
    notices_visible_to,
    organiser_roles,
    scorer_roles,
)
from fazhi.casefile_review.services import (
    WORKFLOW,
    campaign_actions,
    campaign_close,
    campaign_create,
    campaign_results,
    campaign_sample,
    may_report,
    may_score,
    notice_report,
    sampled_file_score,
)
from fazhi.casefile_review.sheets import sheets
from fazhi.core.errors import FazhiError, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import units_visible_to, user_has_role, user_units_with_role
from fazhi.registers.framework.models import WorkflowEvent
from fazhi.registers.framework.workflow import workflow_events


class CampaignForm(forms.Form):
    organiser = forms.ModelChoiceField(label="组织单位", queryset=Unit.objects.none(), widget=forms.Select(attrs={"class": "form-select"}))
    scope = forms.ModelChoiceField(label="评查范围", queryset=Unit.objects.none(), widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(label="活动名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    year = forms.IntegerField(label="案卷年度", widget=forms.NumberInput(attrs={"class": "form-control"}))
    sheet = forms.ChoiceField(label="评查标准", choices=(), widget=forms.Select(attrs={"class": "form-select"}))
    files_per_stratum = forms.IntegerField(
        label="每个单位每类案件抽取卷数", min_value=1, max_value=50, initial=2, widget=forms.NumberInput(attrs={"class": "form-control"})
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    organisers = user_units_with_role(request.user, organiser_roles())
    form = CampaignForm(request.POST or None, initial={"year": timezone.localdate().year})
    form.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]
    form.fields["scope"].queryset = units_visible_to(request.user)  # type: ignore[attr-defined]
    form.fields["sheet"].choices = [(k, s.label) for k, s in sheets().items()]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            # the seed is drawn now and recorded: anyone can re-derive the sample from it
            campaign = campaign_create(organiser=data.pop("organiser"), actor=request.user, seed=secrets.token_hex(8), **data)
        except ValidationFailed as exc:
            for k, v in exc.errors.items():
                form.add_error(k if k in form.fields else None, v)
        except FazhiError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("review_campaign", pk=campaign.pk)
    return render(
        request, "casefile_review/campaigns.html", {"campaigns": campaigns_visible_to(request.user)[:100], "form": form if organisers.exists() else None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaigns_visible_to(request.user).filter(pk=pk).select_related("organiser", "scope").first()
    if campaign is None:
        raise Http404("没有这个评查活动")
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in dict(campaign_actions(request.user, campaign)) and not user_has_role(request.user, campaign.organiser, organiser_roles()):
            raise Http404("没有这个评查活动")
        try:
            if action == "sample":
                n = campaign_sample(campaign=campaign, actor=request.user)
                messages.success(request, f"已按种子 {campaign.seed} 分层抽取 {n} 卷")
            elif action == "close":
                notices = campaign_close(campaign=campaign, actor=request.user, on=timezone.localdate())
                messages.success(request, f"评查结果已通报，向 {len(notices)} 个单位发出整改通知")
        except ValidationFailed as exc:
            messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
        except FazhiError as exc:
            messages.error(request, exc.message)
        return redirect("review_campaign", pk=campaign.pk)
    organiser = campaign_seen_whole(request.user, campaign)
    files = campaign_files_visible_to(request.user, campaign)
    notices = list(campaign_notices_visible_to(request.user, campaign))
    return render(
        request,
        "casefile_review/campaign.html",
        {
            "campaign": campaign,
            "sheet": sheets()[campaign.sheet],
            "files": files,
            "results": campaign_results(campaign) if organiser else [],
            "notices": [(n, may_report(request.user, n)) for n in notices],
            "actions": campaign_actions(request.user, campaign),
            "scorer": may_score(request.user, campaign),
            "events": _history(campaign, organiser, {f.pk for f in files}, {n.pk for n in notices}),
        },
    )


def _history(campaign: ReviewCampaign, whole: bool, files: set[int], notices: set[int]) -> list[WorkflowEvent]:
    """The campaign's steps; a reviewed unit sees the campaign's own steps and those that wrote its
    own files and notices, not the other units' scores and reports."""
    own = {("casefile_review.sampledfile", pk) for pk in files} | {("casefile_review.rectificationnotice", pk) for pk in notices}
    out = []
    for e in workflow_events(WORKFLOW, campaign):
        rows = {(r["model"], r["id"]) for r in e.values.get("rows", [])}
        if whole or e.action not in ("score", "report") or rows & own:
            out.append(e)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def file_score_view(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    campaign = campaigns_visible_to(request.user).filter(pk=pk).first()
    file = SampledFile.objects.filter(campaign=campaign, pk=file_id).select_related("case", "unit", "campaign").first() if campaign else None
    if file is None or not user_has_role(request.user, file.campaign.organiser, scorer_roles()):
        raise Http404("没有这份案卷")
    sheet = sheets()[file.campaign.sheet]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        points = {i.key: request.POST.get(i.key, "") for i in sheet.items}
        try:
            sampled_file_score(file=file, actor=request.user, points=points, vetoes=request.POST.getlist("veto"), comment=request.POST.get("comment", ""))
        except ValidationFailed as exc:
            errors = exc.errors
        except FazhiError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, f"{file.case.case_number} 评分已保存：{file.total} 分")
            return redirect("review_campaign", pk=file.campaign.pk)
    return render(request, "casefile_review/score.html", {"file": file, "sheet": sheet, "errors": errors, "values": request.POST or file.points})


@login_required
@require_http_methods(["POST"])
def notice_report_view(request: HttpRequest, pk: int, notice_id: int) -> HttpResponse:
    notice = notices_visible_to(request.user).filter(campaign_id=pk, pk=notice_id).first()
    if notice is None:
        raise Http404("没有这份整改通知")
    try:
        notice_report(notice=notice, actor=request.user, reported_on=timezone.localdate(), report=request.POST.get("report", ""))
        messages.success(request, "整改情况已报送")
    except ValidationFailed as exc:
        messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
    except FazhiError as exc:
        messages.error(request, exc.message)
    return redirect("review_campaign", pk=pk)
