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
    binary = soffice()
    if binary is None:
        raise TransitionNotAllowed("本机未安装 LibreOffice，无法生成 PDF（Debian：apt-get install libreoffice-writer-nogui）")
    with tempfile.TemporaryDirectory(prefix="fazhi-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(content)
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=tmp)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", tmp, str(src)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
        )
        return (Path(tmp) / "document.pdf").read_bytes()
