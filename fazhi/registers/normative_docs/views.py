"""The public list of 规范性文件 (/gongkai/guifan/) and the office's step that publishes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fazhi.core.errors import FazhiError
from fazhi.core.models import Role
from fazhi.core.selectors import user_units_with_role
from fazhi.registers.framework.ledger import xlsx_bytes
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.normative_docs.catalogue import IN_FORCE, STATUS, Entry, catalogue, catalogue_publish, entry_on, published_documents
from fazhi.registers.normative_docs.models import CatalogueSnapshot

ALL = "all"
COLUMNS = ["文号", "文件名称", "制定机关", "公布日期", "施行日期", "有效期至", "报送备案日期", "状态"]


def _filters(request: HttpRequest) -> tuple[dict[str, Any], list[str]]:
    """The list's filters from the query string; a malformed value is named and ignored."""
    today = timezone.localdate()
    errors = []
    raw_day = (request.GET.get("as_of") or "").strip()
    day = today
    if raw_day:
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            errors.append(f"“截至日期”应写作年-月-日，如 2024-06-30；已按今天（{today:%Y-%m-%d}）显示")
        else:
            if day > today:
                errors.append(f"“截至日期”不能晚于今天；已按今天（{today:%Y-%m-%d}）显示")
                day = today
    raw_year = (request.GET.get("year") or "").strip()
    year = None
    if raw_year:
        if raw_year.isdigit() and 1990 <= int(raw_year) <= today.year:
            year = int(raw_year)
        else:
            errors.append("“公布年度”应为四位年份")
    status = request.GET.get("status", IN_FORCE)
    if status not in STATUS and status != ALL:
        errors.append("“状态”不在可选范围内；已按现行有效显示")
        status = IN_FORCE
    return {
        "day": day,
        "issuing_body": (request.GET.get("body") or "").strip(),
        "year": year,
        "status": "" if status == ALL else status,
        "query": (request.GET.get("q") or "").strip()[:100],
    }, errors


def _entries(f: dict[str, Any]) -> list[Entry]:
    return catalogue(f["day"], issuing_body=f["issuing_body"], year=f["year"], status=f["status"], query=f["query"])


def portal_list(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request)
    entries = _entries(f)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    bodies = sorted(set(published_documents().values_list("issuing_body", flat=True)))
    years = sorted({d.year for d in published_documents().values_list("published_on", flat=True) if d}, reverse=True)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "normative_docs/portal_list.html",
        {
            "page": page,
            "total": len(entries),
            "f": f,
            "errors": errors,
            "bodies": bodies,
            "years": years,
            "statuses": [(ALL, "全部"), *STATUS.items()],
            "status_value": f["status"] or ALL,
            "querystring": query.urlencode(),
            "snapshots": CatalogueSnapshot.objects.select_related("unit")[:5],
            "today": timezone.localdate(),
        },
    )


def portal_export(request: HttpRequest) -> HttpResponse:
    f, _ = _filters(request)
    rows = [[e.row()[c] for c in COLUMNS] for e in _entries(f)]
    body = xlsx_bytes([(f"截至{f['day']:%Y-%m-%d}", [COLUMNS, *rows])])
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="guifan-{f["day"]:%Y%m%d}.xlsx"'
    return response


def portal_document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = published_documents().filter(pk=pk).first()
    if doc is None:
        raise Http404("该规范性文件不存在或尚未公布")
    events = list(MatterEvent.objects.filter(register="normative_docs", object_id=doc.pk).order_by("id"))
    entry = entry_on(doc, events, timezone.localdate())
    if entry is None:
        raise Http404("该规范性文件尚未公布")
    return render(request, "normative_docs/portal_document.html", {"doc": doc, "entry": entry})


def portal_snapshot(request: HttpRequest, pk: int) -> JsonResponse:
    snap = CatalogueSnapshot.objects.filter(pk=pk).select_related("unit").first()
    if snap is None:
        raise Http404("目录不存在")
    data = {"unit": snap.unit.name, "as_of": snap.as_of.isoformat(), "count": snap.count, "sha256": snap.sha256, "rows": snap.rows}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


@login_required
def staff_publish(request: HttpRequest) -> HttpResponse:
    """依法治区办: seal the list of the documents in force in its area."""
    units = list(user_units_with_role(request.user, [Role.RULE_OF_LAW_OFFICE]).filter(parent__isnull=False).order_by("path"))
    mine = [u for u in units if not any(u.path.startswith(o.path) and u != o for o in units)]
    if not mine:
        raise DjangoPermissionDenied("只有依法治区办可以发布规范性文件目录")
    if request.method == "POST":
        unit = next((u for u in mine if str(u.pk) == request.POST.get("unit")), mine[0])
        try:
            snap = catalogue_publish(unit=unit, actor=request.user, note=request.POST.get("note", ""))
        except FazhiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已发布{unit.name}现行有效规范性文件目录：{snap.count} 件，校验值 SHA-256 {snap.sha256[:16]}…")
        return redirect("normative_catalogue_publish")
    counts = {u.pk: len(catalogue(timezone.localdate(), unit=u, status=IN_FORCE)) for u in mine}
    snapshots = CatalogueSnapshot.objects.filter(unit__in=mine).select_related("unit", "published_by")[:20]
    return render(request, "normative_docs/publish.html", {"units": [(u, counts[u.pk]) for u in mine], "snapshots": snapshots})
