"""Annual report pages: the reports a user may see, drafting and merging the parts, versions as
HTML with every figure linked to its trace, the workflow steps; the published ones on the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.errors import FazhiError
from fazhi.core.http import failure_message, form_errors_message
from fazhi.core.models import Unit
from fazhi.core.selectors import user_is_admin
from fazhi.documents.views import documents_panel
from fazhi.registers.framework.workflow import workflow_events
from fazhi.reports import selectors, services
from fazhi.reports.generator import definition, heading
from fazhi.reports.models import Contribution, Kind, Report, State, Version


class NewReportForm(forms.Form):
    unit = forms.ModelChoiceField(label="报告单位", queryset=Unit.objects.none(), widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    kind = forms.ChoiceField(label="报告", choices=Kind.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    year = forms.IntegerField(label="报告年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    form = NewReportForm(initial={"year": timezone.localdate().year - 1})
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = selectors.office_units(request.user)
    reports = list(selectors.reports_visible_to(request.user).select_related("unit"))
    return render(request, "reports/list.html", {"reports": reports, "form": form, "can_create": unit_field.queryset.exists(), "today": timezone.localdate()})


@login_required
@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    form = NewReportForm(request.POST)
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)
    unit_field.queryset = selectors.office_units(request.user)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("reports")
    try:
        report = services.report_create(unit=form.cleaned_data["unit"], kind=form.cleaned_data["kind"], year=form.cleaned_data["year"], actor=request.user)
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
        return redirect("reports")
    return redirect("report", pk=report.pk)


def _report(request: HttpRequest, pk: int) -> Report:
    report = selectors.reports_visible_to(request.user).select_related("unit").filter(pk=pk).first()
    if report is None:
        raise Http404("报告不存在或您无权查看")
    return report


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    d = definition(report.kind)
    version = services.latest(report)
    contributions = Contribution.objects.filter(report=report).select_related("unit", "updated_by")
    by_part: dict[str, list[Contribution]] = {k: [] for k in report.order}
    merged: dict[str, str] = {}
    office = services.may(request.user, report, services.OFFICE) or user_is_admin(request.user)
    drafts_seen = selectors.drafts_visible(request.user, report)
    for c in contributions:
        if c.unit_id == report.unit_id:
            merged[c.part] = c.text
        elif drafts_seen(c):
            by_part.setdefault(c.part, []).append(c)
    editable = report.state in (State.DRAFT, State.REVIEW)
    parts = [
        {"key": k, "title": d.part(k).title, "heading": heading(i), "drafts": by_part.get(k, []), "merged": merged.get(k, "")}
        for i, k in enumerate(report.order)
    ]
    actions = services.report_actions(request.user, report)
    signed = version.signatures.select_related("signer") if version else []
    from fazhi.reports.disclosure_tables import MANUAL_FIELDS

    manual_fields = [(k, label, report.manual.get(k, "")) for k, label in MANUAL_FIELDS.items()] if any(p.table == "table2" for p in d.parts) else []
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "version": version,
            "parts": parts,
            "has_drafts": any(p["drafts"] for p in parts),
            "office": office,
            "editable": editable,
            "my_units": selectors.draft_units(request.user, report) if editable else [],
            "actions": actions,
            "can_sign": report.state == State.SIGNING and services.may(request.user, report, services.SIGNERS),
            "signatures": signed,
            "required": services.signatures_required(),
            "deadlines": services.deadlines(report),
            "events": workflow_events(services.WORKFLOW, report),
            "documents_panel": documents_panel(services.WORKFLOW, report.pk),
            "today": timezone.localdate(),
            "manual_fields": manual_fields,
            "problems": services.table_problems(version) if version else [],
        },
    )


@login_required
@require_POST
def report_manual(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        services.report_manual_set(report=report, values=request.POST.dict(), actor=request.user)
        messages.success(request, "已保存填报数据，重新生成版本后生效")
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
    return redirect("report", pk=report.pk)


CELL_LIST_LIMIT = 500


@login_required
def report_cell(request: HttpRequest, pk: int, number: int, table: str, row: str, column: int) -> HttpResponse:
    """The records behind one cell of a table, listed from the current records and compared with
    the number frozen in the version."""
    from fazhi.indicators.views import listing, visible_part
    from fazhi.reports.disclosure_tables import cell_records

    report = _report(request, pk)
    v = _version(report, number)
    frozen_table = next((p["table"] for p in v.content["parts"] if p.get("table", {}).get("key") == table), None)
    frozen_row = next((r for r in (frozen_table or {}).get("rows", []) if r["key"] == row), None)
    if frozen_table is None or frozen_row is None or not 0 <= column < len(frozen_row["cells"]):
        raise Http404("没有这个单元格")
    found = cell_records(report.unit, report.year, table, row, column)
    if found is None:
        raise Http404("该项为填报数据，没有对应的台账记录")
    source, qs = found
    total = qs.count()
    # the cell counts every unit of the report; a user is listed only the records of their units
    shown = visible_part(request.user, source, qs)
    shown_total = shown.count() if total else 0
    heads, records = listing(source, shown, CELL_LIST_LIMIT)
    return render(
        request,
        "reports/cell.html",
        {
            "report": report,
            "version": v,
            "table": frozen_table,
            "row": frozen_row,
            "column": frozen_table["columns"][column] if column < len(frozen_table["columns"]) else "",
            "frozen": frozen_row["cells"][column],
            "total": total,
            "others": total - shown_total,
            "more": max(shown_total - CELL_LIST_LIMIT, 0),
            "heads": heads,
            "records": list(records),
        },
    )


@login_required
@require_POST
def report_contribute(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    unit = Unit.objects.filter(pk=request.POST.get("unit") or 0).first()
    if unit is None:
        raise Http404("没有这个单位")
    try:
        services.contribution_save(report=report, part=request.POST.get("part", ""), unit=unit, text=request.POST.get("text", ""), actor=request.user)
        messages.success(request, "已保存")
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
    return redirect("report", pk=report.pk)


@login_required
@require_POST
def report_merge(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        v = services.contributions_merge(report=report, actor=request.user)
        messages.success(request, f"已将各单位稿件合并到合稿正文，并生成第{v.number}版；合稿正文仍可修改")
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
    return redirect("report", pk=report.pk)


@login_required
@require_POST
def report_generate(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        v = services.version_generate(report=report, actor=request.user, note=request.POST.get("note", ""))
        messages.success(
            request, f"已生成第{v.number}版，校验值 SHA-256 {v.sha256[:16]}…" + (f"，与上一版相比有 {len(v.changes)} 处变化" if v.number > 1 else "")
        )
        return redirect("report_version", pk=report.pk, number=v.number)
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
    return redirect("report", pk=report.pk)


@login_required
@require_POST
def report_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    try:
        if action == "sign":
            services.report_sign(report=report, actor=request.user)
        else:
            services.report_step(report=report, action=action, actor=request.user, text=request.POST.get("text", ""))
        messages.success(request, "已办理")
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
    return redirect("report", pk=report.pk)


def _version(report: Report, number: int) -> Version:
    v = report.versions.filter(number=number).first()
    if v is None:
        raise Http404("没有这个版本")
    return v


@login_required
def report_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = _report(request, pk)
    v = _version(report, number)
    return render(
        request, "reports/version.html", {"report": report, "version": v, "parts": _numbered(v), "link": True, "staff": True, "base_template": "web/base.html"}
    )


def _numbered(v: Version) -> list[tuple[str, Any, Any]]:
    """(heading number, part, its frozen table or None), in the version's order."""
    tables = {p["key"]: p.get("table") for p in v.content["parts"]}
    return [(heading(i), p, tables.get(p.key)) for i, p in enumerate(services.parts_of(v))]


def portal_list(request: HttpRequest) -> HttpResponse:
    reports = Report.objects.filter(published_version__isnull=False).select_related("unit").order_by("-year", "unit__path")
    return render(request, "reports/portal_list.html", {"reports": reports})


def portal_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = Report.objects.filter(pk=pk, published_version__isnull=False).select_related("unit", "published_version").first()
    if report is None or report.published_version is None:
        raise Http404("报告不存在或尚未公开")
    v = report.published_version
    return render(
        request,
        "reports/version.html",
        {"report": report, "version": v, "parts": _numbered(v), "link": False, "staff": False, "base_template": "web/portal/base.html"},
    )


def _signed_on(v: Version) -> Any:
    """The document's date: the day the last principal leader signed (成文日期)."""
    last = v.signatures.order_by("signed_at").last()
    return timezone.localtime(last.signed_at).date() if last else None


def _file_name(report: Report, v: Version, suffix: str) -> str:
    return f"{v.content['title']}（第{v.number}版）.{suffix}"


@login_required
def report_docx(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    from fazhi.reports.docx import render as render_docx

    report = _report(request, pk)
    v = _version(report, number)
    return _download(render_docx(report, v, signed_on=_signed_on(v)), _file_name(report, v, "docx"), DOCX)


@login_required
def report_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    from fazhi.documents.pdf import docx_to_pdf
    from fazhi.reports.docx import render as render_docx

    report = _report(request, pk)
    v = _version(report, number)
    try:
        pdf = docx_to_pdf(render_docx(report, v, signed_on=_signed_on(v)))
    except FazhiError as exc:
        messages.error(request, failure_message(exc))
        return redirect("report_version", pk=report.pk, number=v.number)
    return _download(pdf, _file_name(report, v, "pdf"), "application/pdf")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, name: str, mime: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
