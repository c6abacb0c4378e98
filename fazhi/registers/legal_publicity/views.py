"""Staff pages of 普法: the 普法责任清单 (with how much of each list the activities carried out), the
法律明白人 and the 民主法治示范村（社区） tables (form, spreadsheet import, export; the 公开版 masks
the 法律明白人's name and phone). The activities themselves are the ``legal_publicity`` register's
pages (``/r/legal_publicity/``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.core.errors import FazhiError, ImportFailed, ValidationFailed
from fazhi.core.http import failure_message, xlsx_response
from fazhi.core.masking import mask_name, mask_phone
from fazhi.core.models import Unit
from fazhi.core.selectors import user_is_admin, user_units_with_role
from fazhi.registers.framework.ledger import xlsx_bytes
from fazhi.registers.framework.registry import model_field
from fazhi.registers.legal_publicity import importers, selectors, services
from fazhi.registers.legal_publicity.models import DutyItem, DutyList

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
PAGES = {
    "mingbairen": ("legal_liaison", "法律明白人"),
    "shifancun": ("model_village", "民主法治示范村（社区）"),
}


def _editable_units(user: Any) -> QuerySet[Unit]:
    if user_is_admin(user):
        return Unit.objects.order_by("path")
    return user_units_with_role(user, selectors.EDIT_ROLES).order_by("path")


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


# ---------------------------------------------------------------- 普法责任清单


class ListForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(label="年度", widget=forms.NumberInput(attrs=TEXT))
    issued_on = forms.DateField(label="印发日期", widget=DATE)


class ItemForm(forms.Form):
    content = forms.CharField(label="普法内容", max_length=300, widget=forms.TextInput(attrs=TEXT))
    target_groups = forms.CharField(label="普法对象", max_length=200, widget=forms.TextInput(attrs=TEXT))
    planned_activities = forms.CharField(label="主要措施和活动", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
    timing = forms.CharField(label="时间安排", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))


class RemoveForm(forms.Form):
    item = forms.ModelChoiceField(label="事项", queryset=DutyItem.objects.none(), widget=forms.Select(attrs=SELECT))
    on = forms.DateField(label="移出日期", widget=DATE)


@login_required
@require_http_methods(["GET", "POST"])
def duty_lists(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    units = _editable_units(request.user)
    form = ListForm(request.POST or None, initial={"year": today.year, "issued_on": today})
    form.fields["unit"].queryset = units  # type: ignore[attr-defined]
    if request.method == "POST":
        if not units.exists():
            raise Http404("您没有制定普法责任清单的权限")
        if form.is_valid():
            d = form.cleaned_data
            try:
                duty_list = services.list_create(unit=d["unit"], actor=request.user, year=d["year"], issued_on=d["issued_on"])
            except FazhiError as exc:
                form.add_error(None, failure_message(exc))
            else:
                messages.success(request, f"已建立{duty_list.title}")
                return redirect("publicity_duty_list", pk=duty_list.pk)
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    lists = (
        selectors.lists_visible_to(request.user)
        .filter(year=year)
        .annotate(
            n_items=Count("items", filter=Q(items__removed_on__isnull=True)),
            n_covered=Count("items", filter=Q(items__removed_on__isnull=True, items__first_activity_on__isnull=False)),
        )
        .order_by("unit__path")
    )
    rows = [(lst, round(lst.n_covered * 100 / lst.n_items, 1) if lst.n_items else None) for lst in lists]
    years = sorted(set(selectors.lists_visible_to(request.user).values_list("year", flat=True)) | {today.year}, reverse=True)
    return render(
        request,
        "legal_publicity/duty_lists.html",
        {"rows": rows, "year": year, "years": years, "form": form if units.exists() else None, "import_form": ImportForm() if units.exists() else None},
    )


def _duty_list(request: HttpRequest, pk: int) -> DutyList:
    duty_list = selectors.lists_visible_to(request.user).filter(pk=pk).first()
    if duty_list is None:
        raise Http404("清单不存在或您无权查看")
    return duty_list


@login_required
@require_http_methods(["GET", "POST"])
def duty_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty_list = _duty_list(request, pk)
    can_edit = selectors.can_edit(request.user, duty_list.unit)
    today = timezone.localdate()
    action = request.POST.get("action", "")
    add = ItemForm(request.POST if action == "add" else None, prefix="add")
    remove = RemoveForm(request.POST if action == "remove" else None, initial={"on": today}, prefix="remove")
    remove.fields["item"].queryset = duty_list.items.filter(removed_on__isnull=True)  # type: ignore[attr-defined]
    if request.method == "POST":
        if not can_edit or action not in ("add", "remove"):
            raise Http404("您没有维护该清单的权限")
        form: forms.Form = add if action == "add" else remove
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "add":
                    item = services.item_add(duty_list=duty_list, actor=request.user, **d)
                    messages.success(request, f"已增列第{item.number}项")
                else:
                    item = services.item_remove(item=d["item"], actor=request.user, on=d["on"])
                    messages.success(request, f"已将第{item.number}项移出清单")
            except FazhiError as exc:
                form.add_error(None, failure_message(exc))
            else:
                return redirect("publicity_duty_list", pk=duty_list.pk)
    from fazhi.registers.framework.registry import register_get
    from fazhi.registers.framework.selectors import matters_visible_to

    activities = matters_visible_to(request.user, register_get("legal_publicity")).exclude(state="withdrawn").order_by("received_on")
    items = duty_list.items.prefetch_related(Prefetch("activities", queryset=activities, to_attr="counted")).order_by("number")
    covered, total = services.coverage(duty_list)
    return render(
        request,
        "legal_publicity/duty_list.html",
        {
            "duty_list": duty_list,
            "items": items,
            "covered": covered,
            "total": total,
            "share": round(covered * 100 / total, 1) if total else None,
            "can_edit": can_edit,
            "add": add,
            "remove": remove,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_import(request: HttpRequest) -> HttpResponse:
    if not _editable_units(request.user).exists():
        raise Http404("您没有维护普法责任清单的权限")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importers.duties_import(data=upload.read(), filename=upload.name, actor=request.user)
        except ImportFailed as exc:
            for problem in exc.problems[:50]:
                messages.error(request, problem)
        except FazhiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"导入完成：{result.summary()}")
    return redirect("publicity_duty_lists")


# ---------------------------------------------------------------- 法律明白人 / 示范村


def _table(slug: str) -> tuple[str, str]:
    if slug not in PAGES:
        raise Http404("没有这个台账")
    return PAGES[slug]


def table_form_class(table: str) -> type[forms.Form]:
    model, columns, _check, _what = services.TABLES[table]
    fields: dict[str, forms.Field] = {}
    for col in columns:
        label = str(model_field(model, col.name).verbose_name) if col.kind != "unit" else "登记单位"
        if col.kind == "unit":
            fields["unit"] = forms.ModelChoiceField(label=label, queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
        elif col.kind == "date":
            fields[col.name] = forms.DateField(label=label, required=col.required, widget=DATE)
        elif col.kind == "int":
            fields[col.name] = forms.IntegerField(label=label, required=col.required, min_value=0, widget=forms.NumberInput(attrs=TEXT))
        elif col.kind == "choice":
            fields[col.name] = forms.ChoiceField(label=label, choices=services.CHOICES[col.name], widget=forms.Select(attrs=SELECT))
        else:
            max_length = model_field(model, col.name).max_length
            fields[col.name] = forms.CharField(label=label, required=col.required, max_length=max_length, widget=forms.TextInput(attrs=TEXT))
    return type(f"{table}_form", (forms.Form,), fields)


@login_required
@require_http_methods(["GET", "POST"])
def table_page(request: HttpRequest, table: str) -> HttpResponse:
    name, label = _table(table)
    _model, columns, _check, _what = services.TABLES[name]
    units = _editable_units(request.user)
    action = request.POST.get("action", "")
    form = table_form_class(name)(request.POST if action == "save" else None, initial={"trainings": 0})
    form.fields["unit"].queryset = units  # type: ignore[attr-defined]
    upload = ImportForm(request.POST if action == "import" else None, request.FILES or None)
    if request.method == "POST":
        if not units.exists() or action not in ("save", "import"):
            raise Http404(f"您没有维护{label}的权限")
        if action == "save" and form.is_valid():
            values = dict(form.cleaned_data)
            for col in columns:
                if col.kind == "int" and values.get(col.name) is None:
                    values[col.name] = 0
                if col.kind == "text" and values.get(col.name) is None:
                    values[col.name] = ""
            try:
                obj, done = services.table_save(name, actor=request.user, values=values)
            except ValidationFailed as exc:
                for field, msgs in exc.errors.items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
            except FazhiError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, {"created": "已登记", "changed": "已更新", "unchanged": "内容未变化"}[done] + f"：{obj.code}")
                return redirect("publicity_table", table=table)
        if action == "import" and upload.is_valid():
            f = upload.cleaned_data["file"]
            try:
                result = importers.table_import(name, data=f.read(), filename=f.name, actor=request.user)
            except ImportFailed as exc:
                for problem in exc.problems[:50]:
                    messages.error(request, problem)
            except FazhiError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"导入完成：{result.summary()}")
                return redirect("publicity_table", table=table)
    visible = {"legal_liaison": selectors.liaisons_visible_to, "model_village": selectors.villages_visible_to}[name](request.user)
    q = request.GET.get("q", "").strip()
    if q:
        visible = visible.filter(Q(name__contains=q) | Q(code__contains=q) | Q(**{("village" if name == "legal_liaison" else "name") + "__contains": q}))
    rows = list(visible.order_by("unit__path", "code")[:500])
    return render(
        request,
        f"legal_publicity/{name}.html",
        {
            "rows": rows,
            "total": visible.count(),
            "label": label,
            "slug": table,
            "form": form if units.exists() else None,
            "upload": upload if units.exists() else None,
            "q": q,
        },
    )


def export_rows(table: str, rows: list[Any], *, public: bool) -> list[list[Any]]:
    """The import layout (one column per import column); the 公开版 masks natural persons' data."""
    _model, columns, _check, _what = services.TABLES[table]
    out: list[list[Any]] = [[c.label for c in columns]]
    for row in rows:
        line: list[Any] = []
        for c in columns:
            value: Any = row.unit.code if c.kind == "unit" else getattr(row, c.name)
            if c.kind == "choice":
                value = dict(services.CHOICES[c.name]).get(value, value)
            if isinstance(value, dt.date):
                value = value.isoformat()
            if public and c.personal and value:
                value = mask_phone(str(value)) if c.name == "phone" else mask_name(str(value))
            line.append(value if value is not None else "")
        out.append(line)
    return out


@login_required
def table_export(request: HttpRequest, table: str) -> HttpResponse:
    name, label = _table(table)
    visible = {"legal_liaison": selectors.liaisons_visible_to, "model_village": selectors.villages_visible_to}[name](request.user)
    public = request.GET.get("publish") == "1"
    rows = export_rows(name, list(visible.order_by("unit__path", "code")), public=public)
    suffix = "（公开版）" if public else ""
    return xlsx_response(xlsx_bytes([(label[:31], rows)]), f"{label}{suffix}-{timezone.localdate():%Y%m%d}.xlsx")
