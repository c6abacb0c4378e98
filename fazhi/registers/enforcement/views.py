"""Enforcement pages: the case panel (evidence, review duty), publicity (portal and staff),
officers, and the 两法衔接 board."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fazhi.core.errors import FazhiError, ValidationFailed
from fazhi.core.files import file_path
from fazhi.core.http import form_errors_message
from fazhi.core.selectors import user_roles_for_unit
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.evidence import EVIDENCE_STATES, evidence_add, evidence_intact
from fazhi.registers.enforcement.models import EnforcementCase, EvidenceItem, ImpunityFlag
from fazhi.registers.enforcement.selectors import (
    officer_statuses,
    officers_visible_to,
    public_row,
    publication_stats,
    published_decisions,
)
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.selectors import matter_get_for, matters_visible_to


class EvidenceForm(forms.Form):
    description = forms.CharField(label="证据名称", max_length=200, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
    collected_on = forms.DateField(label="取证日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    file = forms.FileField(label="文件", widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}))


def case_panel(request: HttpRequest, matter: EnforcementCase) -> dict[str, Any]:
    day = matter.decided_on or timezone.localdate()
    reasons, reference = rules.review_reasons(matter, day)
    roles = user_roles_for_unit(request.user, matter.unit)
    items = list(EvidenceItem.objects.filter(case=matter))
    flags = list(ImpunityFlag.objects.filter(case=matter))
    return {
        "evidence": [(e, evidence_intact(e)) for e in items],
        "evidence_form": EvidenceForm(initial={"collected_on": timezone.localdate()}) if "clerk" in roles and matter.state in EVIDENCE_STATES else None,
        "review_reasons": reasons,
        "review_reference": reference,
        "flags": flags,
        "transfers": list(matter.transfers.all()),
        # an open 以罚代刑 flag: the unit's clerk starts the 移送 from here, prefilled from the case
        "can_transfer": any(f.cleared_on is None for f in flags) and bool(roles & set(register_get("criminal_transfer").definition.create.roles)),
    }


def term_in_words(matter: EnforcementCase, term: str) -> str:
    """The 办案期限 a case runs under, as the law names it (the rule id stays behind the page)."""
    version = rules.term_rule(term, matter.received_on)
    return version.reference if version else ""


def _case(request: HttpRequest, pk: int) -> EnforcementCase:
    matter = matter_get_for(request.user, register_get("enforcement"), pk)
    if not isinstance(matter, EnforcementCase):
        raise Http404("没有这个案件")
    return matter


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        from fazhi.core.http import upload_bytes

        try:
            item = evidence_add(
                case=case,
                actor=request.user,
                content=upload_bytes(upload),
                file_name=upload.name,
                description=form.cleaned_data["description"],
                collected_on=form.cleaned_data["collected_on"],
            )
        except ValidationFailed as exc:
            messages.error(request, "；".join(m for ms in exc.errors.values() for m in ms))
        except FazhiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"证据已登记，SHA-256 {item.sha256[:16]}…")
    else:
        messages.error(request, form_errors_message(form))
    return redirect("matter_detail", register="enforcement", pk=case.pk)


@login_required
def evidence_download(request: HttpRequest, pk: int, item_id: int) -> FileResponse:
    case = _case(request, pk)
    item = EvidenceItem.objects.filter(case=case, pk=item_id).first()
    if item is None or not file_path(item.sha256).exists():
        raise Http404("没有这份证据")
    return FileResponse(file_path(item.sha256).open("rb"), as_attachment=True, filename=item.file_name)


def publicity_portal(request: HttpRequest) -> HttpResponse:
    """事后公开: published decisions, natural persons masked, retention applied."""
    today = timezone.localdate()
    q = (request.GET.get("q") or "").strip()[:50]
    qs = published_decisions(today)
    if q:
        qs = qs.filter(decision_number__icontains=q) | qs.filter(unit__name__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [r for r in (public_row(c, today) for c in page.object_list) if r is not None]
    return render(request, "enforcement/portal.html", {"rows": rows, "page": page, "q": q})


def powers_portal(request: HttpRequest) -> HttpResponse:
    """事前公开: the units' lists of powers with their basis, procedure and remedies."""
    from fazhi.registers.enforcement.models import PowerItem

    qs = PowerItem.objects.filter(active=True).select_related("unit").order_by("unit__path", "code")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "enforcement/portal_powers.html", {"page": page})


@login_required
def publicity_staff(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = int(request.GET.get("year") or today.year)
    cases = EnforcementCase.objects.filter(pk__in=matters_visible_to(request.user, register_get("enforcement")).values("pk"), decided_on__year=year)
    stats = publication_stats(cases, today)
    pending = cases.filter(decided_on__isnull=False, published_on__isnull=True).select_related("unit").order_by("decided_on")[:100]
    return render(request, "enforcement/publicity.html", {"stats": stats, "pending": pending, "year": year, "today": today})


@login_required
def officers_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    statuses = sorted(officer_statuses(officers_visible_to(request.user), today), key=lambda s: (s.officer.unit.path, s.officer.name))
    required, reference = rules.training_hours_required(today)
    return render(
        request,
        "enforcement/officers.html",
        {"statuses": statuses, "today": today, "required_hours": required, "reference": reference, "warnings": sum(1 for s in statuses if s.warning)},
    )


@login_required
def transfer_board(request: HttpRequest) -> HttpResponse:
    """两法衔接 monthly board: where each transfer stands, by month of the report."""
    reg = register_get("criminal_transfer")
    today = timezone.localdate()
    year = int(request.GET.get("year") or today.year)
    transfers = list(matters_visible_to(request.user, reg).filter(received_on__year=year).select_related("unit").order_by("received_on", "id"))
    months: dict[int, Counter[str]] = defaultdict(Counter)
    for t in transfers:
        months[t.received_on.month][t.state] += 1
    states = list(reg.definition.states.values())
    grid = [(m, [months[m][s.name] for s in states], sum(months[m].values())) for m in range(1, 13) if months[m]]
    flags = ImpunityFlag.objects.filter(cleared_on__isnull=True, case__in=matters_visible_to(request.user, register_get("enforcement"))).select_related("case")
    return render(
        request,
        "enforcement/transfer_board.html",
        {"reg": reg, "states": states, "grid": grid, "transfers": transfers, "year": year, "today": today, "flags": flags[:200], "flag_count": flags.count()},
    )
