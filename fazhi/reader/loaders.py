"""Turn an uploaded report file (.txt, .html, .pdf, .docx) into plain text lines.

Encodings are detected (UTF-8 first, then charset-normalizer among the Chinese encodings
published reports actually use), HTML keeps the text of block elements one per line, a PDF is
read with pdfminer.six (each page's lines, the page break kept as a form feed so the cleaner can
rejoin a sentence cut by it), a DOCX keeps its paragraphs and table rows.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from charset_normalizer import from_bytes

FORMATS = {".txt": "txt", ".text": "txt", ".md": "txt", ".htm": "html", ".html": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx"}
# The encodings a published Chinese report comes in; the detector chooses among these only,
# which keeps it from reading GBK bytes as some Cyrillic code page.
CHINESE_ENCODINGS = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16"]
MAX_BYTES = 30 * 1024 * 1024


class ReaderError(ValueError):
    """A file the reader cannot read; the message is Chinese and names the problem."""


@dataclass
class RawText:
    text: str
    format: str
    encoding: str | None


def detect_format(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:2] == b"PK" and suffix in ("", ".docx"):
        return "docx"
    if suffix in FORMATS:
        return FORMATS[suffix]
    head = data[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head or b"<body" in head:
        return "html"
    if suffix in ("", ".dat"):
        return "txt"
    raise ReaderError(f"不支持的文件类型“{suffix}”：请上传 .txt、.html、.pdf 或 .docx 文件")


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Bytes to text: BOM, a declared charset that decodes cleanly, UTF-8, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf_8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf_16"
    candidates = [declared] if declared else []
    candidates.append("utf_8")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding.replace("-", "_").lower()
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data, cp_isolation=CHINESE_ENCODINGS).best()
    if best is None:
        raise ReaderError("无法识别文件编码：不是 UTF-8、GB18030/GBK 或 Big5 编码的文本")
    return str(best), best.encoding


def read_bytes(name: str, data: bytes) -> RawText:
    if not data:
        raise ReaderError("文件是空的")
    if len(data) > MAX_BYTES:
        raise ReaderError(f"文件太大（{len(data) // 1024 // 1024} MB），上限为 {MAX_BYTES // 1024 // 1024} MB")
    kind = detect_format(name, data)
    if kind == "pdf":
        return RawText(_pdf_text(data), "pdf", None)
    if kind == "docx":
        return RawText(_docx_text(data), "docx", None)
    if kind == "html":
        text, encoding = _html_text(data)
        return RawText(text, "html", encoding)
    text, encoding = decode(data)
    return RawText(text, "txt", encoding)


def _html_text(data: bytes) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    declared = None
    head = data[:4096].decode("ascii", errors="ignore").lower()
    marker = head.find("charset=")
    if marker >= 0:
        declared = head[marker + 8 :].strip("\"' ").split('"')[0].split("'")[0].split(";")[0].split(">")[0].strip() or None
    text, encoding = decode(data, declared)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "head", "nav", "footer", "form", "button", "select"]):
        tag.decompose()
    block = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol", "dd", "dt", "header", "title"}
    for tag in soup.find_all(block):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    return soup.get_text(), encoding


def _pdf_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        return extract_text(io.BytesIO(data))
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise ReaderError(f"PDF 文件损坏或无法解析：{type(exc).__name__}") from exc


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReaderError("DOCX 文件损坏或不是 Word 文档") from exc
    lines: list[str] = []
    for section in document.sections[:1]:
        lines.extend(p.text for p in section.header.paragraphs if p.text.strip())
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t")) for tc in row if tc.tag.endswith("}tc")]
                    lines.append(" ".join(cells))
    return "\n".join(lines)
