"""Turn an uploaded report file (.txt, .html, .pdf, .docx) into plain text lines.

Encodings are detected (UTF-8 first, then charset-normalizer among the Chinese encodings
published reports actually use), HTML keeps the text of block elements one per line, a PDF is
read with pdfminer.six (each page's lines, the page break kept as a form feed so the cleaner can
rejoin a sentence cut by it), a DOCX keeps its paragraphs and table rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from charset_normalizer import from_bytes

from fazhi.core.sandbox import SandboxFailed, run_limited

FORMATS = {".txt": "txt", ".text": "txt", ".md": "txt", ".htm": "html", ".html": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx"}
# The encodings a published Chinese report comes in; the detector chooses among these only,
# which keeps it from reading GBK bytes as some Cyrillic code page.
CHINESE_ENCODINGS = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16"]
MAX_BYTES = 30 * 1024 * 1024
# Text and HTML are read in this process (a child per report would cost the reader its speed),
# so their size is capped before decoding, and every format's text after extraction: a
# published report runs to some tens of thousands of characters; 22 MB of text would keep the
# extractor busy for many minutes. PDF and DOCX are parsed in a child process under the
# sandbox's memory and time limits (``fazhi.core.sandbox``).
MAX_TEXT_BYTES = 4 * 1024 * 1024
MAX_CHARS = 300_000


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
    if kind in ("pdf", "docx"):
        raw = RawText(_limited_text(kind, data), kind, None)
    else:
        if len(data) > MAX_TEXT_BYTES:
            raise ReaderError(
                f"文本文件太大（{len(data) / 1048576:.1f} MB），上限为 {MAX_TEXT_BYTES // 1024 // 1024} MB：一份报告通常只有几万字，请检查是否选错了文件"
            )
        text, encoding = _html_text(data) if kind == "html" else decode(data)
        raw = RawText(text, kind, encoding)
    if len(raw.text) > MAX_CHARS:
        raise ReaderError(f"报告正文有 {len(raw.text)} 个字符，超过上限 {MAX_CHARS}：一份报告通常只有几万字，请检查是否选错了文件或拆分后再读")
    return raw


def _limited_text(kind: str, data: bytes) -> str:
    """A PDF's, a DOCX's or an HTML page's text, extracted in a child process under memory and time limits."""
    label = {"pdf": "PDF", "docx": "DOCX", "html": "网页（HTML）"}[kind]
    try:
        text: str = run_limited(f"{kind}_text", data)
    except SandboxFailed as exc:
        if exc.reason == "refused":
            raise ReaderError(exc.detail) from exc
        if exc.reason == "error":
            raise ReaderError(f"{label} 文件损坏或无法解析") from exc
        limit = "内存上限" if exc.reason == "memory" else "时间上限"
        raise ReaderError(f"{label} 文件结构异常或内容过多，读取时超出了{limit}：请另存为 TXT 文本后再读") from exc
    return text


def _html_text(data: bytes) -> tuple[str, str]:
    """Decoded here (the declared charset, then detection); the markup is parsed in the sandbox's
    child: a deeply nested page makes the HTML parser's work grow with the square of its depth."""
    declared = None
    head = data[:4096].decode("ascii", errors="ignore").lower()
    marker = head.find("charset=")
    if marker >= 0:
        declared = head[marker + 8 :].strip("\"' ").split('"')[0].split("'")[0].split(";")[0].split(">")[0].strip() or None
    text, encoding = decode(data, declared)
    return _limited_text("html", text.encode("utf-8")), encoding
