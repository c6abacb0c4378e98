"""The report as documents: golden HTML and DOCX document XML for a fixed dataset, the GB/T 9704
layout read back from the DOCX, and the PDF rendered by LibreOffice headless.

To update the golden files after an intended change: ``FAZHI_UPDATE_GOLDEN=1 scripts/test fazhi/reports``
writes them, then read the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from docx import Document

from fazhi.documents.pdf import docx_to_pdf
from fazhi.reports import services
from fazhi.reports.docx import render

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).resolve().parent / "golden"


def _report(org: Any) -> Any:
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    services.contribution_save(report=report, part="shortcomings", unit=org.district, text="一是政府信息公开答复的及时性有待提高。", actor=org.dave)
    services.contribution_save(report=report, part="plans", unit=org.district, text="（一）落实政府信息公开答复时限。\n二是加强业务培训。", actor=org.dave)
    return report, services.version_generate(report=report, actor=org.dave)


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FAZHI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_the_html_version_matches_its_golden_file(org: Any, requests: Any) -> None:
    report, version = _report(org)
    c = Client()
    c.force_login(org.dave)
    html = c.get(f"/baogao/{report.pk}/v/{version.number}/").content.decode()
    article = html[html.index('<article class="report') : html.index("</article>") + len("</article>")]
    _golden("fzzf.html", article.replace(f"unit={org.district.pk}&", "unit=UNIT&"))


def test_the_docx_document_xml_matches_its_golden_file_and_has_the_official_layout(org: Any, requests: Any) -> None:
    report, version = _report(org)
    content = render(report, version, signed_on=dt.date(2026, 3, 20))
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("word/document.xml").decode()
        settings_xml = z.read("word/settings.xml").decode()
    _golden("fzzf_document.xml", re.sub(r"(?<=>)(?=<)", "\n", xml))
    doc = Document(io.BytesIO(content))
    s = doc.sections[0]

    def mm(x: Any) -> float:
        return round(x.mm, 1)  # stored in twips: within 0.1 mm

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert (mm(s.top_margin), mm(s.bottom_margin), mm(s.left_margin), mm(s.right_margin)) == (37, 35, 28, 26)
    assert 'w:linePitch="579"' in xml and "w:evenAndOddHeaders" in settings_xml
    title = doc.paragraphs[0]
    assert title.text == "东湖区人民政府2025年法治政府建设年度报告" and title.runs[0].font.name == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    texts = [p.text for p in doc.paragraphs]
    assert "一、上一年度推进法治政府建设的主要举措和成效" in texts
    body = next(p for p in doc.paragraphs if p.text.startswith("收到政府信息公开申请"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size.pt == 16 and body.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    second = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert second.runs[0].font.name == "楷体_GB2312"
    assert texts[-2:] == ["东湖区人民政府", "2026年3月20日"]
    footer = s.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in footer


def test_the_pdf_is_rendered_with_chinese_fonts_on_a4_pages(org: Any, requests: Any) -> None:
    report, version = _report(org)
    pdf = docx_to_pdf(render(report, version, signed_on=dt.date(2026, 3, 20)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 1 <= pages <= 4 and "(A4)" in info
    flat = re.sub(r"\s+", "", text)
    assert "东湖区人民政府2025年法治政府建设年度报告" in flat and "收到政府信息公开申请3件" in flat and "—1—" in flat
    assert "CJK" in fonts  # the GB/T fonts substituted by Debian's Noto CJK, embedded


def test_staff_download_the_docx_and_pdf_and_others_cannot(org: Any, requests: Any) -> None:
    report, version = _report(org)
    dave, frank = Client(), Client()
    dave.force_login(org.dave)
    frank.force_login(org.frank)
    r = dave.get(f"/baogao/{report.pk}/v/{version.number}.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK" and "wordprocessingml" in r["Content-Type"]
    r = dave.get(f"/baogao/{report.pk}/v/{version.number}.pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert frank.get(f"/baogao/{report.pk}/v/{version.number}.docx").status_code == 404
    assert frank.get(f"/baogao/{report.pk}/v/{version.number}.pdf").status_code == 404
    assert Client().get(f"/baogao/{report.pk}/v/{version.number}.docx").status_code == 302


def test_the_pdf_keeps_every_full_width_comma_of_the_text_also_at_a_line_end(org: Any, requests: Any) -> None:
    import io

    from pypdf import PdfReader

    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    # long paragraphs whose commas fall at line ends somewhere (each line holds 28 characters)
    long = ["".join(f"开展普法活动{'一二三四五六七八九'[: (i * 7 + k) % 9]}，" for i in range(14)) + "完成。" for k in range(6)]
    services.contribution_save(report=report, part="shortcomings", unit=org.district, text="\n".join(long), actor=org.dave)
    version = services.version_generate(report=report, actor=org.dave)
    source = "".join(p["text"] for part in version.content["parts"] for p in part["paragraphs"]) + version.content["title"]
    pdf = docx_to_pdf(render(report, version, signed_on=dt.date(2026, 3, 20)))
    pages = [re.sub(r"—\d+—", "", re.sub(r"\s+", "", page.extract_text())) for page in PdfReader(io.BytesIO(pdf)).pages]  # no page numbers
    text = "".join(pages)
    assert source.count("，") >= 80 and text.count("，") == source.count("，")
    for paragraph in long:  # each comma where it belongs, the line breaks taken out
        assert paragraph in text
