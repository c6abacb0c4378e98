"""Staff UI: thin views over the framework's services and selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import CharField, Q, QuerySet, TextField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.audit.models import AuditLeaf, Checkpoint
from fazhi.audit.services import tree_root
from fazhi.core.errors import FazhiError, ImportFailed, ValidationFailed
from fazhi.core.http import upload_bytes, xlsx_response
from fazhi.core.importers import UNIT_COLUMNS, UNIT_OPTIONAL, USER_COLUMNS, USER_OPTIONAL, units_import, users_import
from fazhi.core.models import Membership, Unit
from fazhi.core.selectors import units_visible_to, user_is_admin, user_units_with_role
from fazhi.core.todo import todo_sections
from fazhi.registers.framework import selectors
from fazhi.registers.framework.clocks import matter_clocks
from fazhi.registers.framework.definition import Transition
from fazhi.registers.framework.forms import transition_form_class
from fazhi.registers.framework.ledger import STAFF_ROLES, ledger_columns, ledger_export, ledger_import, ledger_template
from fazhi.registers.framework.models import GeneratedBatch, Matter
from fazhi.registers.framework.registry import EXTRA_PANELS, REGISTRY, Register, model_field
from fazhi.registers.framework.services import matter_amend, matter_create, matter_transition

PAGE_SIZE = 50


def _register(name: str) -> Register:
    reg = REGISTRY.get(name)
    if reg is None:
        raise Http404("没有这个台账")
    return reg


def _matter(request: HttpRequest, reg: Register, pk: int) -> Matter:
    matter = selectors.matter_get_for(request.user, reg, pk)
    if matter is None:
        raise Http404("案件不存在或您无权查看")
    return matter


def _apply_errors(form: forms.Form, exc: FazhiError) -> None:
    if isinstance(exc, ValidationFailed):
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, exc.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = selectors.due_list(request.user, today)
    counts = {s: sum(1 for i in items if i.status == s) for s in ("overdue", "due_today", "due_soon")}
    return render(
        request,
        "web/home.html",
        {
            "sections": todo_sections(request.user, today),
            "items": items,
            "today": today,
            "counts": counts,
            "units": Membership.objects.filter(user_id=request.user.pk or 0).select_related("unit"),
        },
    )


class ListFilter(forms.Form):
    q = forms.CharField(label="案号/申请人", required=False)
    state = forms.ChoiceField(label="状态", required=False)
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False)
    received_from = forms.DateField(label="收到日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label="仅看逾期", required=False)
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _filtered(request: HttpRequest, reg: Register) -> tuple[ListFilter, QuerySet[Matter]]:
    """The list filter and the matters it selects, within what the user may see."""
    f = ListFilter(request.GET or None)
    state_field = f.fields["state"]
    assert isinstance(state_field, forms.ChoiceField)
    state_field.choices = [("", "全部")] + [(s.name, s.label) for s in reg.definition.states.values()]
    unit_field = f.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = units_visible_to(request.user)
    for name, field in f.fields.items():
        field.widget.attrs.setdefault("class", "form-check-input" if name == "overdue" else "form-control form-control-sm")
    qs = selectors.matters_visible_to(request.user, reg).select_related("unit")
    today = timezone.localdate()
    if f.is_valid():
        d = f.cleaned_data
        if d["q"]:
            cond = Q(case_number__contains=d["q"])
            if reg.list_columns and isinstance(model_field(reg.model, reg.list_columns[0]), (CharField, TextField)):
                cond |= Q(**{f"{reg.list_columns[0]}__contains": d["q"]})
            qs = qs.filter(cond)
        if d["state"]:
            qs = qs.filter(state=d["state"])
        if d["unit"]:
            qs = qs.filter(unit__path__startswith=d["unit"].path)
        if d["received_from"]:
            qs = qs.filter(received_on__gte=d["received_from"])
        if d["received_to"]:
            qs = qs.filter(received_on__lte=d["received_to"])
        if d["overdue"]:
            qs = qs.filter(due_on__lt=today, state__in=reg.definition.open_states())
    return f, qs


@login_required
def matter_list(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    f, qs = _filtered(request, reg)
    today = timezone.localdate()
    if f.is_valid() and f.cleaned_data["after"]:
        qs = qs.filter(pk__lt=f.cleaned_data["after"])
    # Keyset pagination: fast at any depth on large tables (no OFFSET, no COUNT).
    page = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    has_next = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    next_query = None
    if has_next:
        params = request.GET.copy()
        params["after"] = str(page[-1].pk)
        next_query = params.urlencode()
    rows = [(m, selectors.due_status(m.due_on, today) if m.state in reg.definition.open_states() else "") for m in page]
    can_create = user_units_with_role(request.user, reg.definition.create.roles).exists()
    export_query = request.GET.copy()
    export_query.pop("after", None)
    return render(
        request,
        "web/matter_list.html",
        {
            "reg": reg,
            "filter": f,
            "rows": rows,
            "next_query": next_query,
            "can_create": can_create,
            "can_import": user_units_with_role(request.user, STAFF_ROLES).exists(),
            "first_page": not request.GET.get("after"),
            "export_query": export_query.urlencode(),
            "received_label": model_field(reg.model, "received_on").verbose_name,
        },
    )


EXPORT_LIMIT = 100_000


@login_required
def ledger_export_view(request: HttpRequest, register: str) -> HttpResponse:
    """The filtered list as a ledger in the import layout; ``publish=1`` masks personal data."""
    reg = _register(register)
    f, qs = _filtered(request, reg)
    if request.GET and not f.is_valid():
        raise Http404("筛选条件无效")
    matters = list(qs.order_by("received_on", "pk")[: EXPORT_LIMIT + 1])
    if len(matters) > EXPORT_LIMIT:
        messages.error(request, f"符合条件的案件超过 {EXPORT_LIMIT} 件，请缩小筛选范围（如按单位或日期）后分批导出")
        return redirect(f"{request.path.removesuffix('export.xlsx')}?{request.GET.urlencode()}")
    publish = request.GET.get("publish") == "1"
    suffix = "（公开版）" if publish else ""
    return xlsx_response(ledger_export(reg, matters, publish=publish), f"{reg.definition.label}台账{suffix}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def ledger_template_view(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    return xlsx_response(ledger_template(reg), f"{reg.definition.label}台账导入模板.xlsx")


class LedgerImportForm(forms.Form):
    file = forms.FileField(label="台账文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import_view(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    if not (user_units_with_role(request.user, STAFF_ROLES).exists() or user_is_admin(request.user)):
        raise Http404("您没有可导入台账的单位")
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledger_import(reg=reg, data=upload_bytes(upload), filename=upload.name, actor=request.user)
        except ImportFailed as exc:
            problems = exc.problems
        except FazhiError as exc:
            problems = [exc.message]
        else:
            messages.success(request, f"导入完成：{result.summary()}")
            return redirect("matter_list", register=reg.name)
    return render(request, "web/ledger_import.html", {"reg": reg, "form": form, "problems": problems, "columns": ledger_columns(reg)})


def deadlines_in_words(deadlines: dict[str, str]) -> str:
    """Whether each stopped deadline was kept, as a clerk reads it: 作出复议决定（普通程序）：按期."""
    from fazhi.law.clocks import clock_rules

    rules = clock_rules()
    words = {"met": "按期", "late": "超期"}
    return "；".join(f"{rules[r].label if r in rules else r}：{words.get(v, v)}" for r, v in sorted(deadlines.items()))


def _display_fields(reg: Register, matter: Matter) -> list[tuple[str, Any]]:
    out = []
    for f in reg.model._meta.fields:
        if f.name in ("id", "created_at", "updated_at", "sequence", "calendar_version", "due_rule"):
            continue
        value = getattr(matter, f.name)
        if value in (None, ""):
            continue
        if f.name in reg.display_values:
            value = reg.display_values[f.name](matter, value)
            if not value:
                continue
        elif f.name == reg.definition.outcome_field:
            o = reg.definition.outcomes.get(value)
            value = o.in_words if o else value
        elif f.name == "state":
            value = reg.definition.states[value].label
        elif f.name == "deadlines":
            if not value:
                continue  # no deadline has stopped yet
            value = deadlines_in_words(value)
        elif f.choices:
            value = getattr(matter, f"get_{f.name}_display")()
        elif isinstance(value, bool):
            value = "是" if value else "否"
        out.append((str(f.verbose_name), value))
    return out


@login_required
def matter_detail(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    reg = _register(register)
    matter = _matter(request, reg, pk)
    events = list(selectors.matter_events(matter))
    labels = {t.name: t.label for t in reg.definition.transitions.values()} | {"register": "登记", "amend": "更正"} | reg.event_labels
    leaves = dict(AuditLeaf.objects.filter(source="matter_event", source_id__in=[e.pk for e in events]).values_list("source_id", "index"))
    timeline = [(e, labels.get(e.transition, e.transition), leaves.get(e.pk)) for e in events]
    clocks = matter_clocks(matter, events) if reg.definition.states[matter.state].open else []
    generated = None if events else GeneratedBatch.objects.filter(register=reg.name, first_id__lte=matter.pk, last_id__gte=matter.pk).first()
    return render(
        request,
        "web/matter_detail.html",
        {
            "reg": reg,
            "matter": matter,
            "fields": _display_fields(reg, matter),
            "timeline": timeline,
            "clocks": clocks,
            "status": selectors.due_status(matter.due_on, timezone.localdate()),
            "actions": selectors.transitions_available(request.user, matter),
            "can_amend": bool(set(reg.definition.amend_roles) & _roles(request, matter)),
            "panel": reg.detail_context(request, matter) if reg.detail_context else None,
            "extra_panels": [(template, context(request, matter)) for template, context in EXTRA_PANELS.get(reg.name, [])],
            "generated": generated,
            "generated_leaf": AuditLeaf.objects.filter(source="generated_batch", source_id=generated.pk).values_list("index", flat=True).first()
            if generated
            else None,
        },
    )


def _roles(request: HttpRequest, matter: Matter) -> set[str]:
    from fazhi.core.selectors import user_roles_for_unit

    return user_roles_for_unit(request.user, matter.unit)


@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    t = reg.definition.create
    units = user_units_with_role(request.user, t.roles)
    if not units.exists():
        raise Http404("您没有登记此类案件的权限")
    form_class = transition_form_class(reg, t)
    unit_field = forms.ModelChoiceField(label="办理单位", queryset=units, widget=forms.Select(attrs={"class": "form-select"}))
    form_class = type("NewForm", (form_class,), {"handling_unit": unit_field})
    form = form_class(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "handling_unit"}
        try:
            matter = matter_create(register=reg.name, unit=form.cleaned_data["handling_unit"], actor=request.user, data=data)
        except FazhiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已登记，案号 {matter.case_number}")
            return redirect("matter_detail", register=reg.name, pk=matter.pk)
    return render(request, "web/matter_form.html", {"reg": reg, "form": form, "title": f"{t.label}", "matter": None})


def _form_data(form: forms.Form) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def matter_do(request: HttpRequest, register: str, pk: int, transition: str) -> HttpResponse:
    reg = _register(register)
    matter = _matter(request, reg, pk)
    t: Transition | None = reg.definition.transitions.get(transition)
    if t is None:
        raise Http404("没有这个步骤")
    form = transition_form_class(reg, t)(request.POST or None, initial={t.date_field: timezone.localdate()} if t.date_field else {})
    if t not in selectors.transitions_available(request.user, matter):
        messages.error(request, f"您现在不能对该案件执行“{t.label}”")
        return redirect("matter_detail", register=reg.name, pk=matter.pk)
    if request.method == "POST" and form.is_valid():
        try:
            matter_transition(matter=matter, transition=t.name, actor=request.user, data=_form_data(form), note=request.POST.get("note", ""))
        except FazhiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已{t.label}")
            return redirect("matter_detail", register=reg.name, pk=matter.pk)
    return render(request, "web/matter_form.html", {"reg": reg, "form": form, "title": t.label, "matter": matter, "with_note": True})


@login_required
@require_http_methods(["GET", "POST"])
def matter_amend_view(request: HttpRequest, register: str, pk: int) -> HttpResponse:
    reg = _register(register)
    matter = _matter(request, reg, pk)
    t = Transition(name="amend", label="更正", sources=(), target="", roles=reg.definition.amend_roles, fields=(), optional=reg.definition.amendable)
    form_class = transition_form_class(reg, t)
    # a foreign key's initial value is its id (attname); a text field named "…unit" is text
    initial = {n: getattr(matter, model_field(reg.model, n).attname) for n in reg.definition.amendable}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            matter_amend(matter=matter, actor=request.user, changes=_form_data(form), reason=request.POST.get("note", ""))
        except FazhiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "更正已记录")
            return redirect("matter_detail", register=reg.name, pk=matter.pk)
    return render(
        request, "web/matter_form.html", {"reg": reg, "form": form, "title": "更正登记信息", "matter": matter, "with_note": True, "note_required": True}
    )


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    size, root = tree_root()
    return render(
        request, "web/audit.html", {"size": size, "root": root.hex(), "checkpoints": Checkpoint.objects.order_by("-size")[:20], "today": dt.date.today()}
    )


class OrgImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=[("units", "单位树"), ("users", "人员与角色")], widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label="文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def org_import(request: HttpRequest) -> HttpResponse:
    if not user_is_admin(request.user):
        raise Http404("仅系统管理员可用")
    form = OrgImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        importer = units_import if form.cleaned_data["kind"] == "units" else users_import
        try:
            result = importer(data=upload_bytes(upload), filename=upload.name, actor=request.user)
        except ImportFailed as exc:
            problems = exc.problems
        except FazhiError as exc:
            problems = [exc.message]
        else:
            messages.success(request, f"导入完成：{result.summary()}")
            return redirect("org_import")
    return render(request, "web/org_import.html", {"form": form, "problems": problems})


@login_required
def org_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if not user_is_admin(request.user):
        raise Http404("仅系统管理员可用")
    columns = {"units": UNIT_COLUMNS + UNIT_OPTIONAL, "users": USER_COLUMNS + USER_OPTIONAL}.get(kind)
    if columns is None:
        raise Http404("没有这个模板")
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(columns)
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
