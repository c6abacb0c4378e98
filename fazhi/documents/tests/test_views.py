"""The documents on the staff pages (list, download, print, today's batch) and the portal's
verification page: only users who may see the matter reach a document; the portal never shows the
addressee; a bad upload is a Chinese message, never a server error."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from conftest import do
from fazhi.core.files import file_path
from fazhi.documents import services
from fazhi.documents.models import IssuedDocument

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def accepted(make_case: Any, org: Any, **overrides: Any) -> Any:
    case = make_case(**overrides)
    do(case, "accept", org.alice, accepted_on=timezone.localdate().isoformat(), procedure="ordinary")
    case.refresh_from_db()
    return case


def test_the_matter_page_lists_its_documents_with_links(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    page = client_for(org.alice).get(f"/r/reconsideration/{case.pk}/").content.decode()
    assert 'id="documents"' in page and doc.title in page and doc.number in page and case.applicant_name in page
    for url in (f"/wenshu/{doc.pk}.docx", f"/wenshu/{doc.pk}.pdf", f"/wenshu/{doc.pk}/dayin/"):
        assert url in page
    assert "下载 DOCX" in page and "下载 PDF" in page and "打印" in page
    # every register's page has the panel (a register without documents says so)
    assert "尚未出具文书" in client_for(org.alice).get(f"/r/reconsideration/{make_case().pk}/").content.decode()


def test_only_users_who_see_the_matter_get_its_documents(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    urls = [f"/wenshu/{doc.pk}.docx", f"/wenshu/{doc.pk}/dayin/"]
    for user in (org.frank, org.erin):  # the other district's body; a department below the district
        c = client_for(user)
        for url in urls:
            assert c.get(url).status_code == 404, (user.username, url)
    assert client_for(org.dave).get(urls[0]).status_code == 200  # the district's rule-of-law office sees it
    assert client_for(org.alice).get(f"/wenshu/{doc.pk + 1000}.docx").status_code == 404
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    docx = client_for(org.alice).get(urls[0])
    assert docx.status_code == 200 and docx.content == file_path(doc.docx_sha256).read_bytes()
    assert "attachment" in docx["Content-Disposition"]


def test_the_print_view_has_the_text_number_closing_qr_and_code(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    page = client_for(org.alice).get(f"/wenshu/{doc.pk}/dayin/").content.decode()
    assert doc.number in page and doc.code in page and doc.paragraphs[0] in page and org.body.name in page
    assert services.date_cn(doc.issued_on) in page and "<svg" in page and "data-print" in page and "210mm" in page


def test_the_pdf_downloads_and_is_frozen(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    assert client_for(org.frank).get(f"/wenshu/{doc.pk}.pdf").status_code == 404
    assert not doc.renditions.exists()  # the refused request rendered nothing
    first = client_for(org.alice).get(f"/wenshu/{doc.pk}.pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(first.content)).pages[0].extract_text()
    assert doc.code in text
    assert client_for(org.bob).get(f"/wenshu/{doc.pk}.pdf").content == first.content
    assert services.verify_file(first.content).ok
    # on the portal: the downloaded PDF passes; re-saved with a changed title, or one byte changed, it fails
    cache.clear()
    assert "查验通过：" in Client().post("/gongkai/yanzheng/", _upload(first.content, "a.pdf")).content.decode()
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(first.content)))
    writer.add_metadata({"/Title": "行政复议不予受理决定书"})
    out = io.BytesIO()
    writer.write(out)
    resaved = Client().post("/gongkai/yanzheng/", _upload(out.getvalue(), "a.pdf")).content.decode()
    assert "查验未通过" in resaved and doc.number in resaved and "已被改动" in resaved
    flipped = bytearray(first.content)
    flipped[-40] ^= 0x01
    assert "查验通过：" not in Client().post("/gongkai/yanzheng/", _upload(bytes(flipped), "a.pdf")).content.decode()


def test_todays_batch_lists_the_users_units_and_merges_one_pdf(org: Any, make_case: Any) -> None:
    from fazhi.registers.framework.services import matter_create

    cases = [accepted(make_case, org) for _ in range(2)]
    other = matter_create(register="reconsideration", unit=org.other_body, actor=org.frank, data={**_application(), "applicant_name": "李四"})
    do(other, "accept", org.frank, accepted_on=timezone.localdate().isoformat(), procedure="ordinary")
    mine = [services.documents_of("reconsideration", c.pk).get() for c in cases]
    theirs = services.documents_of("reconsideration", other.pk).get()
    page = client_for(org.alice).get("/wenshu/jinri/").content.decode()
    assert all(d.number in page for d in mine) and theirs.number not in page and "合并打印" in page
    # another day: nothing; a bad date: the field named
    assert "当日没有出具文书" in client_for(org.alice).get("/wenshu/jinri/?date=2001-01-01").content.decode()
    bad = client_for(org.alice).get("/wenshu/jinri/?date=yesterday")
    assert bad.status_code == 400 and "出具日期" in bad.content.decode()
    # a unit the user does not reach cannot be chosen
    refused = client_for(org.alice).get(f"/wenshu/jinri/?unit={org.other_body.pk}")
    assert refused.status_code == 400 and theirs.number not in refused.content.decode()
    merged = client_for(org.alice).get(f"/wenshu/jinri/hebing.pdf?unit={org.body.pk}")
    assert merged.status_code == 200 and merged["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(merged.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert all(d.code in text for d in mine) and theirs.code not in text
    assert len(reader.pages) == sum(len(PdfReader(io.BytesIO(services.document_pdf(d))).pages) for d in mine)
    assert client_for(org.alice).get("/wenshu/jinri/hebing.pdf?date=2001-01-01").status_code == 404
    assert Client().get("/wenshu/jinri/").status_code == 302


def _application() -> dict[str, Any]:
    from conftest import application

    return application()


# --- the portal ---------------------------------------------------------------------------


def test_the_portal_verifies_a_code_from_the_qr_link_without_the_addressee(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    assert services.verify_url(doc.code).endswith(f"/gongkai/yanzheng/?code={doc.code}")
    page = Client().get(f"/gongkai/yanzheng/?code={doc.code}").content.decode()
    assert "查验通过" in page and doc.number in page and org.body.name in page and services.date_cn(doc.issued_on) in page
    assert case.applicant_name not in page and doc.addressee not in page
    typed = Client().post("/gongkai/yanzheng/", {"code": doc.code.replace("-", "").lower()}).content.decode()
    assert "查验通过" in typed
    unknown = Client().get("/gongkai/yanzheng/?code=AAAA-BBBB-CCCC").content.decode()
    assert "未能查验" in unknown and "没有找到该验证码对应的文书" in unknown
    empty = Client().post("/gongkai/yanzheng/", {})
    assert empty.status_code == 400 and "请输入文书上的验证码" in empty.content.decode()


def _upload(content: bytes, name: str = "文书.docx") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content)}


def test_the_portal_verifies_an_uploaded_file_and_refuses_a_changed_one(org: Any, make_case: Any) -> None:
    cache.clear()
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    original = file_path(doc.docx_sha256).read_bytes()
    ok = Client().post("/gongkai/yanzheng/", _upload(original)).content.decode()
    assert "查验通过" in ok and "与出具的文书一致" in ok and case.applicant_name not in ok
    changed = Document(io.BytesIO(original))
    p = next(p for p in changed.paragraphs if "予以受理" in p.text)
    p.text = p.text.replace("予以受理", "不予受理")
    out = io.BytesIO()
    changed.save(out)
    bad = Client().post("/gongkai/yanzheng/", _upload(out.getvalue())).content.decode()
    assert "查验未通过" in bad and "已被改动" in bad and "查验通过：" not in bad
    # a byte changed: no longer the issued file; not readable as a document either
    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0x01
    flip = Client().post("/gongkai/yanzheng/", _upload(bytes(flipped))).content.decode()
    assert "查验通过：" not in flip


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a not a document", "photo.gif", "文书文件：文件内容不是允许的类型（只接收PDF、Word 文档（DOCX））"),
        (b"", "empty.pdf", "文书文件：所提交的是空文件"),
        (b"PK\x03\x04 a broken zip", "broken.docx", "文书文件：文件压缩结构已损坏"),
        (b"%PDF-1.7\n a pdf named as a Word file", "renamed.docx", "扩展名“.docx”与文件内容（PDF）不符"),
        (b"%PDF-1.7\n broken", "broken.pdf", "该文件不是本平台出具的文书"),
    ],
)
def test_a_bad_upload_is_a_chinese_message_never_a_server_error(org: Any, content: bytes, name: str, message: str) -> None:
    cache.clear()
    response = Client().post("/gongkai/yanzheng/", _upload(content, name))
    assert response.status_code in (200, 400) and message in response.content.decode()


def test_an_oversized_upload_is_refused_before_reading(settings: Any) -> None:
    cache.clear()
    from fazhi.documents import views

    big = b"%PDF" + b"0" * (views.VERIFY_MAX_BYTES + 1)
    response = Client().post("/gongkai/yanzheng/", _upload(big, "big.pdf"))
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_uploads_are_flood_limited_per_client(settings: Any) -> None:
    cache.clear()
    settings.FAZHI_VERIFY_PER_CLIENT_PER_HOUR = 2
    for _ in range(2):
        assert Client().post("/gongkai/yanzheng/", _upload(b"GIF89a", "a.gif")).status_code == 400
    limited = Client().post("/gongkai/yanzheng/", _upload(b"GIF89a", "a.gif"))
    assert limited.status_code == 429 and "已达上限" in limited.content.decode()
    # typing the code is still possible
    assert Client().get("/gongkai/yanzheng/?code=AAAA-BBBB-CCCC").status_code == 200
    cache.clear()


def test_a_replaced_document_says_so(org: Any, make_case: Any) -> None:
    case = accepted(make_case, org)
    doc = services.documents_of("reconsideration", case.pk).get()
    from django.db import transaction

    from fazhi.documents.definition import templates

    with transaction.atomic():
        later = services.document_issue(
            templates()[doc.template],
            matter=case,
            unit=org.body,
            case_number=case.case_number,
            on=timezone.localdate(),
            actor=org.alice,
            event_id=None,
            replaces=doc,
        )
    page = Client().get(f"/gongkai/yanzheng/?code={doc.code}").content.decode()
    assert "该文书已被更正" in page and later.number in page and "查验通过" not in page
    staff = client_for(org.alice).get(f"/r/reconsideration/{case.pk}/").content.decode()
    assert "（已被更正）" in staff and f"更正 {doc.number}" in staff
    assert IssuedDocument.objects.filter(replaces=doc).count() == 1
