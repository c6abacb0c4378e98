"""The 学法 and 述法 staff page (``/xuefa/``): the year's sessions, exams and 述法 of the units the
user reaches, the units below the region's minimum of sessions, a form per kind of record for the
units the user may record for, import and export in the same layout. Staff only: the names of
leaders and officials are never on the public portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core.errors import FazhiError, ImportFailed
from fazhi.core.http import failure_message, form_errors_message, upload_bytes, xlsx_response
from fazhi.core.models import Kind, Unit
from fazhi.core.selectors import user_units_with_role
from fazhi.registers.framework.ledger import xlsx_bytes
from fazhi.registers.law_study import rules, selectors, services
from fazhi.registers.law_study.importers import IMPORTS, export_rows, template_rows
from fazhi.registers.law_study.models import Body, ExamGroup, Principal, Rating, ReportForm

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
TABS = {"law_study_sessions": "学法活动", "law_exams": "学法考试", "law_reports": "述法"}


def _unit_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))


class SessionForm(forms.Form):
    unit = _unit_field()
    held_on = forms.DateField(label="学法日期", widget=DATE)
    body = forms.ChoiceField(label="学法形式", choices=Body.choices, widget=forms.Select(attrs=SELECT))
    topic = forms.CharField(label="学法主题", max_length=200, widget=forms.TextInput(attrs=TEXT))
    laws = forms.CharField(label="学习的法律法规", max_length=500, widget=forms.TextInput(attrs=TEXT))
    speaker = forms.CharField(label="主讲人", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    attendees = forms.IntegerField(label="参加人数", widget=forms.NumberInput(attrs=TEXT))
    hours = forms.DecimalField(label="学时", required=False, max_digits=5, decimal_places=1, widget=forms.NumberInput(attrs=TEXT | {"step": "0.5"}))


class ExamForm(forms.Form):
    unit = _unit_field()
    year = forms.IntegerField(label="考试年度", widget=forms.NumberInput(attrs=TEXT))
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs=TEXT))
    post = forms.CharField(label="职务", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    group = forms.ChoiceField(label="人员类别", choices=ExamGroup.choices, widget=forms.Select(attrs=SELECT))
    taken = forms.TypedChoiceField(label="参加考试", choices=[("1", "是"), ("0", "否")], coerce=lambda v: v == "1", widget=forms.Select(attrs=SELECT))
    score = forms.DecimalField(label="成绩", required=False, max_digits=5, decimal_places=1, widget=forms.NumberInput(attrs=TEXT))
    held_on = forms.DateField(label="考试日期", required=False, widget=DATE)


class LawReportForm(forms.Form):
    unit = _unit_field()
    year = forms.IntegerField(label="述法年度", widget=forms.NumberInput(attrs=TEXT))
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs=TEXT))
    post = forms.CharField(label="职务", max_length=100, widget=forms.TextInput(attrs=TEXT))
    role = forms.ChoiceField(label="述法主体", choices=Principal.choices, widget=forms.Select(attrs=SELECT))
    reported_on = forms.DateField(label="述法日期", required=False, widget=DATE)
    audience = forms.CharField(label="述法会议或对象", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    form = forms.ChoiceField(label="述法方式", choices=[("", "—"), *ReportForm.choices], required=False, widget=forms.Select(attrs=SELECT))
    rating = forms.ChoiceField(label="评议结果", choices=Rating.choices, required=False, widget=forms.Select(attrs=SELECT))
    evaluated_on = forms.DateField(label="评议日期", required=False, widget=DATE)


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}))


FORMS: dict[str, tuple[type[forms.Form], Any]] = {
    "law_study_sessions": (SessionForm, services.session_record),
    "law_exams": (ExamForm, services.exam_record),
    "law_reports": (LawReportForm, services.report_record),
}


def _editable_units(user: Any) -> Any:
    return user_units_with_role(user, selectors.EDIT_ROLES).filter(kind__in=[Kind.GOVERNMENT, Kind.DEPARTMENT, Kind.COMMITTEE]).order_by("path")


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404("年度应为四位数字") from None
    if not services.EARLIEST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404("年度超出范围")
    return year


def _tab(name: str) -> str:
    if name not in TABS:
        raise Http404("没有这类记录")
    return name


def _records(user: Any, tab: str, year: int) -> Any:
    qs = selectors.VISIBLE_TO[tab](user)
    if tab == "law_study_sessions":
        return qs.filter(held_on__year=year).order_by("-held_on", "unit__path", "pk")
    return qs.filter(year=year).order_by("unit__path", "name")


@login_required
@require_http_methods(["GET", "POST"])
def study_page(request: HttpRequest) -> HttpResponse:
    tab = _tab(request.GET.get("tab") or "law_study_sessions")
    year = _year(request)
    editable = _editable_units(request.user)
    today = timezone.localdate()
    form_class, service = FORMS[tab]
    initial = {"held_on": today, "year": year, "group": ExamGroup.LEADER}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["unit"].queryset = editable  # type: ignore[attr-defined]
    if request.method == "POST":
        if not editable.exists():
            raise Http404("您没有登记学法和述法记录的权限")
        if form.is_valid():
            data = dict(form.cleaned_data)
            unit = data.pop("unit")
            try:
                _record, outcome = service(unit=unit, actor=request.user, data=data)
            except FazhiError as exc:
                form.add_error(None, failure_message(exc))
            else:
                messages.success(request, {"created": "已登记", "changed": "已更新", "unchanged": "记录未变"}[outcome])
                return redirect(f"{reverse('law_study')}?tab={tab}&year={year}")
        else:
            form.add_error(None, form_errors_message(form))
    records = _records(request.user, tab, year)
    context: dict[str, Any] = {
        "tab": tab,
        "tabs": TABS,
        "tab_label": TABS[tab],
        "year": year,
        "years": list(range(today.year, services.EARLIEST_YEAR - 1, -1)),
        "records": records[:500],
        "count": records.count(),
        "form": form if editable.exists() else None,
        "import_form": ImportForm() if editable.exists() else None,
    }
    if tab == "law_study_sessions":
        minimum, reference = rules.study_minimum(year)
        units = selectors.sessions_visible_to(request.user).values_list("unit", flat=True)
        scope = Unit.objects.filter(pk__in=set(units) | set(editable.values_list("pk", flat=True)), kind__in=[Kind.GOVERNMENT, Kind.DEPARTMENT])
        context["below"] = services.below_minimum(selectors.sessions_visible_to(request.user), scope.order_by("path"), year)
        context["minimum"] = [(Body(b).label, n) for b, n in minimum.items()]
        context["minimum_reference"] = reference
        context["totals"] = records.aggregate(n=Count("pk"), people=Sum("attendees"), hours=Sum("hours"))
    elif tab == "law_exams":
        mark, reference = rules.pass_score(year)
        context["pass_score"], context["pass_reference"] = mark, reference
        context["totals"] = records.aggregate(n=Count("pk"), taken=Count("pk", filter=Q(taken=True)), passed=Count("pk", filter=Q(passed=True)))
    else:
        context["totals"] = records.aggregate(
            n=Count("pk"), reported=Count("pk", filter=Q(reported_on__isnull=False)), evaluated=Count("pk", filter=~Q(rating=""))
        )
    return render(request, "law_study/page.html", context)


@login_required
@require_POST
def study_import(request: HttpRequest, kind: str) -> HttpResponse:
    tab = _tab(kind)
    year = _year(request)
    if not _editable_units(request.user).exists():
        raise Http404("您没有导入学法和述法记录的权限")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
    else:
        upload = form.cleaned_data["file"]
        try:
            result = IMPORTS[tab].run(data=upload_bytes(upload), filename=upload.name, actor=request.user)
        except ImportFailed as exc:
            messages.error(request, exc.message)
        except FazhiError as exc:
            messages.error(request, failure_message(exc))
        else:
            messages.success(request, f"导入完成：{result.summary()}")
    return redirect(f"{reverse('law_study')}?tab={tab}&year={year}")


@login_required
def study_export(request: HttpRequest, kind: str) -> HttpResponse:
    tab = _tab(kind)
    year = _year(request)
    spec = IMPORTS[tab]
    rows = export_rows(spec, _records(request.user, tab, year))
    return xlsx_response(xlsx_bytes([(spec.label, rows)]), f"{spec.label}{year}.xlsx")


@login_required
def study_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = IMPORTS[_tab(kind)]
    return xlsx_response(xlsx_bytes([(spec.label, [spec.header()]), ("填写说明", template_rows(spec))]), f"{spec.label}导入模板.xlsx")
