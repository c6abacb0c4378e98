"""The public portal: 政府信息公开 requests without login, a tracking code and a status page.

Floods and spam are resisted by a hidden honeypot field, a signed arithmetic challenge good for
one request, and limits per client address and per network (``core/throttle.py``: keyed digests,
never the address itself; counted under a lock in the request's transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.audit import signing as log_signing
from fazhi.audit.models import Checkpoint
from fazhi.core.errors import ValidationFailed
from fazhi.core.masking import mask_name
from fazhi.core.models import Kind, Level, Unit
from fazhi.core.throttle import Limit, challenge_spend, throttle_take
from fazhi.documents.definition import templates
from fazhi.documents.models import IssuedDocument
from fazhi.documents.services import document_pdf, documents_of, docx_bytes
from fazhi.registers.disclosure.models import ApplicantType, DisclosureRequest
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.selectors import due_status
from fazhi.registers.framework.services import matter_create_public

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CHALLENGE_SALT = "fazhi.portal.challenge"
NUMBERS_ZH = "零一二三四五六七八九十"


def tracking_code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def tracking_code_digest(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)
    return hashlib.sha256(f"fazhi-tracking:{normalized}".encode()).hexdigest()


def challenge_new() -> tuple[str, str]:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(16)}, salt=CHALLENGE_SALT)
    return f"{NUMBERS_ZH[a]}加{NUMBERS_ZH[b]}等于几？（请填阿拉伯数字）", token


def challenge_ok(token: str, answer: str) -> str:
    """The challenge's nonce when the answer is right and the token genuine and fresh, else ""
    (the caller spends the nonce with ``challenge_spend``: a token is good for one request)."""
    try:
        data = signing.loads(token, salt=CHALLENGE_SALT, max_age=settings.FAZHI_PORTAL_CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return ""
    return str(data.get("n", "")) if str(answer).strip() == str(data.get("s")) else ""


def portal_units() -> Any:
    return Unit.objects.filter(kind__in=[Kind.GOVERNMENT, Kind.DEPARTMENT], level__in=[Level.DISTRICT, Level.SUBDISTRICT]).order_by("path")


class RequestForm(forms.Form):
    unit = forms.ModelChoiceField(label="向哪个机关申请", queryset=Unit.objects.none(), empty_label="请选择")
    applicant_type = forms.ChoiceField(label="申请人类型", choices=ApplicantType.choices)
    applicant_name = forms.CharField(label="申请人姓名或名称", max_length=100)
    applicant_id_number = forms.CharField(label="身份证件号码（或统一社会信用代码）", max_length=40, required=False)
    applicant_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    applicant_email = forms.EmailField(label="电子邮箱", required=False)
    applicant_address = forms.CharField(label="通信地址", max_length=200, required=False)
    content = forms.CharField(label="所需政府信息的名称、文号或者便于查询的其他特征性描述", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=[("电子邮件", "电子邮件"), ("邮寄纸质", "邮寄纸质"), ("当面领取", "当面领取")])
    website = forms.CharField(required=False, label="请勿填写此项", widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    challenge_token = forms.CharField(widget=forms.HiddenInput)
    challenge_answer = forms.CharField(label="验证问题", max_length=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = portal_units()  # type: ignore[attr-defined]


LIMIT_MESSAGES = {
    "client": "您在一小时内提交的申请已达上限，请稍后再试；如需提交大量申请，请与有关机关联系。",
    "network": "您所在网络在一小时内提交的申请已达上限，请稍后再试，或通过信函、当面等方式提交申请。",
}


class Refused(Exception):
    pass


def portal_limit() -> Limit:
    return Limit(settings.FAZHI_PORTAL_PER_CLIENT_PER_HOUR, settings.FAZHI_PORTAL_PER_NETWORK_PER_HOUR, dt.timedelta(hours=1))


@require_http_methods(["GET", "POST"])
def disclosure_apply(request: HttpRequest) -> HttpResponse:
    question, token = challenge_new()
    if request.method == "GET":
        form = RequestForm(initial={"challenge_token": token})
        return render(request, "web/portal/apply.html", {"form": form, "question": question})
    form = RequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            form.add_error(None, "提交未被接受。")  # a bot filled the hidden field
        elif not (nonce := challenge_ok(data["challenge_token"], data["challenge_answer"])):
            form.add_error("challenge_answer", "验证问题回答错误或已过期，请回答新的问题。")
        else:
            code = tracking_code_new()
            fields = [
                "applicant_type",
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "applicant_email",
                "applicant_address",
                "content",
                "delivery",
            ]
            try:
                with transaction.atomic():
                    # the count and the insert under one lock, in the request's own transaction
                    refused = throttle_take("portal.request", request, portal_limit())
                    if refused:
                        raise Refused(refused)
                    if not challenge_spend(nonce):
                        form.add_error("challenge_answer", "该验证问题已经使用过，请回答新的问题。")
                        raise Refused("")
                    matter = matter_create_public(
                        register="disclosure",
                        unit=data["unit"],
                        data={k: data[k] for k in fields},
                        fixed={"received_on": timezone.localdate(), "channel": "online"},
                    )
                    DisclosureRequest.objects.filter(pk=matter.pk).update(tracking_code_hash=tracking_code_digest(code))
            except Refused as exc:
                if str(exc):
                    return render(request, "web/portal/limited.html", {"message": LIMIT_MESSAGES[str(exc)]}, status=429)
            except ValidationFailed as exc:
                for name, messages in exc.errors.items():
                    for m in messages:
                        form.add_error(name if name in form.fields else None, m)
            else:
                return render(request, "web/portal/submitted.html", {"matter": matter, "code": code})
    again = request.POST.copy()
    again["challenge_token"], again["challenge_answer"] = token, ""
    form.data = again
    return render(request, "web/portal/apply.html", {"form": form, "question": question}, status=400)


class StatusForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20)


def _request_by_code(code: str) -> DisclosureRequest | None:
    if not code.strip():
        return None
    return DisclosureRequest.objects.select_related("unit").filter(tracking_code_hash=tracking_code_digest(code)).first()


def applicant_documents(matter: DisclosureRequest) -> list[IssuedDocument]:
    """The documents of the request addressed to its applicant (the reply letter, the notices)."""
    known = templates()
    out = []
    for doc in documents_of("disclosure", matter.pk):
        t = known.get(doc.template)
        if (t.addressee == "applicant_name") if t is not None else (doc.addressee == matter.applicant_name):
            out.append(doc)
    return out


@require_http_methods(["GET", "POST"])
def disclosure_status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        matter = _request_by_code(form.cleaned_data["code"])
        if matter is None:
            form.add_error("code", "未找到与该查询码对应的申请，请核对后重新输入。")
        else:
            definition = register_get("disclosure").definition
            outcome = definition.outcomes.get(matter.outcome)
            context |= {
                "matter": matter,
                "applicant": mask_name(matter.applicant_name),
                "state_label": definition.states[matter.state].label,
                "outcome": outcome.label if outcome else "",
                "status": due_status(matter.due_on, timezone.localdate()),
                "documents": applicant_documents(matter),
                "code": form.cleaned_data["code"],
            }
    return render(request, "web/portal/status.html", context, status=200 if form.is_valid() or request.method == "GET" else 400)


class DocumentForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20)
    document = forms.IntegerField(label="文书", min_value=1)
    format = forms.ChoiceField(label="文件格式", choices=[("docx", "DOCX"), ("pdf", "PDF")])


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_POST
def disclosure_document(request: HttpRequest) -> HttpResponse:
    """A letter of the request, downloaded by the applicant with the tracking code (POST: the code
    never appears in an address or a log). Only the documents of that request addressed to them."""
    form = DocumentForm(request.POST)
    if not form.is_valid():
        return render(
            request, "web/portal/document_error.html", {"errors": [f"{form.fields[k].label}：{m}" for k, ms in form.errors.items() for m in ms]}, status=400
        )
    matter = _request_by_code(form.cleaned_data["code"])
    doc = next((d for d in applicant_documents(matter) if d.pk == form.cleaned_data["document"]), None) if matter else None
    if doc is None:
        return render(request, "web/portal/document_error.html", {"errors": ["未找到该文书，或查询码与该文书不对应，请核对查询码后重新查询。"]}, status=404)
    try:
        if form.cleaned_data["format"] == "pdf":
            content, kind, ext = document_pdf(doc), "application/pdf", "pdf"
        else:
            content, kind, ext = docx_bytes(doc), DOCX_TYPE, "docx"
    except ValidationFailed as exc:
        return render(request, "web/portal/document_error.html", {"errors": [m for ms in exc.errors.values() for m in ms]}, status=503)
    except Exception:  # LibreOffice missing or failing: the DOCX is still there
        return render(request, "web/portal/document_error.html", {"errors": ["PDF 文件暂时无法生成，请下载 DOCX 文件，或稍后再试。"]}, status=503)
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.number}.{ext}")
    response["Cache-Control"] = "no-store"
    return response


def log_checkpoints(request: HttpRequest) -> HttpResponse:
    """记录校验: the signed checkpoints of the log, for anyone to keep and check against later."""
    signed = Checkpoint.objects.exclude(note="").order_by("-size", "-pk")
    return render(
        request,
        "web/portal/checkpoints.html",
        {"latest": signed.first(), "checkpoints": signed[:30], "total": signed.count(), "verifier": log_signing.verifier_key()},
    )


def log_checkpoint_file(request: HttpRequest, size: int) -> HttpResponse:
    cp = Checkpoint.objects.exclude(note="").filter(size=size).order_by("-pk").first()  # the newest key's
    if cp is None:
        raise Http404("没有这个检查点")
    response = HttpResponse(cp.note, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cp.size:012d}.checkpoint"'
    return response


def log_verifier_key(request: HttpRequest) -> HttpResponse:
    key = log_signing.verifier_key()
    if key is None:
        raise Http404("未配置签名密钥")
    return HttpResponse(key + "\n", content_type="text/plain; charset=utf-8")
