"""Documents on the staff pages (download, print, today's batch) and the portal's verification page.

A user reaches a document only through its matter: the register framework's visibility decides
(404 otherwise). The portal page shows what ``services.verify_code`` / ``verify_file`` say and
nothing of the addressee.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from typing import Any
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fazhi.core.errors import FazhiError, ValidationFailed
from fazhi.core.files import file_check
from fazhi.core.http import failure_message
from fazhi.core.models import Unit
from fazhi.core.selectors import unit_scope_q, units_visible_to, user_scope_paths
from fazhi.core.throttle import Limit, throttle_take
from fazhi.documents import services
from fazhi.documents.models import IssuedDocument
from fazhi.registers.framework.registry import REGISTRY
from fazhi.registers.framework.selectors import matter_get_for
from fazhi.registers.framework.workflow import workflow_visible

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BATCH_MAX = 200  # documents in one merged PDF (a day's work of a department is far fewer)
PDF_FAILED = "PDF 生成失败或超时，请稍后再试；也可先下载 DOCX"
VERIFY_MAX_BYTES = 10 * 1024 * 1024
VERIFY_PER_CLIENT_PER_HOUR = 30
VERIFY_PER_NETWORK_PER_HOUR = 200


# --- staff ----------------------------------------------------------------------------------


def document_for(user: Any, pk: int) -> IssuedDocument:
    """The document, when the user may see its matter; 404 otherwise (also for an unknown one)."""
    doc = IssuedDocument.objects.select_related("unit", "replaces").filter(pk=pk).first()
    if doc is None or not record_visible(user, doc.register, doc.object_id):
        raise Http404("文书不存在或您无权查看")
    return doc


def record_visible(user: Any, register: str, object_id: int) -> bool:
    """A register's matter by the framework's visibility; a workflow's record (a 督察 lead, a report,
    a 考核 scheme) by what its app registered."""
    reg = REGISTRY.get(register)
    if reg is not None:
        return matter_get_for(user, reg, object_id) is not None
    return workflow_visible(register, user, object_id)


def documents_visible_to(user: Any) -> QuerySet[IssuedDocument]:
    """Documents of the units the user reaches (a document's unit is its matter's unit)."""
    return IssuedDocument.objects.filter(unit_scope_q(user_scope_paths(user), field="unit__path")).select_related("unit")


def matter_documents_panel(request: HttpRequest, matter: Any) -> dict[str, Any]:
    """Context of the 文书 panel on a matter's page (the page has checked the user sees the matter)."""
    return documents_panel(type(matter).register_name, matter.pk)


def documents_panel(register: str, object_id: int) -> dict[str, Any]:
    """Context of the 文书 panel (``documents/_matter_panel.html``) for a matter or a workflow record."""
    docs = list(services.documents_of(register, object_id))
    replaced = set(IssuedDocument.objects.filter(replaces__in=docs).values_list("replaces_id", flat=True))
    return {"documents": [(d, d.pk in replaced) for d in docs]}


def _filename(doc: IssuedDocument, ext: str) -> str:
    return f"{doc.title}{doc.number}.{ext}"


def _attachment(content: bytes, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    doc = document_for(request.user, pk)
    try:
        content = services.docx_bytes(doc)
    except FazhiError as exc:
        return render(request, "documents/problem.html", {"message": failure_message(exc)}, status=409)
    return _attachment(content, DOCX, _filename(doc, "docx"))


@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    doc = document_for(request.user, pk)
    try:
        content = services.document_pdf(doc)
    except FazhiError as exc:
        return render(request, "documents/problem.html", {"message": failure_message(exc)}, status=409)
    except subprocess.SubprocessError:
        return render(request, "documents/problem.html", {"message": PDF_FAILED}, status=503)
    return _attachment(content, "application/pdf", _filename(doc, "pdf"))


def qr_svg(doc: IssuedDocument) -> str:
    return str(segno.make(services.verify_url(doc.code), error="m").svg_inline(scale=3, border=2))


@login_required
def document_print(request: HttpRequest, pk: int) -> HttpResponse:
    doc = document_for(request.user, pk)
    return render(request, "documents/print.html", {"docs": [_printable(doc)]})


@login_required
def document_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The 送达回证 of a document, to print and have signed (the service is then recorded on the
    platform: 送达 page)."""
    return render(request, "documents/receipt.html", {"doc": document_for(request.user, pk)})


def _printable(doc: IssuedDocument) -> dict[str, Any]:
    return {
        "doc": doc,
        "issued_on": services.date_cn(doc.issued_on),
        "qr": qr_svg(doc),
        "verify_at": f"{settings.FAZHI_PUBLIC_URL.rstrip('/')}/gongkai/yanzheng/",
    }


class BatchFilter(forms.Form):
    unit = forms.ModelChoiceField(label="出具单位", queryset=Unit.objects.none(), required=False, empty_label="我的全部单位")
    date = forms.DateField(label="出具日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_visible_to(user).order_by("path")  # type: ignore[attr-defined]


def _batch(request: HttpRequest) -> tuple[BatchFilter, dt.date, list[IssuedDocument]]:
    form = BatchFilter(request.GET or None, user=request.user)
    day = timezone.localdate()
    qs = documents_visible_to(request.user)
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["date"] or day
        if form.cleaned_data["unit"] is not None:
            qs = qs.filter(unit=form.cleaned_data["unit"])
    return form, day, list(qs.filter(issued_on=day).order_by("unit__path", "id")[: BATCH_MAX + 1])


@login_required
def documents_today(request: HttpRequest) -> HttpResponse:
    form, day, docs = _batch(request)
    return render(
        request,
        "documents/today.html",
        {"form": form, "day": day, "docs": docs[:BATCH_MAX], "too_many": len(docs) > BATCH_MAX, "query": request.GET.urlencode(), "max": BATCH_MAX},
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def pdfs_merge(parts: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for content in parts:
        writer.append(PdfReader(io.BytesIO(content)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def batch_pdf(docs: list[IssuedDocument]) -> bytes:
    """One PDF of the documents, each its frozen PDF (rendered and frozen now where not yet)."""
    return pdfs_merge(services.documents_pdf(docs))


@login_required
def documents_today_pdf(request: HttpRequest) -> HttpResponse:
    form, day, docs = _batch(request)
    if form.is_bound and not form.is_valid():
        return render(request, "documents/problem.html", {"message": "筛选条件有误：请检查出具单位和出具日期"}, status=400)
    if not docs:
        return render(request, "documents/problem.html", {"message": f"{services.date_cn(day)}没有出具文书，无可打印内容"}, status=404)
    if len(docs) > BATCH_MAX:
        return render(request, "documents/problem.html", {"message": f"文书超过{BATCH_MAX}份，请按出具单位分批打印"}, status=400)
    try:
        content = batch_pdf(docs)
    except FazhiError as exc:
        return render(request, "documents/problem.html", {"message": failure_message(exc)}, status=409)
    except subprocess.SubprocessError:
        return render(request, "documents/problem.html", {"message": PDF_FAILED}, status=503)
    return _attachment(content, "application/pdf", f"文书合并打印{day.isoformat()}.pdf")


# --- portal ---------------------------------------------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=40, required=False)
    file = forms.FileField(label="文书文件（PDF 或 DOCX）", required=False)


VERIFY_MESSAGES = {
    "client": "您在一小时内上传查验的文件已达上限，请稍后再试，或输入文书上的验证码查验。",
    "network": "您所在网络在一小时内上传查验的文件已达上限，请稍后再试，或输入文书上的验证码查验。",
}


def upload_limited(request: HttpRequest) -> str:
    """Uploads counted per client address and per network per hour (``core/throttle.py``: in the
    database under a lock, so every server process sees the same counts); a message when over."""
    limit = Limit(
        getattr(settings, "FAZHI_VERIFY_PER_CLIENT_PER_HOUR", VERIFY_PER_CLIENT_PER_HOUR),
        getattr(settings, "FAZHI_VERIFY_PER_NETWORK_PER_HOUR", VERIFY_PER_NETWORK_PER_HOUR),
        dt.timedelta(hours=1),
    )
    with transaction.atomic():
        refused = throttle_take("documents.verify", request, limit)
    return VERIFY_MESSAGES[refused] if refused else ""


def _upload_verdict(upload: Any) -> services.Verdict | str:
    if upload.size > VERIFY_MAX_BYTES:
        return f"文件过大（{upload.size / 1048576:.1f} MB）：文书文件不超过 {VERIFY_MAX_BYTES // 1048576} MB，请上传本平台出具的 PDF 或 DOCX 原件"
    content = upload.read()
    if not content:
        return "上传的文件是空的，请重新选择文件"
    try:
        file_check(content, name=upload.name or "", label="文书文件", allowed=("pdf", "docx"), max_bytes=VERIFY_MAX_BYTES)
    except ValidationFailed as exc:
        return failure_message(exc) + "；请上传本平台出具的 PDF 或 DOCX 原件"
    try:
        return services.verify_file(content)
    except Exception:  # a damaged or hostile file: say so, never a server error
        return "无法读取上传的文件（文件可能已损坏）；请上传本平台出具的 PDF 或 DOCX 原件，或输入验证码查验"


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """/gongkai/yanzheng/: a verification code (typed, or opened from the QR code) or an uploaded file."""
    verdict: services.Verdict | None = None
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload, code = form.cleaned_data["file"], form.cleaned_data["code"].strip()
            if upload is not None:
                limit = upload_limited(request)
                if limit:
                    form.add_error("file", limit)
                    status = 429
                else:
                    result = _upload_verdict(upload)
                    if isinstance(result, str):
                        form.add_error("file", result)
                        status = 400
                    else:
                        verdict = result
            elif code:
                verdict = services.verify_code(code)
            else:
                form.add_error(None, "请输入文书上的验证码，或选择要查验的文件")
                status = 400
        else:
            status = 400
    else:
        code = request.GET.get("code", "").strip()[:40]
        form = VerifyForm(initial={"code": code})
        if code:
            verdict = services.verify_code(code)
    context: dict[str, Any] = {"form": form, "verdict": verdict}
    if verdict is not None and verdict.document is not None:
        doc = verdict.document
        context |= {"doc": doc, "issued_on": services.date_cn(doc.issued_on), "issued_at": timezone.localtime(doc.issued_at)}
    return render(request, "documents/verify.html", context, status=status)
