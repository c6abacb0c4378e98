"""Telling the party: the document by e-mail (Django's mail framework, to the configured SMTP server)
and a short text message through an adapter (``FAZHI_SMS_BACKEND``; the file backend writes each
message under ``FAZHI_SMS_DIR`` for development). Sent after the step commits; a failure to send
never undoes the step, and is logged without the address or the phone number."""

from __future__ import annotations

import logging
import smtplib
import subprocess
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.module_loading import import_string

from fazhi.core.errors import FazhiError
from fazhi.documents.models import IssuedDocument

log = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class FileSMSBackend:
    """Development: each message is a file (phone and text) in ``FAZHI_SMS_DIR``."""

    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.FAZHI_SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.txt").write_text(f"{phone}\n{text}\n", encoding="utf-8")


def sms_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.FAZHI_SMS_BACKEND)()
    return backend


def document_mail(document_id: int, address: str) -> bool:
    """Send the document (its PDF where LibreOffice is installed, else the DOCX) to the address."""
    from fazhi.documents.services import date_cn, document_pdf, docx_bytes

    doc = IssuedDocument.objects.select_related("unit").get(pk=document_id)
    body = "\n".join(
        [
            f"{doc.addressee}：" if doc.addressee else "您好：",
            f"{doc.unit.name}于{date_cn(doc.issued_on)}向您出具了《{doc.title}》（{doc.number}），见附件。",
            f"文书验证码：{doc.code}，可在 {settings.FAZHI_PUBLIC_URL.rstrip('/')}/gongkai/yanzheng/ 查验。",
            "本邮件由系统自动发送，请勿直接回复。",
        ]
    )
    message = EmailMessage(subject=f"《{doc.title}》{doc.number}", body=body, to=[address])
    try:
        try:
            message.attach(f"{doc.number}.pdf", document_pdf(doc), "application/pdf")
        except (FazhiError, subprocess.SubprocessError, OSError):  # no LibreOffice here: the DOCX is the document as well
            message.attach(f"{doc.number}.docx", docx_bytes(doc), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        message.send(fail_silently=False)
        return True
    except (smtplib.SMTPException, OSError, FazhiError) as exc:  # the step stands; the failure is logged
        log.warning("document %s: e-mail not sent (%s)", doc.number, type(exc).__name__)
        return False


def document_sms(document_id: int, phone: str) -> bool:
    doc = IssuedDocument.objects.select_related("unit").get(pk=document_id)
    text = f"【{doc.unit.name}】您的《{doc.title}》（{doc.number}）已出具，验证码 {doc.code}。"
    try:
        sms_backend().send(phone, text)
        return True
    except Exception as exc:
        log.warning("document %s: text message not sent (%s)", doc.number, type(exc).__name__)
        return False


def notify_on_commit(doc: IssuedDocument, *, email: str = "", phone: str = "") -> None:
    if email:
        transaction.on_commit(lambda: document_mail(doc.pk, email))
    if phone:
        transaction.on_commit(lambda: document_sms(doc.pk, phone))
