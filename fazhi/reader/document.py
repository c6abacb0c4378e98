"""Read one report: clean text, metadata, outline, figures with their labels."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fazhi.reader import cleaning, figures, labels, loaders

MAX_FIGURES = 5000  # a published report has some hundreds

OUTLINE_MARKERS = [
    ("一、", re.compile(r"(?m)^[一二三四五六七八九十]{1,3}、")),
    ("（一）", re.compile(r"(?m)^[（(][一二三四五六七八九十]{1,3}[）)]")),
    ("1.", re.compile(r"(?m)^\d{1,2}\s*[.．、](?!\d)")),
    ("（1）", re.compile(r"(?m)^[（(]\d{1,2}[）)]")),
    ("一是", re.compile(r"(?:^|(?<=[。；;：:\n]))[一二三四五六七八九十]{1,3}是")),
]
HEADING_END = re.compile(r"[。；;：:！？]")
PLACE = re.compile(r"([\u4e00-\u9fff]{1,7}?(?:自治州|自治县|新区|省|市|区|县|旗|州|盟))")
YEAR_IN_TITLE = re.compile(r"(\d{4})\s*年")
DATE = re.compile(r"(\d{4})\s*[年-]\s*(\d{1,2})\s*[月-]\s*(\d{1,2})")
BODY_SUFFIX = re.compile(r"(人民政府|委员会|办公室|政府|司法局|局|区委|市委|县委)$")


@dataclass
class OutlineItem:
    level: int
    marker: str
    kind: str
    title: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "marker": self.marker, "kind": self.kind, "title": self.title, "start": self.start, "end": self.end}


@dataclass
class Report:
    name: str
    text: str
    format: str
    encoding: str | None
    title: str
    body: str
    date: str | None
    year: int | None
    jurisdiction: str | None
    header: dict[str, str]
    outline: list[OutlineItem]
    figures: list[figures.Figure]
    checks: list[Any] = field(default_factory=list)
    # the PDF pages (from 1) read by OCR from their image: their figures are to be checked against the scan
    ocr_pages: list[int] = field(default_factory=list)
    pages: int = 0

    @property
    def all_ocr(self) -> bool:
        """Whether every page was read by OCR (a scanned report): then each figure is marked."""
        return bool(self.ocr_pages) and len(self.ocr_pages) == self.pages

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.name,
            "title": self.title,
            "body": self.body,
            "date": self.date,
            "year": self.year,
            "jurisdiction": self.jurisdiction,
            "format": self.format,
            "encoding": self.encoding,
            "header": self.header,
            "outline": [o.as_dict() for o in self.outline],
            "figures": [f.as_dict() for f in self.figures],
            "checks": [c.as_dict() for c in self.checks],
            "ocr_pages": self.ocr_pages,
        }
        if with_text:
            data["text"] = self.text
        return data


def outline(text: str) -> list[OutlineItem]:
    found: list[tuple[int, str, str]] = []
    for kind, pattern in OUTLINE_MARKERS:
        for m in pattern.finditer(text):
            found.append((m.start(), kind, m.group()))
    found.sort()
    items: list[OutlineItem] = []
    stack: list[str] = []
    for start, kind, marker in found:
        if kind in stack:
            del stack[stack.index(kind) + 1 :]
        else:
            stack.append(kind)
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        stop = HEADING_END.search(text, start + len(marker), line_end)
        end = stop.start() if stop else line_end
        items.append(OutlineItem(len(stack), marker, kind, text[start + len(marker) : end].strip(), start, end))
    return items


def _title(cleaned: cleaning.Cleaned) -> str:
    if cleaned.header.get("title"):
        return cleaned.header["title"]
    first = cleaned.text.split("\n", 1)[0]
    if cleaning._looks_like_title(first):
        return re.sub(r"\s+", "", first)
    return ""


def _jurisdiction(title: str, body: str) -> str | None:
    for source in (title, body):
        if not source:
            continue
        cleaned = re.sub(r"\d{4}\s*年度?|中共|关于|[^\u4e00-\u9fff]", " ", source)
        for segment in cleaned.split():
            chain: list[str] = []
            rest = segment
            while m := PLACE.match(rest):
                chain.append(m.group(1))
                rest = rest[m.end() :]
            if chain:
                return chain[-1]
    return None


def _signature(text: str) -> tuple[str, str | None]:
    """The issuing body and date signed at the end of the text, if any."""
    lines = text.rstrip().split("\n")[-3:]
    date = None
    body = ""
    for line in reversed(lines):
        stripped = line.strip()
        if date is None and cleaning.DATE_LINE.match(stripped):
            m = DATE.search(stripped.replace(" ", ""))
            date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None
        elif date is not None and len(stripped) <= 40 and BODY_SUFFIX.search(stripped.replace(" ", "")):
            body = stripped.replace(" ", "")
            break
    return body, date


def _header_date(header: dict[str, str]) -> str | None:
    for key in ("written", "published"):
        if m := DATE.search(header.get(key, "")):
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None


def _year(title: str, text: str, date: str | None) -> int | None:
    if m := YEAR_IN_TITLE.search(title):
        return int(m.group(1))
    years = Counter(int(y) for y in re.findall(r"(\d{4})年", text[:3000]))
    if years:
        return years.most_common(1)[0][0]
    return int(date[:4]) - 1 if date else None


def read_text(raw: str, name: str = "", fmt: str = "txt", encoding: str | None = None, with_checks: bool = True) -> Report:
    cleaned = cleaning.clean(raw)
    title = _title(cleaned)
    signed_body, signed_date = _signature(cleaned.text)
    body = cleaned.header.get("body") or cleaned.red_head or signed_body or cleaned.header.get("publisher", "")
    date = signed_date or _header_date(cleaned.header)
    # figures and labels are read on the text in simplified characters (same offsets); quotes stay as written
    shadow = cleaning.simplified(cleaned.text)
    found = figures.extract(cleaned.text, shadow)
    if len(found) > MAX_FIGURES:
        # labelling costs per figure: a text that is mostly numbers is no report to label
        raise loaders.ReaderError(f"文中有 {len(found)} 处数字，超过上限 {MAX_FIGURES}：这不像一份工作报告，请检查是否选错了文件")
    items = outline(cleaned.text)
    labels.label_all(shadow, found, items)
    report = Report(
        name=name,
        text=cleaned.text,
        format=fmt,
        encoding=encoding,
        title=title,
        body=body,
        date=date,
        year=_year(title, cleaned.text, date),
        jurisdiction=_jurisdiction(title, body),
        header=cleaned.header,
        outline=items,
        figures=found,
    )
    if with_checks:
        from fazhi.reader import checks

        report.checks = checks.run(report)
    return report


def read_bytes(
    name: str,
    data: bytes,
    with_checks: bool = True,
    *,
    companions: loaders.Companions | None = None,
    progress: loaders.Progress | None = None,
    ocr: loaders.OcrBudget | None = None,
) -> Report:
    raw = loaders.read_bytes(name, data, companions=companions, progress=progress, ocr=ocr)
    report = read_text(raw.text, name=name, fmt=raw.format, encoding=raw.encoding, with_checks=with_checks)
    report.ocr_pages, report.pages = raw.ocr_pages, raw.pages
    return report


def _beside(folder: Path) -> loaders.Companions:
    """The files beside a page on disk (what a frame of it names), never outside its folder."""
    root = folder.resolve()

    def lookup(path: str) -> bytes | None:
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file() or target.stat().st_size > loaders.MAX_BYTES:
            return None
        return target.read_bytes()

    return lookup


def read_path(path: str | Path, with_checks: bool = True, *, progress: loaders.Progress | None = None) -> Report:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise loaders.ReaderError(f"无法读取文件 {p}：{exc.strerror}") from exc
    return read_bytes(p.name, data, with_checks=with_checks, companions=_beside(p.parent), progress=progress)
