"""Files stored by content: the SHA-256 of the bytes names the file (under ``FAZHI_EVIDENCE_DIR``),
so the digest recorded in an event or an audit leaf is the file's identity. Used for evidence,
review opinions, 考核 evidence and the documents the platform issues."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path, PurePath

from django.conf import settings

from fazhi.core.errors import ValidationFailed


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file on disk, read a megabyte at a time (backups, exports)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_path(sha256: str) -> Path:
    return Path(settings.FAZHI_EVIDENCE_DIR) / sha256[:2] / sha256


def file_store(content: bytes) -> str:
    """Store the bytes (once) and return their SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    path = file_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
    return digest


def file_read(sha256: str) -> bytes | None:
    """The stored bytes, or None when the file is missing or no longer matches its digest."""
    path = file_path(sha256)
    if not path.is_file():
        return None
    content = path.read_bytes()
    return content if hashlib.sha256(content).hexdigest() == sha256 else None


# --- What an upload is, by its bytes --------------------------------------------------------
# An upload's extension says what the sender claims; the first bytes (and for the zip-based
# formats, the member that makes them what they are) say what it is. Every upload is checked
# against an allow-list of kinds before it is stored or parsed, and a zip whose declared
# unpacked size or member count is out of proportion (a zip bomb) is refused before anything
# inflates it. Python's zipfile never inflates a member past its declared size (a member that
# lies fails its CRC), so the declared sizes bound what a parser in this process can unpack.

KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word 文档（DOCX）",
    "xlsx": "Excel 表格（XLSX）",
    "ofd": "OFD 版式文件",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "text": "纯文本（TXT）",
}
KIND_SUFFIXES = {
    "pdf": {".pdf"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "ofd": {".ofd"},
    "jpeg": {".jpg", ".jpeg"},
    "png": {".png"},
    "text": {".txt"},
}
# the member a zip must hold to be a file of that kind (the OOXML main part, the OFD entry file)
ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "ofd": "OFD.xml"}
EVIDENCE_KINDS = ("pdf", "ofd", "docx", "xlsx", "jpeg", "png", "text")
DOCUMENT_KINDS = ("pdf", "ofd", "docx")
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200  # unpacked / packed over a whole file: XML in an office file stays far below


def zip_members(data: bytes) -> list[zipfile.ZipInfo] | str:
    """The members of a zip whose declared sizes are sane, or a Chinese reason to refuse it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "压缩结构已损坏"
    if len(members) > ZIP_MAX_MEMBERS:
        return f"包含 {len(members)} 个部件，超过上限 {ZIP_MAX_MEMBERS}"
    unpacked = sum(m.file_size for m in members)
    if unpacked > ZIP_MAX_UNPACKED or unpacked > ZIP_MAX_RATIO * max(len(data), 1024 * 1024):
        return f"解压后达 {unpacked / 1048576:.0f} MB，远超文件本身的大小（疑似“压缩炸弹”）"
    return members


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if _is_text(data):
        return "text"
    return None


def _is_text(data: bytes) -> bool:
    """UTF-8 (with or without BOM) or GB18030 text without control characters other than layout."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)
    return False


def file_kind(data: bytes) -> str | None:
    """The kind of a file by its content (one of ``KIND_NAMES``), or None when none fits."""
    kind = _sniff(data)
    if kind != "zip":
        return kind
    members = zip_members(data)
    if isinstance(members, str):
        return None
    names = {m.filename for m in members}
    return next((k for k, marker in ZIP_MARKERS.items() if marker in names), None)


def file_check(data: bytes, *, name: str, label: str, allowed: tuple[str, ...], field: str = "file", max_bytes: int | None = None) -> str:
    """Refuse an upload that is empty, too large, not one of the ``allowed`` kinds by its content,
    named with another kind's extension, or a zip bomb; the kind when it passes.

    The message is Chinese and starts with the field's ``label``; raised as ValidationFailed
    under ``field`` so that a form or a service shows it beside the field."""
    limit = max_bytes or settings.FAZHI_MAX_UPLOAD_BYTES
    wanted = "、".join(KIND_NAMES[k] for k in allowed)

    def refuse(reason: str) -> ValidationFailed:
        return ValidationFailed({field: [f"{label}：{reason}"]})

    if not data:
        raise refuse("文件为空")
    if len(data) > limit:
        raise refuse(f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB")
    if _sniff(data) == "zip":
        members = zip_members(data)
        if isinstance(members, str):
            raise refuse(f"文件{members}，不能接收")
    kind = file_kind(data)
    if kind is None or kind not in allowed:
        raise refuse(f"文件内容不是允许的类型（只接收{wanted}）")
    suffix = PurePath(name or "").suffix.lower()
    if suffix and suffix not in KIND_SUFFIXES[kind]:
        # a download keeps the name it came with: the name must say what the bytes are
        raise refuse(f"扩展名“{suffix}”与文件内容（{KIND_NAMES[kind]}）不符，请改正文件名后重新上传")
    return kind
