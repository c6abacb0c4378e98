"""双随机 pages: plans and draws for staff, the published draws for the public."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.core.errors import FazhiError, ValidationFailed
from fazhi.core.masking import mask_name
from fazhi.core.selectors import user_units_with_role
from fazhi.inspections.models import Assignment, Finding, InspectionPlan, InspectionSubject, PlanState
from fazhi.inspections.selectors import plans_public, plans_visible_to
from fazhi.inspections.services import WORKFLOW, draw_execute, may, plan_create, publication_due, result_record, results_publish, step_roles
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_events, workflow_get

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(label="实施单位", queryset=InspectionPlan.objects.none(), widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(label="计划名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    year = forms.IntegerField(label="年度", widget=forms.NumberInput(attrs={"class": "form-control"}))
    category = forms.CharField(label="抽查的行业类别", max_length=60, widget=forms.TextInput(attrs={"class": "form-control"}))
    ratio = forms.DecimalField(label="抽查比例（%）", min_value=0.01, max_value=100, widget=forms.NumberInput(attrs={"class": "form-control"}))
    cap_per_subject_per_year = forms.IntegerField(
        label="每个对象每年最多被抽查次数", min_value=1, initial=1, widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    inspectors_per_subject = forms.IntegerField(label="每个对象的检查人员数", min_value=2, initial=2, widget=forms.NumberInput(attrs={"class": "form-control"}))
    starts_on = forms.DateField(label="检查开始日期", widget=DATE)
    ends_on = forms.DateField(label="检查结束日期", widget=DATE)
    seed_source = forms.CharField(label="随机种子来源（事先公布）", max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}))
    items = forms.CharField(
        label="抽查事项及依据（每行一项：事项｜依据）",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text="例如：食品经营许可情况检查｜《食品安全法》第一百一十条",
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    units = user_units_with_role(request.user, step_roles(CREATE))
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    form.fields["unit"].queryset = units  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        items = []
        for line in data.pop("items").splitlines():
            if line.strip():
                name, _, basis = line.replace("|", "｜").partition("｜")
                items.append((name, basis))
        data["ratio"] = data["ratio"] / 100
        try:
            plan = plan_create(unit=data.pop("unit"), actor=request.user, items=items, **data)
        except ValidationFailed as exc:
            for field, msgs in exc.errors.items():
                form.add_error(field if field in form.fields else None, msgs)
        except FazhiError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "抽查计划已公布；请在种子值公布后进行抽取")
            return redirect("inspection_plan", pk=plan.pk)
    return render(request, "inspections/plans.html", {"plans": plans_visible_to(request.user)[:200], "form": form if units.exists() else None})


class ResultForm(forms.Form):
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    finding = forms.ChoiceField(label="检查结果", choices=Finding.choices, widget=forms.Select(attrs={"class": "form-select"}))
    remarks = forms.CharField(label="说明", required=False, max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plans_visible_to(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("没有这个计划")
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "draw":
                draw_execute(plan=plan, actor=request.user, seed_value=request.POST.get("seed_value", ""))
                messages.success(request, "抽取完成，抽取文件已公布，可供任何人核验")
            elif action == "result":
                form = ResultForm(request.POST)
                a = Assignment.objects.filter(draw__plan=plan, pk=request.POST.get("assignment") or 0).first()
                if a is None or not form.is_valid():
                    raise ValidationFailed({"__all__": ["请完整填写检查日期和结果"]})
                result_record(assignment=a, actor=request.user, **form.cleaned_data)
                messages.success(request, f"已登记 {a.subject.name} 的检查结果")
            elif action == "publish":
                results_publish(plan=plan, actor=request.user, published_on=timezone.localdate())
                messages.success(request, "检查结果已公示")
        except ValidationFailed as exc:
            messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
        except FazhiError as exc:
            messages.error(request, exc.message)
        return redirect("inspection_plan", pk=plan.pk)
    draw = getattr(plan, "draw", None)
    assignments = list(Assignment.objects.filter(draw__plan=plan).select_related("subject").prefetch_related("inspectors")) if draw else []
    return render(
        request,
        "inspections/plan.html",
        {
            "plan": plan,
            "draw": draw,
            "assignments": assignments,
            "can_draw": may(request.user, plan, "draw"),
            "can_record": may(request.user, plan, "record"),
            "can_publish": may(request.user, plan, "publish"),
            "events": workflow_events(WORKFLOW, plan),
            "labels": {name: t.label for name, t in workflow_get(WORKFLOW).definition.transitions.items()},
            "result_form": ResultForm(initial={"inspected_on": timezone.localdate()}),
            "due": publication_due(plan),
            "subjects": InspectionSubject.objects.filter(unit=plan.unit, category=plan.category, active=True).count(),
        },
    )


def _public_name(subject: InspectionSubject) -> str:
    return (
        mask_name(subject.name)
        if subject.subject_type == "individual_business" and subject.operator_name and subject.operator_name in subject.name
        else subject.name
    )


def draws_portal(request: HttpRequest) -> HttpResponse:
    plans = plans_public().select_related("unit", "draw").order_by("-draw__drawn_at")[:100]
    rows = []
    for plan in plans:
        published = plan.state == PlanState.PUBLISHED
        assignments = Assignment.objects.filter(draw__plan=plan).select_related("subject").order_by("position") if published else []
        rows.append((plan, [(_public_name(a.subject), a) for a in assignments]))
    return render(request, "inspections/portal.html", {"rows": rows})


def draw_file(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plans_public().filter(pk=pk).select_related("draw").first()
    if plan is None:
        raise Http404("没有这次抽取")
    response = HttpResponse(bytes(plan.draw.document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{plan.pk}.json"'
    return response
