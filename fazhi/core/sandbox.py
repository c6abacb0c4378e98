"""Parsing untrusted files outside the server process, with a memory and a time limit.

A crafted spreadsheet can make a parser allocate without bound (a 2 KB xlsx whose only cell is
XFD1048576 asks calamine for a 549 GB grid and aborts the process that asked), a DOCX can nest
entities, a long text can keep a parser busy for minutes. Such work runs in a child process
(``python -m fazhi.core.sandbox``) under ``RLIMIT_AS`` and a wall-clock timeout: when it
overruns, only the child dies, and the caller gets a Chinese message instead of a dead server.

The child receives the bytes on stdin and returns the result pickled on stdout; the function it
runs is one of ``JOBS`` (named, never taken from the input).
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings


class SandboxFailed(Exception):
    """The child ran out of memory or time, refused the input, or failed: ``reason`` is "memory",
    "time", "refused" (``detail`` is then the job's Chinese message) or "error"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def _calamine_grid(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)  # type: ignore[no-any-return]


class ParseRefused(Exception):
    """Raised by a job for input it will not parse; the message is Chinese and reaches the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _docx_text(data: bytes) -> str:
    from fazhi.core.filetext import docx_text

    return docx_text(data)


def _pdf_text(data: bytes) -> str:
    from fazhi.core.filetext import pdf_text

    return pdf_text(data)


def _pdf_pages(data: bytes) -> list[str | bytes]:
    from fazhi.core.filetext import pdf_pages

    return pdf_pages(data)


def _ocr_lines(data: bytes) -> list[str]:
    from fazhi.core.filetext import ocr_lines

    return ocr_lines(data)


def _html_text(data: bytes) -> str:
    from fazhi.core.filetext import html_text

    return html_text(data)


JOBS: dict[str, Callable[[bytes], Any]] = {
    "calamine_grid": _calamine_grid,
    "docx_text": _docx_text,
    "pdf_text": _pdf_text,
    "pdf_pages": _pdf_pages,
    "ocr_lines": _ocr_lines,
    "html_text": _html_text,
}
REFUSED = 3  # the child's exit status for ParseRefused; its message is on stderr


def run_limited(job: str, data: bytes, *, memory_mb: int | None = None, seconds: int | None = None) -> Any:
    """Run ``JOBS[job](data)`` in a child process under the limits; its result, or SandboxFailed."""
    if job not in JOBS:
        raise ValueError(job)
    memory = (memory_mb or settings.FAZHI_PARSE_MEMORY_MB) * 1024 * 1024
    timeout = seconds or settings.FAZHI_PARSE_SECONDS

    def limits() -> None:  # in the child, before it runs anything
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "fazhi.core.sandbox", job],
            input=data,
            capture_output=True,
            timeout=timeout,
            preexec_fn=limits,
            check=False,
            cwd=settings.BASE_DIR,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(settings.BASE_DIR), "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxFailed("time") from exc
    if done.returncode == 0:
        return pickle.loads(done.stdout)
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode == REFUSED:
        raise SandboxFailed("refused", err.strip())
    if done.returncode < 0 or "MemoryError" in err or "memory allocation" in err:
        raise SandboxFailed("memory", err[-300:])
    raise SandboxFailed("error", err.strip().splitlines()[-1][:300] if err.strip() else "")


def _child() -> None:
    # run as __main__: take the jobs and the exception from the module the jobs import, so that
    # a ParseRefused raised by fazhi.core.filetext is the class caught here
    from fazhi.core import sandbox

    job = sandbox.JOBS[sys.argv[1]]
    try:
        result = job(sys.stdin.buffer.read())
    except sandbox.ParseRefused as exc:
        sys.stderr.buffer.write(exc.message.encode("utf-8"))
        sys.exit(REFUSED)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _child()
