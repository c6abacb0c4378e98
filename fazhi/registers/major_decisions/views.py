"""The 决策事项目录's staff pages and the public pages of 重大行政决策 (``/gongkai/juece/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.core.errors import FazhiError, ValidationFailed
from fazhi.core.models import Kind, Unit
from fazhi.core.selectors import units_visible_to, user_units_with_role
from fazhi.registers.major_decisions import selectors, services
from fazhi.registers.major_decisions.models import CatalogueItem, CatalogueState, Category, DecisionCatalogue, MajorDecision

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
EVENT_LABELS = {
    "created": "编制目录",
    "item_added": "列入事项",
    "item_changed": "调整事项",
    "item_removed": "调出目录",
    "agreed": "同级党委同意",
    "published": "向社会公布",
}


def _message(exc: FazhiError) -> str:
    if isinstance(exc, ValidationFailed):
        return "；".join(m for ms in exc.errors.values() for m in ms)
    return exc.message


class CatalogueForm(forms.Form):
    unit = forms.ModelChoiceField(label="决策机关", queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(label="年度", widget=forms.NumberInput(attrs=TEXT))
    on = forms.DateField(label="编制日期", widget=DATE)


class ItemForm(forms.Form):
    name = forms.CharField(label="决策事项", max_length=200, widget=forms.TextInput(attrs=TEXT))
    lead_unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
    category = forms.ChoiceField(label="事项类别", choices=Category.choices, widget=forms.Select(attrs=SELECT))
    planned = forms.CharField(label="计划完成时间", max_length=40, required=False, widget=forms.TextInput(attrs=TEXT))
    on = forms.DateField(label="列入目录日期", widget=DATE)
    reason = forms.CharField(label="调整理由（目录经党委同意后必填）", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))


class ChangeForm(forms.Form):
    item = forms.ModelChoiceField(label="事项", queryset=CatalogueItem.objects.none(), widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label="调整后的名称（不改可留空）", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    lead_unit = forms.ModelChoiceField(label="调整后的承办单位（不改可留空）", queryset=Unit.objects.none(), required=False, widget=forms.Select(attrs=SELECT))
    on = forms.DateField(label="调整日期", widget=DATE)
    reason = forms.CharField(label="调整理由", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
    remove = forms.BooleanField(label="调出目录", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class AgreeForm(forms.Form):
    on = forms.DateField(label="党委同意日期", widget=DATE)
    agreement = forms.CharField(label="党委同意的会议或文件", max_length=200, widget=forms.TextInput(attrs=TEXT))


class PublishForm(forms.Form):
    on = forms.DateField(label="公布日期", widget=DATE)
    channel = forms.CharField(label="公布途径", max_length=200, widget=forms.TextInput(attrs=TEXT))


def _editable_bodies(user: Any) -> QuerySet[Unit]:
    return user_units_with_role(user, selectors.EDIT_ROLES).filter(kind__in=[Kind.GOVERNMENT, Kind.DEPARTMENT])


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_list(request: HttpRequest) -> HttpResponse:
    bodies = _editable_bodies(request.user)
    today = timezone.localdate()
    form = CatalogueForm(request.POST or None, initial={"year": today.year, "on": today})
    form.fields["unit"].queryset = bodies  # type: ignore[attr-defined]
    if request.method == "POST":
        if not bodies.exists():
            raise Http404("您没有编制决策事项目录的权限")
        if form.is_valid():
            d = form.cleaned_data
            try:
                catalogue = services.catalogue_create(unit=d["unit"], actor=request.user, year=d["year"], on=d["on"])
            except FazhiError as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, f"已建立{catalogue.title}")
                return redirect("decision_catalogue", pk=catalogue.pk)
    catalogues = selectors.catalogues_visible_to(request.user).order_by("-year", "unit__path")
    return render(request, "major_decisions/catalogue_list.html", {"catalogues": catalogues, "form": form if bodies.exists() else None})


def _catalogue(request: HttpRequest, pk: int) -> DecisionCatalogue:
    catalogue = selectors.catalogues_visible_to(request.user).filter(pk=pk).first()
    if catalogue is None:
        raise Http404("目录不存在或您无权查看")
    return catalogue


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    catalogue = _catalogue(request, pk)
    can_edit, can_approve = selectors.can_edit(request.user, catalogue), selectors.can_approve(request.user, catalogue)
    today = timezone.localdate()
    lead_units = Unit.objects.filter(path__startswith=catalogue.unit.path).order_by("path")
    forms_: dict[str, forms.Form] = {
        "add": ItemForm(request.POST if request.POST.get("action") == "add" else None, initial={"on": today}, prefix="add"),
        "change": ChangeForm(request.POST if request.POST.get("action") == "change" else None, initial={"on": today}, prefix="change"),
        "agree": AgreeForm(request.POST if request.POST.get("action") == "agree" else None, initial={"on": today}, prefix="agree"),
        "publish": PublishForm(request.POST if request.POST.get("action") == "publish" else None, initial={"on": today}, prefix="publish"),
    }
    forms_["add"].fields["lead_unit"].queryset = lead_units  # type: ignore[attr-defined]
    forms_["change"].fields["lead_unit"].queryset = lead_units  # type: ignore[attr-defined]
    forms_["change"].fields["item"].queryset = catalogue.items.filter(removed_on__isnull=True)  # type: ignore[attr-defined]
    if request.method == "POST":
        action = request.POST.get("action", "")
        allowed = can_approve if action in ("agree", "publish") else can_edit
        if action not in forms_ or not allowed:
            raise Http404("您没有调整该目录的权限")
        form = forms_[action]
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "add":
                    services.item_add(
                        catalogue=catalogue,
                        actor=request.user,
                        name=d["name"],
                        lead_unit=d["lead_unit"],
                        category=d["category"],
                        on=d["on"],
                        planned=d["planned"],
                        reason=d["reason"],
                    )
                elif action == "change" and d["remove"]:
                    services.item_remove(item=d["item"], actor=request.user, on=d["on"], reason=d["reason"])
                elif action == "change":
                    services.item_change(item=d["item"], actor=request.user, on=d["on"], reason=d["reason"], name=d["name"] or None, lead_unit=d["lead_unit"])
                elif action == "agree":
                    services.catalogue_agree(catalogue=catalogue, actor=request.user, on=d["on"], agreement=d["agreement"])
                else:
                    services.catalogue_publish(catalogue=catalogue, actor=request.user, on=d["on"], channel=d["channel"])
            except FazhiError as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, "已记录")
                return redirect("decision_catalogue", pk=catalogue.pk)
    visible_units = set(units_visible_to(request.user).values_list("pk", flat=True))
    items = catalogue.items.select_related("lead_unit").prefetch_related(Prefetch("decisions", queryset=MajorDecision.objects.order_by("pk")))
    rows = [(item, [d for d in item.decisions.all() if d.unit_id in visible_units]) for item in items]
    events = [(e, EVENT_LABELS.get(e.kind, e.kind)) for e in catalogue.events.select_related("actor")]
    return render(
        request,
        "major_decisions/catalogue_detail.html",
        {
            "catalogue": catalogue,
            "rows": rows,
            "events": events,
            "forms": forms_,
            "can_edit": can_edit,
            "can_approve": can_approve,
            "draft": catalogue.state == CatalogueState.DRAFT,
        },
    )


# ---------------------------------------------------------------- the public pages


def _public_decisions() -> QuerySet[MajorDecision]:
    """Decisions whose steps the public may see: a comment call made, or the decision published."""
    return MajorDecision.objects.exclude(comment_from__isnull=True, published_on__isnull=True).select_related("unit")


def portal_list(request: HttpRequest) -> HttpResponse:
    """The published 决策事项目录 (art.3 para.3) and each decision's public steps."""
    catalogues = DecisionCatalogue.objects.filter(state=CatalogueState.PUBLISHED).select_related("unit").order_by("-year", "unit__path")
    public = {d.catalogue_item_id: d for d in _public_decisions().filter(catalogue_item__isnull=False)}
    today = timezone.localdate()
    blocks = []
    for catalogue in catalogues:
        items = catalogue.items.select_related("lead_unit").order_by("number")
        adjustments = catalogue.events.filter(
            kind__in=["item_added", "item_changed", "item_removed"], event_date__gt=catalogue.party_agreed_on or catalogue.published_on
        )
        blocks.append((catalogue, [(i, public.get(i.pk)) for i in items], adjustments))
    open_calls = _public_decisions().filter(comment_from__lte=today, comment_to__gte=today).order_by("comment_to")
    return render(request, "major_decisions/portal_list.html", {"blocks": blocks, "open_calls": open_calls, "today": today})


def portal_decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _public_decisions().select_related("catalogue_item__catalogue").filter(pk=pk).first()
    if decision is None:
        raise Http404("该决策尚未公开")
    return render(request, "major_decisions/portal_decision.html", {"d": decision, "today": timezone.localdate()})
