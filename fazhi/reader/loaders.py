"""Turn an uploaded report file (.txt, .html, .pdf, .docx, a saved page as .zip) into plain text lines.

Encodings are detected (UTF-8 first, then charset-normalizer among the Chinese encodings
published reports actually use), HTML keeps the text of block elements one per line, a PDF is
read with pdfplumber (each page's lines, the page break kept as a form feed so the cleaner can
rejoin a sentence cut by it), a DOCX keeps its paragraphs (also in WPS's content controls and text
boxes). Tables of all three come out one row a line, cells between bars (``fazhi.core.filetext``).
A PDF page without a text layer (a scan) is read by OCR (RapidOCR, its models inside the wheel),
one child process a page, with progress. A page whose body is an ``<iframe>`` or a ``<frameset>``
is read from the framed files given with it (uploaded alongside, in the same .zip, or beside it on
disk); a URL is never fetched.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote

from charset_normalizer import from_bytes

from fazhi.core.files import zip_members
from fazhi.core.sandbox import SandboxFailed, run_limited

FORMATS = {".txt": "txt", ".text": "txt", ".md": "txt", ".htm": "html", ".html": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx", ".zip": "zip"}
HTML_SUFFIXES = (".htm", ".html", ".shtml")
# (pages read by OCR so far, pages to read): the CLI shows it as a progress bar
Progress = Callable[[int, int], None]
# The bytes of a file given with a page, by its path relative to the page's folder, or None.
Companions = Callable[[str], "bytes | None"]
# A page with less text than this and a frame is a shell whose body sits in the framed file.
SHELL_CHARS = 200
MAX_DEPTH = 3  # a zip holding a frameset holding an iframe
FRAME_SRC = re.compile(r"<i?frame\b[^>]*?\ssrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))", re.IGNORECASE)
REMOTE = re.compile(r"^(?:(?:https?|ftp):|//)", re.IGNORECASE)
NOT_A_FILE = re.compile(r"^(?:about:|javascript:|data:|#|$)", re.IGNORECASE)
# OCR of a page: the recognition models need more memory than a parser; a page takes seconds.
OCR_MEMORY_MB = 2048
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
class OcrBudget:
    """How many scanned pages one web request may still read by OCR. A page costs seconds of CPU,
    and a request that runs past the server's worker timeout ends in an error page: a PDF with more
    scanned pages than are left is refused before any of them is read (the command line has no budget)."""

    limit: int
    used: int = 0

    def take(self, pages: int) -> None:
        if self.used + pages > self.limit:
            used = f"（本次上传的其他文件已识别 {self.used} 页）" if self.used else ""
            raise ReaderError(
                f"PDF 有 {pages} 页是扫描图像，需要逐页文字识别，每页需数秒；网页上一次最多识别 {self.limit} 页{used}："
                "请把 PDF 拆分后分批上传，或另存为带文字层的 PDF"
            )
        self.used += pages


@dataclass
class RawText:
    text: str
    format: str
    encoding: str | None
    # the PDF pages (from 1) whose text was read by OCR from their image, of ``pages`` (0 unless a PDF)
    ocr_pages: list[int] = field(default_factory=list)
    pages: int = 0


def detect_format(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:2] == b"PK" and suffix == ".zip":
        return "zip"
    if data[:2] == b"PK" and suffix in ("", ".docx"):
        return "docx"
    if suffix in FORMATS:
        return FORMATS[suffix]
    head = data[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head or b"<body" in head:
        return "html"
    if suffix in ("", ".dat"):
        return "txt"
    raise ReaderError(f"不支持的文件类型“{suffix}”：请上传文本、网页、PDF 或 DOCX 文件，或把保存的网页打成 ZIP 压缩包")


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


def read_bytes(
    name: str, data: bytes, *, companions: Companions | None = None, progress: Progress | None = None, depth: int = 0, ocr: OcrBudget | None = None
) -> RawText:
    """The text of one report file; ``companions`` gives the files a frame page refers to,
    ``progress`` hears of each page read by OCR, ``ocr`` limits how many pages may be."""
    if not data:
        raise ReaderError(f"文件“{PurePath(name).name}”是空的" if depth else "文件是空的")
    if len(data) > MAX_BYTES:
        raise ReaderError(f"文件太大（{len(data) // 1024 // 1024} MB），上限为 {MAX_BYTES // 1024 // 1024} MB")
    kind = detect_format(name, data)
    if kind == "zip":
        if depth:
            raise ReaderError(f"压缩包中的“{name}”又是压缩包：请解压后再上传")
        raw = _zip(data, progress, ocr)
    elif kind == "pdf":
        raw = _pdf(data, progress, ocr)
    elif kind == "docx":
        raw = RawText(_limited("docx_text", data, "DOCX"), kind, None)
    else:
        if len(data) > MAX_TEXT_BYTES:
            raise ReaderError(
                f"文本文件太大（{len(data) / 1048576:.1f} MB），上限为 {MAX_TEXT_BYTES // 1024 // 1024} MB：一份报告通常只有几万字，请检查是否选错了文件"
            )
        if kind == "html":
            text, encoding, markup = _html_text(data)
            raw = _framed(name, markup, text, companions, progress, depth, ocr) or RawText(text, kind, encoding)
        else:
            text, encoding = decode(data)
            raw = RawText(text, kind, encoding)
    if len(raw.text) > MAX_CHARS:
        raise ReaderError(f"报告正文有 {len(raw.text)} 个字符，超过上限 {MAX_CHARS}：一份报告通常只有几万字，请检查是否选错了文件或拆分后再读")
    return raw


def _limited(job: str, data: bytes, label: str, *, memory_mb: int | None = None) -> Any:
    """A job of the sandbox run in a child process under memory and time limits."""
    try:
        return run_limited(job, data, memory_mb=memory_mb)
    except SandboxFailed as exc:
        if exc.reason == "refused":
            raise ReaderError(exc.detail) from exc
        if exc.reason == "error":
            raise ReaderError(f"{label} 文件损坏或无法解析") from exc
        limit = "内存上限" if exc.reason == "memory" else "时间上限"
        raise ReaderError(f"{label} 文件结构异常或内容过多，读取时超出了{limit}：请另存为 TXT 文本后再读") from exc


def _pdf(data: bytes, progress: Progress | None, ocr: OcrBudget | None) -> RawText:
    """A PDF's pages; those without a text layer read by OCR, one child process a page."""
    pages: list[str | bytes] = _limited("pdf_pages", data, "PDF")
    scanned = [i for i, page in enumerate(pages) if isinstance(page, bytes)]
    if ocr is not None and scanned:
        ocr.take(len(scanned))
    for done, i in enumerate(scanned, start=1):
        try:
            lines: list[str] = _limited("ocr_lines", pages[i], "扫描页", memory_mb=OCR_MEMORY_MB)  # type: ignore[arg-type]
        except ReaderError as exc:
            raise ReaderError(f"PDF 第 {i + 1} 页是扫描图像，文字识别失败：请检查该页是否清晰，或另存为带文字层的 PDF 后再读") from exc
        pages[i] = "\n".join(lines)
        if progress is not None:
            progress(done, len(scanned))
    text = "\f".join(page for page in pages if isinstance(page, str))
    if scanned and not text.strip():
        raise ReaderError("PDF 是扫描图像，文字识别没有识别出文字：请检查扫描件是否清晰")
    return RawText(text, "pdf", None, [i + 1 for i in scanned], len(pages))


def frame_paths(name: str, data: bytes) -> list[str]:
    """The files an HTML page frames (``<iframe src>``, ``<frame src>``), as paths relative to the
    page's folder; URLs left out. Empty for any other file."""
    try:
        if not data or detect_format(name, data) != "html":
            return []
        markup, _ = decode(data, _declared_charset(data))
    except ReaderError:
        return []
    return [_frame_path(name, src) for src in _frame_sources(markup) if not REMOTE.match(src)]


def _frame_sources(markup: str) -> list[str]:
    found = (next(g for g in m.groups() if g is not None).strip() for m in FRAME_SRC.finditer(markup))
    return [src for src in found if not NOT_A_FILE.match(src)]


def _frame_path(page: str, src: str) -> str:
    path = unquote(src.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/").lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


def _framed(name: str, markup: str, text: str, companions: Companions | None, progress: Progress | None, depth: int, ocr: OcrBudget | None) -> RawText | None:
    """The text of the files a frame page shows, when the page itself is an empty shell."""
    sources = _frame_sources(markup)
    if not sources or len(re.sub(r"\s", "", text)) >= SHELL_CHARS:
        return None
    page = PurePath(name).name
    local = [src for src in sources if not REMOTE.match(src)]
    if not local:
        raise ReaderError(
            f"网页“{page}”的正文在框架（iframe/frame）引用的网址“{sources[0][:200]}”中；阅读器不联网下载：请在浏览器中打开该网址，另存为网页或 PDF 后上传"
        )
    if depth >= MAX_DEPTH:
        raise ReaderError(f"网页“{page}”的框架嵌套超过 {MAX_DEPTH} 层，不能读取")
    parts: list[RawText] = []
    for src in local:
        path = _frame_path(name, src)
        framed = companions(path) if companions is not None else None
        if framed is None:
            raise ReaderError(
                f"网页“{page}”的正文在框架（iframe/frame）引用的文件“{path}”中，但没有一并提供该文件："
                "请同时选择该文件上传，或把保存网页得到的文件夹连同网页打成 ZIP 压缩包上传"
            )
        parts.append(read_bytes(path, framed, companions=companions, progress=progress, depth=depth + 1, ocr=ocr))
    first, single = parts[0], len(parts) == 1
    return RawText("\n".join(p.text for p in parts), first.format, first.encoding, first.ocr_pages if single else [], first.pages if single else 0)


def companions_of(files: dict[str, bytes]) -> Companions:
    """Files given together (uploaded alongside, or the members of a zip): a path is found as it is,
    else by its file name where only one file has that name (a browser uploads names only)."""
    by_name: dict[str, list[str]] = {}
    for path in files:
        by_name.setdefault(PurePath(path).name, []).append(path)

    def lookup(path: str) -> bytes | None:
        if path in files:
            return files[path]
        same = by_name.get(PurePath(path).name, [])
        return files[same[0]] if len(same) == 1 else None

    return lookup


def _zip(data: bytes, progress: Progress | None, ocr: OcrBudget | None) -> RawText:
    """A saved web page zipped with its folder: the page that no other page frames, at the top."""
    members = zip_members(data)
    if isinstance(members, str):
        raise ReaderError(f"压缩包{members}，不能读取")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_BYTES:
        raise ReaderError(f"压缩包解压后有 {unpacked / 1048576:.0f} MB，上限为 {MAX_BYTES // 1024 // 1024} MB")
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in members:
            if not member.is_dir():
                files[_member_name(member)] = archive.read(member)
    pages = [n for n in files if n.lower().endswith(HTML_SUFFIXES)]
    framed = {path for n in pages for path in frame_paths(n, files[n])}
    candidates = [n for n in pages if n not in framed]
    if not candidates:
        candidates = [n for n in files if PurePath(n).suffix.lower() in FORMATS]
        if len(candidates) != 1:
            raise ReaderError("压缩包中没有可读取的网页，也不是只有一份报告文件：请上传保存的网页打成的压缩包，或直接上传报告文件")
    top = min(n.count("/") for n in candidates)
    main = sorted(n for n in candidates if n.count("/") == top)
    if len(main) > 1:
        raise ReaderError(f"压缩包中有多个网页（{'、'.join(main[:5])}），无法判断哪一个是报告：请只打包报告所在的网页")
    return read_bytes(main[0], files[main[0]], companions=companions_of(files), progress=progress, depth=1, ocr=ocr)


def _member_name(member: zipfile.ZipInfo) -> str:
    """A member's name; without the UTF-8 flag, Windows' Chinese zips write names in GBK."""
    name = member.filename
    if not member.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096].decode("ascii", errors="ignore").lower()
    marker = head.find("charset=")
    if marker < 0:
        return None
    return head[marker + 8 :].strip("\"' ").split('"')[0].split("'")[0].split(";")[0].split(">")[0].strip() or None


def _html_text(data: bytes) -> tuple[str, str, str]:
    """Decoded here (the declared charset, then detection); the markup is parsed in the sandbox's
    child: a deeply nested page makes the HTML parser's work grow with the square of its depth.
    The text, the encoding and the decoded markup."""
    markup, encoding = decode(data, _declared_charset(data))
    return _limited("html_text", markup.encode("utf-8"), "网页（HTML）"), encoding, markup
