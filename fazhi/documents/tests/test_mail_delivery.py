"""E-mail delivery against a real SMTP server (aiosmtpd on a free loopback port), not a mock: the
reply letter of a 信息公开 request arrives with the PDF attached and the verification code in the
body; a server that refuses the message leaves the step done and logs no address. The file SMS
backend writes the text."""

from __future__ import annotations

import email
import email.header
import email.policy
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from conftest import do
from fazhi.documents import services
from fazhi.documents.models import Rendition
from fazhi.documents.notify import FileSMSBackend
from fazhi.documents.tests.test_disclosure_documents import only_doc, request_, staff
from fazhi.registers.framework.models import MatterEvent

pytestmark = pytest.mark.django_db


class Mailbox:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.7.1 Message rejected"
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server(settings: Any, refuse: bool) -> Iterator[Mailbox]:
    box = Mailbox(refuse)
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    yield from _server(settings, refuse=False)


@pytest.fixture
def refusing_smtp(settings: Any) -> Iterator[Mailbox]:
    yield from _server(settings, refuse=True)


def test_the_reply_letter_arrives_at_the_smtp_server_with_the_pdf(org: Any, smtp: Mailbox, django_capture_on_commit_callbacks: Any) -> None:
    reviewer, _ = staff(org)
    case = request_(org, applicant_phone="")
    with django_capture_on_commit_callbacks(execute=True):
        do(case, "reply", reviewer, replied_on="2025-03-20", outcome="disclosed")
    doc = only_doc(case, "reply")
    assert len(smtp.received) == 1
    recipients, raw = smtp.received[0]
    assert recipients == ["lilei@example.com"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    subject = str(email.header.make_header(email.header.decode_header(email.message_from_bytes(raw)["Subject"])))
    assert subject == f"《政府信息公开申请答复书》{doc.number}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and doc.code in body.get_content() and "李雷" in body.get_content()
    (attachment,) = list(message.iter_attachments())
    content = attachment.get_content()
    # LibreOffice is installed here: the PDF, frozen on first use (the same bytes the platform keeps)
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename() == f"{doc.number}.pdf"
    assert content[:5] == b"%PDF-" and services.document_pdf(doc) == content
    assert Rendition.objects.filter(document=doc, kind="pdf").count() == 1
    assert services.verify_file(content).ok


def test_a_refusing_smtp_server_does_not_undo_the_step_and_logs_no_address(
    org: Any, refusing_smtp: Mailbox, django_capture_on_commit_callbacks: Any, caplog: Any, settings: Any, tmp_path: Any
) -> None:
    settings.FAZHI_SMS_DIR = tmp_path / "sms"
    reviewer, _ = staff(org)
    case = request_(org)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        do(case, "reply", reviewer, replied_on="2025-03-20", outcome="disclosed")
    case.refresh_from_db()
    assert case.state == "replied" and MatterEvent.objects.filter(object_id=case.pk, register="disclosure", transition="reply").exists()
    doc = only_doc(case, "reply")
    assert refusing_smtp.received == []
    # the platform's own log (the SMTP test server's debug log is its own business)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert f"document {doc.number}: e-mail not sent" in logged
    for personal in ("lilei@example.com", "lilei", "李雷", "13800001234"):
        assert personal not in logged
    # the text message still went out
    assert len(list((tmp_path / "sms").iterdir())) == 1


def test_the_file_sms_backend_writes_the_phone_and_the_text(settings: Any, tmp_path: Any) -> None:
    settings.FAZHI_SMS_DIR = tmp_path / "sms"
    FileSMSBackend().send("13800001234", "【东湖区市场监督管理局】您的《政府信息公开申请答复书》已出具")
    (written,) = list((tmp_path / "sms").iterdir())
    assert written.read_text(encoding="utf-8") == "13800001234\n【东湖区市场监督管理局】您的《政府信息公开申请答复书》已出具\n"
