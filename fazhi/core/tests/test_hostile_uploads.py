"""Hostile uploads to the report reader, the evidence of an enforcement case, the public
verification page and the other evidence uploads: each gets a clear Chinese message naming the
field, nothing is written (rows, events, audit leaves, stored files), and the server keeps
serving (the next request succeeds)."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.cache import cache as django_cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import PASSWORD, Org
from fazhi.audit.models import AuditLeaf
from fazhi.core.errors import ValidationFailed
from fazhi.core.files import DOCUMENT_KINDS, EVIDENCE_KINDS, file_check
from fazhi.registers.enforcement.models import EvidenceItem
from fazhi.registers.enforcement.tests.fixtures import make_agency, open_case
from fazhi.registers.framework.models import MatterEvent

pytestmark = pytest.mark.django_db


def _docx(text: str = "东湖区2025年度法治政府建设工作报告") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rewrite_body(data: bytes, change: Any) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "word/document.xml":
                with dst.open(item.filename, "w", force_zip64=True) as part:
                    change(src.read(item.filename), part)
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


@cache
def _docx_bomb() -> bytes:
    """A DOCX under 1 MB whose body inflates to 240 MB of paragraphs."""

    def swell(body: bytes, part: Any) -> None:
        head, tail = body.split(b"<w:body>")
        part.write(head + b"<w:body>")
        chunk = b"<w:p><w:r><w:t>" + b"0" * 4000 + b"</w:t></w:r></w:p>"
        for _ in range(60_000):
            part.write(chunk)
        part.write(tail)

    return _rewrite_body(_docx(), swell)


def _docx_entities() -> bytes:
    """Billion laughs and an external entity in the body of an otherwise valid DOCX."""

    def laugh(body: bytes, part: Any) -> None:
        xml = body.decode()
        end = xml.index("?>") + 2
        dtd = (
            '<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
            + "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True))
            + '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        )
        part.write((xml[:end] + dtd + xml[end:]).replace("东湖区", "&i;&x;").encode())

    return _rewrite_body(_docx(), laugh)


def _docx_utf16_dtd() -> bytes:
    def recode(body: bytes, part: Any) -> None:
        xml = body.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        end = xml.index("?>") + 2
        part.write((xml[:end] + '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + xml[end:]).encode("utf-16"))

    return _rewrite_body(_docx(), recode)


def _pdf(pages: int) -> bytes:
    """A valid PDF of many pages of text (pdfminer reads some hundred pages a second)."""
    content = b"BT /F1 9 Tf 20 780 Td " + b"(2025 niandu fazhi zhengfu jianshe 12345) Tj 0 -10 Td " * 70 + b"ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for i in range(pages):
        kids.append(f"{4 + 2 * i} 0 R")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


READER_HOSTILE = {
    "docx_bomb": (_docx_bomb, "r.docx", "疑似“压缩炸弹”"),
    "docx_entities": (_docx_entities, "r.docx", "XML 实体"),
    "docx_utf16_dtd": (_docx_utf16_dtd, "r.docx", "XML 实体"),
    "text_22mb": (lambda: ("法治政府建设" * 1_250_000).encode(), "r.txt", "文本文件太大"),
    "text_long": (lambda: ("法治政府建设工作报告。" * 40_000).encode(), "r.txt", "超过上限 300000"),
    "text_all_numbers": (lambda: ("12件，" * 20_000).encode(), "r.txt", "处数字"),
    # the HTML parser's work grows with the square of the nesting: 100,000 levels would take hours
    "html_deep": (lambda: b"<html><body>" + b"<div>" * 100_000 + "报告".encode() + b"</div>" * 100_000, "r.html", "超出了时间上限"),
    "pdf_huge": (lambda: _pdf(3000), "r.pdf", "超出了时间上限"),
    "pdf_broken": (lambda: b"%PDF-1.7\n" + b"\x00garbage" * 1000, "r.pdf", "PDF 文件损坏"),
}


def _written() -> tuple[int, int, int]:
    return MatterEvent.objects.count(), AuditLeaf.objects.count(), EvidenceItem.objects.count()


@pytest.mark.parametrize("name", sorted(READER_HOSTILE))
def test_a_hostile_report_gets_a_chinese_message_and_the_reader_keeps_serving(client: Client, org: Org, settings: Any, name: str) -> None:
    settings.FAZHI_PARSE_SECONDS = 2  # the huge PDF takes pdfminer far longer
    make, filename, message = READER_HOSTILE[name]
    client.force_login(org.alice)
    before = _written()
    response = client.post("/yuedu/", {"files": [SimpleUploadedFile(filename, make())]})
    page = response.content.decode()
    assert response.status_code in (200, 400)
    if message:
        assert response.status_code == 400 and message in page, page[-2000:]
    assert _written() == before
    assert client.get("/yuedu/").status_code == 200  # the server process is still serving


def test_a_docx_with_an_xml_comment_in_a_paragraph_is_read() -> None:
    from fazhi.reader.document import read_bytes

    data = _rewrite_body(_docx("共办理行政复议案件12件"), lambda body, part: part.write(body.replace(b"<w:r>", b"<!-- note --><w:r>", 1)))
    report = read_bytes("r.docx", data)
    assert "共办理行政复议案件12件" in report.text and [f.quote for f in report.figures] == ["12件"]


EVIDENCE_HOSTILE = {
    "exe_as_pdf": (b"MZ\x90\x00\x03" + bytes(range(256)), "笔录.pdf", "文件内容不是允许的类型"),
    "html_as_pdf": (b"<html><script>alert(1)</script></html>" + b"\x00", "笔录.pdf", "文件内容不是允许的类型"),
    "pdf_as_jpg": (b"%PDF-1.4 record", "照片.jpg", "扩展名“.jpg”与文件内容（PDF）不符"),
    "text_as_docx": ("询问笔录".encode(), "笔录.docx", "扩展名“.docx”与文件内容（纯文本（TXT））不符"),
    "zip_not_office": (b"", "材料.zip", "文件内容不是允许的类型"),  # filled below: a plain zip
    "docx_bomb": (b"", "笔录.docx", "疑似“压缩炸弹”"),
    "empty": (b"", "笔录.pdf", "所提交的是空文件"),  # refused by the form before the service
}


def _evidence_bytes(name: str) -> bytes:
    data: bytes = EVIDENCE_HOSTILE[name][0]
    if name == "zip_not_office":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("run.sh", "rm -rf /")
        return out.getvalue()
    return _docx_bomb() if name == "docx_bomb" else data


@pytest.mark.parametrize("name", sorted(EVIDENCE_HOSTILE))
def test_hostile_evidence_is_refused_naming_the_field_and_nothing_is_stored(org: Org, settings: Any, tmp_path: Path, name: str) -> None:
    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    agency = make_agency(org)
    case = open_case(agency)
    _, filename, message = EVIDENCE_HOSTILE[name]
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    before = _written()
    upload = SimpleUploadedFile(filename, _evidence_bytes(name))
    response = client.post(f"/zhifa/{case.pk}/evidence/", {"description": "询问笔录", "collected_on": "2025-03-04", "file": upload}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert ("证据文件：" + message) in page or ("文件：" in page and message in page), page[:3000]
    assert _written() == before and not (tmp_path / "evidence").exists()
    good = SimpleUploadedFile("询问笔录.pdf", b"%PDF-1.4 record")
    client.post(f"/zhifa/{case.pk}/evidence/", {"description": "询问笔录", "collected_on": "2025-03-04", "file": good})
    assert EvidenceItem.objects.filter(case=case).count() == 1  # the next upload is served and stored


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (_docx_entities, "文书.docx", None),  # a valid Word file by kind: checked, then parsed in the child
        (lambda: _pdf(1500), "文书.pdf", None),  # under the page's 10 MB, over its parse time limit
        (lambda: b"\x89PNG\r\n\x1a\n....", "文书.png", "文件内容不是允许的类型"),
    ],
    ids=["docx-entities", "pdf-1500-pages", "png-as-document"],
)
def test_the_public_verification_page_survives_hostile_documents(settings: Any, data: Any, name: str, message: str | None) -> None:
    django_cache.clear()
    settings.FAZHI_PARSE_SECONDS = 2
    response = Client().post("/gongkai/yanzheng/", {"file": SimpleUploadedFile(name, data())})
    page = response.content.decode()
    assert response.status_code in (200, 400)
    assert (message in page) if message else "该文件不是本平台出具的文书" in page
    assert Client().get("/gongkai/yanzheng/").status_code == 200


@pytest.mark.parametrize(
    ("data", "name", "allowed", "kind"),
    [
        (b"%PDF-1.7\n", "a.pdf", DOCUMENT_KINDS, "pdf"),
        (_docx(), "意见书.docx", DOCUMENT_KINDS, "docx"),
        (b"\xff\xd8\xff\xe0JFIF", "现场.JPG", EVIDENCE_KINDS, "jpeg"),
        (b"\x89PNG\r\n\x1a\nIHDR", "现场.png", EVIDENCE_KINDS, "png"),
        ("台账（GBK）".encode("gb18030"), "台账.txt", EVIDENCE_KINDS, "text"),
        ("无扩展名的说明".encode(), "说明", EVIDENCE_KINDS, "text"),
    ],
    ids=["pdf", "docx", "jpeg", "png", "gbk-text", "no-extension"],  # stable names: the docx's bytes carry the time it was built
)
def test_allowed_kinds_pass_by_their_content(data: bytes, name: str, allowed: tuple[str, ...], kind: str) -> None:
    assert file_check(data, name=name, label="材料", allowed=allowed) == kind


def test_an_ofd_and_an_xlsx_are_told_apart_by_their_member() -> None:
    def zipped(member: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(member, "<x/>")
        return out.getvalue()

    assert file_check(zipped("OFD.xml"), name="决定书.ofd", label="材料", allowed=DOCUMENT_KINDS) == "ofd"
    with pytest.raises(ValidationFailed) as caught:
        file_check(zipped("xl/workbook.xml"), name="表.xlsx", label="审查意见书", allowed=DOCUMENT_KINDS)
    assert caught.value.errors == {"file": ["审查意见书：文件内容不是允许的类型（只接收PDF、OFD 版式文件、Word 文档（DOCX））"]}


def test_the_check_names_the_field_it_is_given(org: Org, settings: Any, tmp_path: Path) -> None:
    """As 审查意见书 (contract review) and 佐证材料 (evaluation) call it from their services."""
    from fazhi.registers.contract_review import documents

    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    with pytest.raises(ValidationFailed) as caught:
        file_check(b"MZ\x90\x00", name="意见书.pdf", label="审查意见书", allowed=DOCUMENT_KINDS, max_bytes=documents.MAX_BYTES)
    assert caught.value.errors["file"][0].startswith("审查意见书：")
    with pytest.raises(ValidationFailed) as caught:
        file_check(_docx_bomb(), name="佐证.docx", label="佐证材料", allowed=EVIDENCE_KINDS, field="evidence")
    assert "佐证材料：" in caught.value.errors["evidence"][0] and "压缩炸弹" in caught.value.errors["evidence"][0]
    assert not (tmp_path / "evidence").exists()
