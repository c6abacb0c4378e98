"""督察 pages: the leads a user may see, scanning and raising leads, and each lead's steps."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.errors import FazhiError, ValidationFailed
from fazhi.core.http import failure_message, form_errors_message
from fazhi.core.models import Unit
from fazhi.core.selectors import unit_scope_q
from fazhi.documents.views import documents_panel
from fazhi.registers.framework.workflow import workflow_events
from fazhi.supervision import services
from fazhi.supervision.models import Lead, NoticeKind, State
from fazhi.supervision.selectors import leads_visible_to, organisers_for, user_supervises


class LeadForm(forms.Form):
    unit = forms.ModelChoiceField(label="被督察单位", queryset=Unit.objects.none(), widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    summary = forms.CharField(label="线索内容", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    organisers = organisers_for(request.user)
    qs = leads_visible_to(request.user).select_related("unit", "organiser")
    state = request.GET.get("state", "")
    if state in State.values:
        qs = qs.filter(state=state)
    form = LeadForm()
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = Unit.objects.filter(unit_scope_q([o.path for o in organisers])) if organisers else Unit.objects.none()
    today = timezone.localdate()
    return render(
        request,
        "supervision/leads.html",
        {
            "leads": qs[:500],
            "organisers": organisers,
            "form": form,
            "states": State.choices,
            "state": state,
            "today": today,
            "threshold": services.overdue_days(),
        },
    )


def _organiser(request: HttpRequest, what: str) -> Unit:
    """The organising unit posted, which the user must supervise."""
    organiser = Unit.objects.filter(pk=request.POST.get("organiser") or 0).first()
    if organiser is None or not user_supervises(request.user, organiser):
        raise Http404(f"无权{what}")
    return organiser


@login_required
@require_POST
def lead_scan(request: HttpRequest) -> HttpResponse:
    organiser = _organiser(request, "扫描")
    try:
        messages.success(request, services.summary(services.leads_scan(organiser, timezone.localdate(), request.user)))
    except FazhiError as exc:
        messages.error(request, exc.message)
    return redirect("supervision_leads")


@login_required
@require_POST
def lead_new(request: HttpRequest) -> HttpResponse:
    organiser = _organiser(request, "登记")
    form = LeadForm(request.POST)
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = Unit.objects.filter(path__startswith=organiser.path)
    if form.is_valid():
        try:
            lead = services.lead_create(
                organiser=organiser, unit=form.cleaned_data["unit"], summary=form.cleaned_data["summary"], actor=request.user, on=timezone.localdate()
            )
            return redirect("supervision_lead", pk=lead.pk)
        except FazhiError as exc:
            messages.error(request, failure_message(exc))
    else:
        messages.error(request, form_errors_message(form))
    return redirect("supervision_leads")


class StepForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    text = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}))
    founded = forms.TypedChoiceField(label="核查结论", required=False, coerce=lambda v: v == "1", choices=[("1", "属实"), ("0", "不属实")])
    kind = forms.ChoiceField(label="函件", required=False, choices=NoticeKind.choices)
    due_on = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    passed = forms.TypedChoiceField(
        label="回头看结论", required=False, coerce=lambda v: v == "1", choices=[("1", "整改到位，未反弹"), ("0", "问题反弹，重新督办")]
    )


def _lead(request: HttpRequest, pk: int) -> Lead:
    lead = leads_visible_to(request.user).select_related("unit", "organiser").filter(pk=pk).first()
    if lead is None:
        raise Http404("线索不存在或您无权查看")
    return lead


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = StepForm(initial={"on": timezone.localdate()})
    for name in ("founded", "kind", "passed"):
        form.fields[name].widget.attrs["class"] = "form-select form-select-sm"
    matter_url = None
    if lead.register and lead.matter_id:
        from django.urls import reverse

        matter_url = reverse("matter_detail", args=[lead.register, lead.matter_id])
    return render(
        request,
        "supervision/lead.html",
        {
            "lead": lead,
            "actions": services.lead_actions(request.user, lead),
            "form": form,
            "events": workflow_events(services.WORKFLOW, lead),
            "matter_url": matter_url,
            "documents_panel": documents_panel(services.WORKFLOW, lead.pk),
        },
    )


@login_required
@require_POST
def lead_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    lead = _lead(request, pk)
    if action not in services.FORMS:
        raise Http404("没有这个步骤")
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("supervision_lead", pk=lead.pk)
    d = form.cleaned_data
    try:
        if action == "find":
            services.lead_find(lead=lead, founded=bool(d["founded"]), text=d["text"], actor=request.user, on=d["on"])
        elif action == "notice":
            if d["due_on"] is None:
                raise ValidationFailed({"due_on": ["请填写整改期限"]})
            services.lead_notice(lead=lead, kind=d["kind"], text=d["text"], due_on=d["due_on"], actor=request.user, on=d["on"])
        elif action == "report":
            services.lead_report(lead=lead, text=d["text"], actor=request.user, on=d["on"])
        elif action == "close":
            services.lead_close(lead=lead, actor=request.user, on=d["on"], text=d["text"])
        else:
            services.lead_recheck(lead=lead, passed=bool(d["passed"]), text=d["text"], actor=request.user, on=d["on"])
        messages.success(request, f"已{services.form_label(action)}")
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
    return redirect("supervision_lead", pk=lead.pk)
