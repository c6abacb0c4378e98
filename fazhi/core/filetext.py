"""The text of a DOCX, a PDF or an HTML page, for the pages that read uploaded documents (the report reader,
the verification of an issued document). These run in the sandbox's child process
(``fazhi.core.sandbox``), never in the server: a crafted file can only exhaust the child.

A DOCX is refused before python-docx sees it when its zip is out of proportion (declared
unpacked sizes, ``files.zip_members``) or any XML part declares a DTD: OOXML never has one, and
a DTD is how entity expansion ("billion laughs") and external entities get in. python-docx's
lxml parser does not resolve entities, but an entity node in a paragraph is no text either.
"""

from __future__ import annotations

import io
import re
import zipfile

from fazhi.core.sandbox import ParseRefused

PDF_MAX_PAGES = 1000
# "<!DOCTYPE" and "<!ENTITY" in every encoding an XML parser would accept for a part
_DTD_MARKERS = [word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")]


def _refuse_dtd(data: bytes) -> None:
    from fazhi.core.files import zip_members

    members = zip_members(data)
    if isinstance(members, str):
        raise ParseRefused(f"DOCX 文件{members}，不能读取")
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise ParseRefused("文件不是 Word 文档（DOCX）：缺少正文部件")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in members:
            if not re.search(r"\.(xml|rels)$", member.filename, re.IGNORECASE):
                continue
            with archive.open(member) as part:
                head = part.read()
            if any(marker in head for marker in _DTD_MARKERS):
                raise ParseRefused("DOCX 文件含有 XML 实体或文档类型声明（Word 文档不会有），不能读取")


def _text_of(element: object) -> str:
    """The text of the ``w:t`` runs under an element (comments, entities and instructions skipped)."""
    return "".join(t.text or "" for t in element.iter() if isinstance(t.tag, str) and t.tag.endswith("}t"))  # type: ignore[attr-defined]


def docx_text(data: bytes) -> str:
    """The header of the first section, then the body's paragraphs and table rows, one per line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _refuse_dtd(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseRefused("DOCX 文件损坏或不是 Word 文档") from exc
    lines: list[str] = []
    for section in document.sections[:1]:
        lines.extend(p.text for p in section.header.paragraphs if p.text.strip())
    for child in document.element.body.iterchildren():
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_text_of(child))
        elif tag == "tbl":
            for row in child.iter():
                if isinstance(row.tag, str) and row.tag.endswith("}tr"):
                    lines.append(" ".join(_text_of(tc) for tc in row if isinstance(tc.tag, str) and tc.tag.endswith("}tc")))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    """Each page's lines, pages separated by a form feed (pdfminer.six), at most PDF_MAX_PAGES pages."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        return extract_text(io.BytesIO(data), maxpages=PDF_MAX_PAGES)
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise ParseRefused("PDF 文件损坏或无法解析") from exc


def html_text(data: bytes) -> str:
    """The text of an HTML page (given as UTF-8), block elements one per line, cells spaced."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data.decode("utf-8"), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "head", "nav", "footer", "form", "button", "select"]):
        tag.decompose()
    block = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol", "dd", "dt", "header", "title"}
    for tag in soup.find_all(block):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    return soup.get_text()
