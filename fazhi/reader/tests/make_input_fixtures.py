"""Generate the reader's input fixtures in ``inputs/`` (committed; run by hand, not by the tests).

    .venv/bin/python fazhi/reader/tests/make_input_fixtures.py

needs LibreOffice (``soffice``) and poppler's ``pdftoppm`` on the machine that regenerates them:

- ``table.pdf``: a text PDF (LibreOffice from a DOCX) whose figures sit in a ruled table with the
  units in the header row (收案（宗）, 办结率（%）) and in the text around it;
- ``scan.pdf``: one page of a report as an image only (rendered with pdftoppm at 100 dpi, wrapped
  into a PDF by Pillow), no text layer: the reader must OCR it;
- ``frame/index.html`` + ``frame/content.html``: a saved page whose body is an ``<iframe>``;
  ``frameset.zip``: a ``<frameset>`` page saved with its frames, zipped;
- ``wps.docx``: a DOCX as WPS Office writes it: its namespaces and ``wpsCustomData``, a paragraph in
  a ``w:sdt`` content control, a text box (``mc:AlternateContent`` with ``wps:txbx`` and the VML
  fallback repeating the same text) and a table inside a text box.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.shared import Pt
from PIL import Image

OUT = Path(__file__).resolve().parent / "inputs"
TITLE = "某市某区2023年法治政府建设年度报告"


def _doc_with_table() -> bytes:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(12)
    document.add_paragraph(TITLE)
    document.add_paragraph("一、行政复议和行政应诉工作")
    document.add_paragraph("2023年，全区行政复议和行政应诉案件办理情况见下表，全年共组织法治培训12场。")
    rows = [
        ["类别", "收案（宗）", "结案（宗）", "办结率（%）"],
        ["行政复议", "25", "21", "84"],
        ["行政诉讼", "12", "9", "75"],
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("二、存在的不足")
    document.add_paragraph("个别单位行政执法人员培训不足，全年仅有3人参加专门培训。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _soffice_pdf(docx_bytes: bytes, tmp: Path) -> bytes:
    src = tmp / "table.docx"
    src.write_bytes(docx_bytes)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf", "--outdir", str(tmp), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp / "table.pdf").read_bytes()


def _scan_pdf(tmp: Path) -> bytes:
    document = docx.Document()
    document.styles["Normal"].font.name = "Noto Serif CJK SC"
    document.styles["Normal"].font.size = Pt(16)
    document.add_paragraph(TITLE)
    document.add_paragraph("全年共办理行政复议案件25件，")
    document.add_paragraph("组织法治培训12场，参训1500人次。")
    buf = io.BytesIO()
    document.save(buf)
    pdf = _soffice_pdf(buf.getvalue(), tmp)
    (tmp / "scan-src.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1", str(tmp / "scan-src.pdf"), str(tmp / "page")], check=True, timeout=60)
    page = Image.open(next(tmp.glob("page*.png"))).convert("L")
    # keep the upper part of the page, where the text is: a small image OCRs in about a second
    page = page.crop((0, 0, page.width, page.height // 3))
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=100)
    return out.getvalue()


FRAMED = (
    "<html><head><meta charset='utf-8'><title>正文</title></head><body>"
    f"<p>{TITLE}</p><p>一、主要工作</p><p>全年共办理行政复议案件25件，组织法治培训12场。</p>"
    "<table><tr><td>类别</td><td>收案（宗）</td></tr><tr><td>行政诉讼</td><td>9</td></tr></table>"
    "</body></html>"
)


def _frames() -> None:
    (OUT / "frame").mkdir(exist_ok=True)
    (OUT / "frame" / "index.html").write_text(
        "<html><head><meta charset='utf-8'><title>政府信息公开</title></head>"
        "<body><div class='nav'>首页 &gt; 政务公开</div><iframe src='content.html' width='100%' height='800'></iframe></body></html>",
        encoding="utf-8",
    )
    (OUT / "frame" / "content.html").write_text(FRAMED, encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "报告.html",
            "<html><head><meta charset='gbk'></head><frameset rows='80,*'>"
            "<frame src='报告_files/top.html'><frame src='报告_files/main.html'></frameset></html>".encode("gbk"),
        )
        archive.writestr("报告_files/top.html", "<html><body><p>设为首页 加入收藏</p></body></html>")
        archive.writestr("报告_files/main.html", FRAMED)
    (OUT / "frameset.zip").write_bytes(buf.getvalue())


WPS_NS = (
    'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:wpsCustomData="http://www.wps.cn/officeDocument/2013/wpsCustomData" mc:Ignorable="w14 wp14"'
)


WPS_APPLICATION = b"WPS Office_12.1.0.16910_F1E327BC-269C-435d-A252-1C8DCB2BD34B"


def _run(text: str) -> str:
    return f'<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def _para(text: str) -> str:
    return f"<w:p>{_run(text)}</w:p>"


def _text_box(inner: str) -> str:
    """A floating text box as WPS writes it: the DrawingML shape, then the VML fallback with the same content."""
    return (
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="4000000" cy="900000"/>'
        '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="2" name="文本框 2"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="4000000" cy="900000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape id="文本框 2" o:spt="202" type="#_x0000_t202" style="width:315pt;height:70pt">'
        f"<v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )


def _wps_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph("一、主要工作")
    buf = io.BytesIO()
    document.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    xml = source.read("word/document.xml").decode("utf-8")
    head = xml[: xml.index(">", xml.index("<w:document"))]
    missing = " ".join(decl for decl in re.findall(r'\S+="[^"]*"', WPS_NS) if decl.split("=")[0] + "=" not in head)
    xml = xml.replace("<w:document ", f"<w:document {missing} ", 1)
    sdt = (
        '<w:sdt><w:sdtPr><w:id w:val="147456"/><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr>'
        f"<w:sdtContent>{_para('全年共办理行政复议案件25件。')}</w:sdtContent></w:sdt>"
    )
    table = (
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>'
        f"<w:tr><w:tc>{_para('类别')}</w:tc><w:tc>{_para('收案（宗）')}</w:tc></w:tr>"
        f"<w:tr><w:tc>{_para('行政诉讼')}</w:tc><w:tc>{_para('9')}</w:tc></w:tr></w:tbl>"
    )
    extra = sdt + _text_box(_para("组织法治培训12场，参训1500人次。")) + _text_box(table + _para(""))
    extra += (
        '<w:p><w:pPr><w:rPr><wpsCustomData:docfieldStart w:id="1"/></w:rPr></w:pPr><w:r><w:t>办理政府信息公开申请</w:t></w:r><w:r><w:t>31件。</w:t></w:r></w:p>'
    )
    xml = xml.replace("<w:sectPr", extra + "<w:sectPr", 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = xml.encode("utf-8")
            elif item.filename == "docProps/app.xml":
                data = re.sub(rb"<Application>[^<]*</Application>", b"<Application>" + WPS_APPLICATION + b"</Application>", data)
            target.writestr(item, data)
    return out.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fazhi-fixtures-") as name:
        tmp = Path(name)
        (OUT / "table.pdf").write_bytes(_soffice_pdf(_doc_with_table(), tmp))
        shutil.rmtree(tmp / "profile", ignore_errors=True)
        (OUT / "scan.pdf").write_bytes(_scan_pdf(tmp))
    _frames()
    (OUT / "wps.docx").write_bytes(_wps_docx())
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(OUT)}\t{path.stat().st_size} B")


if __name__ == "__main__":
    main()
