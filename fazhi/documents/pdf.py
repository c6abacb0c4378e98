"""A DOCX to PDF with LibreOffice headless (Debian's ``libreoffice-writer-nogui``), the fonts of
GB/T 9704 substituted through ``fonts/fonts.conf`` where they are not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fazhi.core.errors import TransitionNotAllowed

FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes, *, timeout: int = 120) -> bytes:
    return docx_to_pdf_many([content], timeout=timeout)[0]


def docx_to_pdf_many(contents: list[bytes], *, timeout: int = 120) -> list[bytes]:
    """Many DOCX in one LibreOffice run: starting LibreOffice is most of the cost of one (about 3 s
    here), so a day's batch is converted in one go. ``timeout`` is per document."""
    if not contents:
        return []
    binary = soffice()
    if binary is None:
        raise TransitionNotAllowed("本机未安装 LibreOffice，无法生成 PDF（Debian：apt-get install libreoffice-writer-nogui）")
    with tempfile.TemporaryDirectory(prefix="fazhi-pdf-") as tmp:
        sources = []
        for i, content in enumerate(contents):
            src = Path(tmp) / f"document{i:05d}.docx"
            src.write_bytes(content)
            sources.append(src)
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=tmp)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", tmp, *map(str, sources)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout + 10 * len(contents),
        )
        return [src.with_suffix(".pdf").read_bytes() for src in sources]
