"""Staff pages of the adviser directory (法律顾问 and 公职律师: list, coverage per unit, add,
change, import, export) and the opinion documents of a review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core.errors import FazhiError, ImportFailed, ValidationFailed
from fazhi.core.models import Kind, Unit
from fazhi.core.selectors import units_visible_to, user_units_with_role
from fazhi.registers.contract_review import selectors, services
from fazhi.registers.contract_review.documents import document_add, document_path
from fazhi.registers.contract_review.models import AdviserKind, ContractReview, LegalAdviser, OpinionDocument
from fazhi.registers.framework.ledger import xlsx_bytes
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.selectors import matter_get_for

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _message(exc: FazhiError) -> str:
    if isinstance(exc, ValidationFailed):
        return "；".join(m for ms in exc.errors.values() for m in ms)
    return exc.message


class AdviserForm(forms.Form):
    unit = forms.ModelChoiceField(label="服务单位", queryset=Unit.objects.none(), widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(label="类别", choices=AdviserKind.choices, widget=forms.Select(attrs=SELECT))
    licence_number = forms.CharField(label="执业证号", max_length=40, widget=forms.TextInput(attrs=TEXT))
    organisation = forms.CharField(label="所在律师事务所或工作单位", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))
    term_start = forms.DateField(label="聘任起始日期", widget=DATE)
    term_end = forms.DateField(label="聘任截止日期", required=False, widget=DATE)
    appointment_reference = forms.CharField(label="聘用合同或任命文号", max_length=100, widget=forms.TextInput(attrs=TEXT))


class ImportForm(forms.Form):
    file = forms.FileField(label="名录文件（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class DocumentForm(forms.Form):
    file = forms.FileField(label="审查意见书", widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}))


def _editable_units(user: Any) -> Any:
    return user_units_with_role(user, selectors.EDIT_ROLES).filter(kind__in=[Kind.GOVERNMENT, Kind.DEPARTMENT])


def _apply(form: forms.Form, exc: FazhiError) -> None:
    if isinstance(exc, ValidationFailed):
        for field, errs in exc.errors.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, exc.message)


def coverage(user: Any) -> tuple[list[dict[str, Any]], int, int]:
    """Per government or department the user sees: advisers and 公职律师 in their term today."""
    today = timezone.localdate()
    units = list(units_visible_to(user).filter(kind__in=[Kind.GOVERNMENT, Kind.DEPARTMENT]).order_by("path"))
    serving = LegalAdviser.objects.filter(unit__in=units, term_start__lte=today).filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
    counts: dict[int, dict[str, int]] = {}
    for unit_id, kind in serving.values_list("unit_id", "kind"):
        counts.setdefault(unit_id, {"legal_adviser": 0, "staff_lawyer": 0})[kind] += 1
    rows = [{"unit": u, **counts.get(u.pk, {"legal_adviser": 0, "staff_lawyer": 0})} for u in units]
    covered = sum(1 for r in rows if r["legal_adviser"] or r["staff_lawyer"])
    return rows, covered, len(rows)


@login_required
@require_http_methods(["GET", "POST"])
def adviser_list(request: HttpRequest) -> HttpResponse:
    editable = _editable_units(request.user)
    form = AdviserForm(request.POST or None) if editable.exists() else None
    if form is not None:
        form.fields["unit"].queryset = editable  # type: ignore[attr-defined]
    if request.method == "POST":
        if form is None:
            raise Http404("您无权维护法律顾问和公职律师名录")
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
            try:
                adviser = services.adviser_save(actor=request.user, unit=form.cleaned_data["unit"], values=values)
            except FazhiError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已将{adviser.name}列入名录")
                return redirect("advisers")
    today = timezone.localdate()
    advisers = list(selectors.advisers_visible_to(request.user))
    rows, covered, total = coverage(request.user)
    return render(
        request,
        "contract_review/advisers.html",
        {
            "advisers": [(a, a.serves_on(today), selectors.can_edit(request.user, a.unit)) for a in advisers],
            "form": form,
            "import_form": ImportForm() if form is not None else None,
            "coverage": rows,
            "covered": covered,
            "total": total,
            "share": round(100 * covered / total, 1) if total else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adviser_edit(request: HttpRequest, pk: int) -> HttpResponse:
    adviser = selectors.advisers_visible_to(request.user).filter(pk=pk).first()
    if adviser is None or not selectors.can_edit(request.user, adviser.unit):
        raise Http404("没有这位法律顾问或公职律师，或您无权维护")
    initial = {f: getattr(adviser, f) for f in services.FIELDS} | {"unit": adviser.unit}
    form = AdviserForm(request.POST or None, initial=initial)
    form.fields["unit"].queryset = _editable_units(request.user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
        try:
            services.adviser_save(actor=request.user, unit=form.cleaned_data["unit"], values=values, adviser=adviser)
        except FazhiError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已更新{adviser.name}的信息")
            return redirect("advisers")
    return render(request, "contract_review/adviser_edit.html", {"adviser": adviser, "form": form, "changes": adviser.changes.select_related("actor")})


@login_required
@require_POST
def adviser_import(request: HttpRequest) -> HttpResponse:
    if not _editable_units(request.user).exists():
        raise Http404("您无权维护法律顾问和公职律师名录")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的文件")
        return redirect("advisers")
    from fazhi.core.http import upload_bytes

    upload = form.cleaned_data["file"]
    try:
        result = services.advisers_import(data=upload_bytes(upload), filename=upload.name, actor=request.user)
    except ImportFailed as exc:
        for problem in exc.problems[:50]:
            messages.error(request, problem)
    except FazhiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"导入完成：{result.summary()}")
    return redirect("advisers")


def _xlsx(rows: list[list[Any]], name: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes([(name[:31], rows)]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def adviser_export(request: HttpRequest) -> HttpResponse:
    """The directory the user sees, in the import layout (re-importable)."""
    rows: list[list[Any]] = [services.COLUMNS + services.OPTIONAL]
    for a in selectors.advisers_visible_to(request.user):
        rows.append([a.unit.code, a.name, a.get_kind_display(), a.licence_number, a.term_start, a.appointment_reference, a.organisation, a.term_end])
    return _xlsx(rows, "advisers")


@login_required
def adviser_template(request: HttpRequest) -> HttpResponse:
    return _xlsx([services.COLUMNS + services.OPTIONAL], "advisers-template")


def _review(request: HttpRequest, pk: int) -> ContractReview:
    matter = matter_get_for(request.user, register_get("contract_review"), pk)
    if not isinstance(matter, ContractReview):
        raise Http404("没有这件审查事项")
    return matter


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        from fazhi.core.http import upload_bytes

        upload = form.cleaned_data["file"]
        try:
            doc = document_add(review=review, actor=request.user, content=upload_bytes(upload), file_name=upload.name)
        except ImportFailed as exc:
            messages.error(request, "；".join(exc.problems))
        except FazhiError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, f"审查意见书已上传，SHA-256 {doc.sha256[:16]}…")
    else:
        messages.error(request, "审查意见书：请选择文件")
    return redirect("matter_detail", register="contract_review", pk=review.pk)


@login_required
def document_download(request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
    review = _review(request, pk)
    doc = OpinionDocument.objects.filter(review=review, pk=doc_id).first()
    if doc is None or not document_path(doc.sha256).exists():
        raise Http404("没有这份审查意见书")
    return FileResponse(document_path(doc.sha256).open("rb"), as_attachment=True, filename=doc.file_name)


def review_panel(request: HttpRequest, matter: ContractReview) -> dict[str, Any]:
    from fazhi.core.selectors import user_roles_for_unit

    roles = user_roles_for_unit(request.user, matter.unit)
    can_upload = bool(roles & {"reviewer", "head", "rule_of_law_office"}) and matter.state in ("submitted", "reviewing", "answered")
    outcome = register_get("contract_review").definition.outcomes.get(matter.outcome)
    return {
        "documents": list(matter.documents.all()),
        "document_form": DocumentForm() if can_upload else None,
        "outcome_label": outcome.label if outcome else "",
    }
