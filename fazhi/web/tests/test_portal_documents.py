"""The public tracking page of a 信息公开 request lists the letters addressed to the applicant and
lets them be downloaded (DOCX and PDF) with the tracking code, by POST; only that request's
documents: another request's document is not reachable with this code."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from docx import Document

from conftest import do
from fazhi.documents.services import docx_bytes
from fazhi.documents.tests.test_disclosure_documents import only_doc, request_, staff
from fazhi.registers.disclosure.models import DisclosureRequest
from fazhi.web.portal import tracking_code_digest, tracking_code_new

pytestmark = pytest.mark.django_db


def tracked(org: Any, **overrides: Any) -> tuple[DisclosureRequest, str]:
    case = request_(org, **overrides)
    code = tracking_code_new()
    DisclosureRequest.objects.filter(pk=case.pk).update(tracking_code_hash=tracking_code_digest(code))
    return case, code


def test_the_applicant_downloads_their_letters_by_tracking_code_and_no_one_elses(org: Any) -> None:
    reviewer, head = staff(org)
    mine, my_code = tracked(org)
    theirs, their_code = tracked(org, applicant_name="韩梅梅")
    do(mine, "extend", head, extended_on="2025-03-25", extension_reason="需要调取档案")
    do(mine, "reply", reviewer, replied_on="2025-04-20", outcome="disclosed")
    do(theirs, "reply", reviewer, replied_on="2025-03-20", outcome="refused_internal")
    letter, notice, other = only_doc(mine, "reply"), only_doc(mine, "extend"), only_doc(theirs, "reply")

    client = Client()
    page = client.post("/gongkai/chaxun/", {"code": my_code.lower()}).content.decode()
    assert 'id="documents"' in page and letter.number in page and notice.number in page and other.number not in page
    assert "政府信息公开申请延期答复告知书" in page and "李雷" not in page  # the name stays masked on the page

    docx = client.post("/gongkai/chaxun/wenshu/", {"code": my_code, "document": letter.pk, "format": "docx"})
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert docx.content == docx_bytes(letter) and "attachment" in docx["Content-Disposition"] and docx["Cache-Control"] == "no-store"
    assert letter.number in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    pdf = client.post("/gongkai/chaxun/wenshu/", {"code": my_code, "document": notice.pk, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"

    # another request's letter with my code, or with a made-up code: not found, nothing sent
    for code, pk in ((my_code, other.pk), ("AAAA-BBBB-CCCC", other.pk), ("", other.pk), (their_code, letter.pk)):
        refused = client.post("/gongkai/chaxun/wenshu/", {"code": code, "document": pk, "format": "docx"})
        assert refused.status_code in (400, 404) and refused["Content-Type"].startswith("text/html"), code
        assert docx_bytes(other)[:200] not in refused.content and docx_bytes(letter)[:200] not in refused.content
    wrong = client.post("/gongkai/chaxun/wenshu/", {"code": my_code, "document": other.pk, "format": "docx"}).content.decode()
    assert "查询码与该文书不对应" in wrong
    # their own code reaches their letter
    assert client.post("/gongkai/chaxun/wenshu/", {"code": their_code, "document": other.pk, "format": "docx"}).content == docx_bytes(other)


def test_bad_download_requests_get_a_chinese_message_not_an_error(org: Any) -> None:
    client = Client()
    assert client.get("/gongkai/chaxun/wenshu/").status_code == 405  # POST only: the code never travels in an address
    bad = client.post("/gongkai/chaxun/wenshu/", {"code": "ABCD-EFGH-JKLM", "document": "x", "format": "exe"})
    text = bad.content.decode()
    alert = re.search(r'id="document-error">(.*?)</div>\s*<p>', text, re.S)
    assert bad.status_code == 400 and alert is not None
    assert "文书：" in alert.group(1) and "文件格式：" in alert.group(1) and not re.search(r"document|format|code", alert.group(1))


def test_the_download_form_keeps_the_csrf_check(org: Any) -> None:
    reviewer, _ = staff(org)
    case, code = tracked(org)
    do(case, "reply", reviewer, replied_on="2025-03-20", outcome="disclosed")
    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/gongkai/chaxun/")
    assert page.status_code == 200
    assert strict.post("/gongkai/chaxun/wenshu/", {"code": code, "document": only_doc(case, "reply").pk, "format": "docx"}).status_code == 403
