"""Files stored by content: the SHA-256 of the bytes names the file (under ``FAZHI_EVIDENCE_DIR``),
so the digest recorded in an event or an audit leaf is the file's identity. Used for evidence,
review opinions, 考核 evidence and the documents the platform issues."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings


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
