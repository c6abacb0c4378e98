"""What a clerk, a leader or a citizen reads must be plain Chinese.

``page_problems`` reads a rendered page as its reader sees it — the visible text, not scripts,
styles or attributes, and not what sits behind a ``<details>`` whose summary is 技术信息 (kept for
auditors) — and lists what does not belong there: English words, ``{``/``}`` (a dict or a template
left raw), empty brackets (a label with nothing to print), names of the repository's files, long
hexadecimal strings (digests, ids), words for what only an auditor needs (审计叶子, 日历版本) and
Django's English messages. The test that renders every page of the demo uses it
(``fazhi/core/tests/test_demo.py``)."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup, Tag

TECHNICAL_SUMMARY = "技术信息"

# Words a Chinese page may carry: file formats the user downloads or uploads, and abbreviations
# Chinese official text itself uses untranslated.
ALLOWED_WORDS = frozenset(
    {
        "PDF",  # the document format, as on every government site
        "Excel",  # 导出 Excel: the name every Chinese office uses for a spreadsheet
        "DOCX",
        "ZIP",  # a saved web page uploaded as one 压缩包
        "xlsx",  # a download or an upload is named by its format
        "XLSX",
        "CSV",
        "ID",  # 用户 ID
        "QR",  # QR 码 (二维码)
        "URL",
        "SMTP",  # the mail server setting on the admin's pages
        "KB",  # units of a file's size
        "MB",
    }
)

# Django's own English messages, the ones a form shows when the locale falls back to English.
DJANGO_ENGLISH = (
    "This field is required",
    "Enter a valid",
    "Select a valid choice",
    "Ensure this value",
    "Enter a whole number",
    "Enter a number",
    "Please enter a correct",
    "Please correct the",
    "already exists",
    "The submitted file is empty",
    "No file was submitted",
)

_WORD = re.compile(r"[A-Za-z]{2,}")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{16,}(?![0-9A-Za-z])")
_PATHLIKE = re.compile(r"[\w./-]*\w\.(?:py|yaml|yml|html|txt|tsv|md|json|toml|css|sh|js)\b|\b(?:definitions|fazhi|config|scripts|bench)/[\w./-]*")
# a web address or an e-mail address is data the reader uses (the portal's address on a letter,
# the applicant's e-mail), not developer text
_ADDRESS = re.compile(r"https?://[^\s，。；、）)]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a code of a record (统一社会信用代码 91420102MA4K876780, 权力事项编码 JC-MD-D03-003, SHA-256):
# capitals and digits, with at least one of each
_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z0-9-]*[0-9])(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)*(?![A-Za-z0-9])")
# the portal's tracking code (查询码, three groups of four from a 32-sign alphabet): one in thirty
# has no digit at all, and is a code all the same
_TRACKING = re.compile(r"(?<![A-Za-z0-9-])[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}(?![A-Za-z0-9-])")
# Chinese words for what only an auditor or a developer needs: they go behind 技术信息
DEVELOPER_TERMS = ("审计叶子", "日历版本", "生成批次 #", "规则代码", "指标代码")
# the name of a file a user uploaded (佐证材料.pdf, 现场照片.jpg): data, not developer text
_UPLOADED = re.compile(r"(?<=[^\s./])\.(?:pdf|docx?|xlsx?|csv|txt|jpe?g|png|zip|ofd|wps)\b", re.I)
_REPO = Path(__file__).resolve().parents[2]


@functools.cache
def repository_files() -> frozenset[str]:
    """Basenames (with their extension) and top folders of the repository's tracked files."""
    try:
        listing = subprocess.run(["git", "ls-files"], cwd=_REPO, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # a copy without .git: its files on disk
        skip = {".venv", "node_modules", "var", ".git"}
        listing = [str(p.relative_to(_REPO)) for p in _REPO.rglob("*") if p.is_file() and not skip & set(p.relative_to(_REPO).parts)]
    names = {Path(p).name for p in listing if "." in Path(p).name}
    names |= {p.split("/")[0] + "/" for p in listing if "/" in p}
    return frozenset(names)


def visible_text(html: str) -> str:
    """The text a reader sees, one line per block, without what sits behind 技术信息."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "style", "template", "noscript"]):
        tag.decompose()
    for details in soup.find_all("details"):
        if not isinstance(details, Tag):
            continue
        summary = details.find("summary")
        if summary is not None and summary.get_text(strip=True) == TECHNICAL_SUMMARY:
            details.decompose()
    return soup.get_text("\n")


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 20) : end + 20].split())


def page_problems(html: str, *, allow: set[str] | frozenset[str] = ALLOWED_WORDS) -> list[str]:
    """Each problem as one line: what was found, and the text around it."""
    text = visible_text(html)
    problems: list[str] = []
    files = repository_files()
    # what one rule reports is blanked so that the word rule does not report its pieces again
    chars = list(text)
    for phrase in DJANGO_ENGLISH:
        for m in re.finditer(re.escape(phrase) + r"[^.\n]*\.?", text):
            problems.append(f"Django English message {m.group()!r}")
            chars[m.start() : m.end()] = "\0" * (m.end() - m.start())
    for term in DEVELOPER_TERMS:
        for m in re.finditer(re.escape(term), text):
            problems.append(f"developer term {term!r}: {_context(text, m.start(), m.end())}")
    for pattern, kind in ((_ADDRESS, None), (_HEX, "hex string"), (_PATHLIKE, "repository file"), (_CODE, None), (_TRACKING, None), (_UPLOADED, None)):
        for m in pattern.finditer(text):
            if any(c == "\0" for c in chars[m.start() : m.end()]):
                continue
            if kind == "repository file":
                token = m.group()
                if Path(token).name not in files and not any(token.startswith(top) for top in files if top.endswith("/")):
                    continue
            if kind:
                problems.append(f"{kind} {m.group()!r}: {_context(text, m.start(), m.end())}")
            chars[m.start() : m.end()] = "\0" * (m.end() - m.start())
    rest = "".join(chars)
    for m in _WORD.finditer(rest):
        if m.group() not in allow:
            problems.append(f"English word {m.group()!r}: {_context(rest.replace(chr(0), ' '), m.start(), m.end())}")
    for m in re.finditer(r"（\s*）|\(\s*\)", rest):  # a label printed with nothing inside
        problems.append(f"empty brackets: {_context(rest.replace(chr(0), ' '), m.start(), m.end())}")
    for m in re.finditer(r"[{}]", rest):
        problems.append(f"brace {m.group()!r}: {_context(rest.replace(chr(0), ' '), m.start(), m.end())}")
    return problems
