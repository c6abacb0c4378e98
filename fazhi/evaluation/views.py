"""考核 pages: the schemes a user may see, the ranked results, and each unit's "why this score"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core.errors import FazhiError
from fazhi.core.files import file_path
from fazhi.core.http import failure_message, form_errors_message
from fazhi.documents.views import documents_panel
from fazhi.evaluation import services
from fazhi.evaluation.models import ManualScore, Result, Scheme
from fazhi.evaluation.selectors import results_visible_to, schemes_visible_to, user_organises
from fazhi.indicators.catalogue import catalogue
from fazhi.registers.framework.workflow import workflow_events

STATUS = {"scored": "已计分", "pending": "待评分", "no_records": "无记录，不计分", "small": "样本不足，不计分", "vetoed": "一票否决", "clear": "未发生"}


def _scheme(request: HttpRequest, pk: int) -> tuple[Scheme, list[Result]]:
    scheme = Scheme.objects.select_related("unit").filter(pk=pk).first()
    results = results_visible_to(request.user, scheme) if scheme else None
    if scheme is None or results is None:
        raise Http404("考核不存在或您无权查看")
    return scheme, results


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    rows = [(scheme, user_organises(request.user, scheme)) for scheme in schemes_visible_to(request.user)]
    return render(request, "evaluation/schemes.html", {"rows": rows})


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme, results = _scheme(request, pk)
    spec = services.spec_of(scheme)
    organiser = user_organises(request.user, scheme)
    urls = {"compute": "evaluation_compute", "publish": "evaluation_publish"}
    actions = [(a, label, style, urls[a]) for a, label, style in services.scheme_actions(request.user, scheme)]
    return render(
        request,
        "evaluation/scheme.html",
        {
            "scheme": scheme,
            "spec": spec,
            "indicator_names": {code: ind.name for code, ind in catalogue().items()},
            "results": results,
            "organiser": organiser,
            "actions": actions,
            # the steps name the units scored by hand: the organisers' history, not the units'
            "events": workflow_events(services.WORKFLOW, scheme) if organiser else [],
            "documents_panel": documents_panel(services.WORKFLOW, scheme.pk),
        },
    )


@login_required
@require_POST
def scheme_compute(request: HttpRequest, pk: int) -> HttpResponse:
    scheme, _ = _scheme(request, pk)
    try:
        n = len(services.scheme_compute(scheme, request.user))
        messages.success(request, f"已按方案计算 {n} 个单位的得分")
    except FazhiError as exc:
        messages.error(request, exc.message)
    return redirect("evaluation_scheme", pk=scheme.pk)


@login_required
@require_POST
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme, _ = _scheme(request, pk)
    try:
        scheme = services.scheme_publish(scheme, request.user)
        messages.success(request, f"考核结果已发布，结果校验值 SHA-256 {scheme.results_sha256[:16]}…")
    except FazhiError as exc:
        messages.error(request, exc.message)
    return redirect("evaluation_scheme", pk=scheme.pk)


class ManualForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput)
    points = forms.DecimalField(
        label="得分", required=False, max_digits=6, decimal_places=2, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.5"})
    )
    vetoed = forms.BooleanField(label="查实，一票否决", required=False)
    note = forms.CharField(label="评分理由", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))
    evidence = forms.FileField(label="佐证材料", required=False, widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}))


@login_required
def unit_score(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    scheme, results = _scheme(request, pk)
    result = next((r for r in results if r.unit_id == unit_id), None)
    if result is None:
        raise Http404("该单位的考核结果不存在或您无权查看")
    organiser = user_organises(request.user, scheme)
    can_score = organiser and services.may(request.user, scheme, "manual")
    if request.method == "POST":
        form = ManualForm(request.POST, request.FILES)
        if not organiser:
            raise Http404("您无权录入评分")
        if form.is_valid():
            d = form.cleaned_data
            upload = d["evidence"]
            try:
                from fazhi.core.http import upload_bytes

                evidence = (upload.name, upload_bytes(upload)) if upload else None
                services.manual_score_enter(
                    scheme=scheme,
                    unit=result.unit,
                    item_code=d["item"],
                    points=d["points"],
                    vetoed=d["vetoed"],
                    note=d["note"],
                    actor=request.user,
                    evidence=evidence,
                )
                services.scheme_compute(scheme, request.user)
                messages.success(request, f"{d['item']} 的评分已录入，得分已重新计算")
                return redirect("evaluation_unit", pk=scheme.pk, unit_id=unit_id)
            except FazhiError as exc:
                messages.error(request, failure_message(exc))
        else:
            messages.error(request, form_errors_message(form))
    items = [dict(i, status_label=STATUS.get(i["status"], i["status"])) for i in result.breakdown["items"]]
    return render(
        request,
        "evaluation/unit.html",
        {"scheme": scheme, "result": result, "items": items, "organiser": can_score, "year": scheme.year},
    )


@login_required
def evidence_download(request: HttpRequest, pk: int, manual_id: int) -> FileResponse:
    scheme, results = _scheme(request, pk)
    m = ManualScore.objects.filter(scheme=scheme, pk=manual_id).first()
    if m is None or not m.evidence_sha256 or m.unit_id not in {r.unit_id for r in results}:
        raise Http404("材料不存在或您无权查看")
    return FileResponse(file_path(m.evidence_sha256).open("rb"), as_attachment=True, filename=m.evidence_name)
