"""A report version as a DOCX in the official document layout of GB/T 9704-2012 (the page, fonts
and closing are :mod:`fazhi.documents.layout`, shared with the documents the platform issues)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fazhi.documents.layout import BODY, BODY_FONT, HEADING_FONT, SECOND_FONT, SECOND_LEVEL, body_add, closing_add, document_new, font, layout, title_add
from fazhi.reports.generator import heading
from fazhi.reports.models import Report, Version


def _cell_text(cell: Any, text: str, size: Pt, align: Any = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    f = p.paragraph_format
    f.space_before = f.space_after = Pt(0)
    f.first_line_indent = None
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(size.pt * 1.35)  # off the body's 28.95 pt grid: tables are set solid
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().append(snap)
    font(p.add_run(text), BODY_FONT, size)


def _table(doc: Any, table: dict[str, Any]) -> None:
    """A report table (政府信息公开 tables) in 仿宋, smaller than the body so that it fits the text
    block; columns named "group｜label" get a two-level header with the group merged above."""
    columns = table["columns"]
    grouped = any("｜" in c for c in columns)
    size = Pt(10.5) if len(columns) <= 8 else Pt(9)
    head = 2 if grouped else 1
    t = doc.add_table(rows=head + len(table["rows"]), cols=1 + len(columns))
    t.style = "Table Grid"
    t.autofit = False
    label_width = Mm(56) if len(columns) <= 8 else Mm(14)
    other = (Mm(156) - label_width) / len(columns)
    for j, column in enumerate(t.columns):
        column.width = label_width if j == 0 else int(other)
    for row in t.rows:
        row.cells[0].width = label_width
        for cell in row.cells[1:]:
            cell.width = int(other)
    if grouped:
        top, bottom = t.rows[0].cells, t.rows[1].cells
        top[0].merge(bottom[0])
        start = 1
        while start <= len(columns):
            group = columns[start - 1].split("｜")[0]
            end = start
            while end < len(columns) and columns[end].split("｜")[0] == group:
                end += 1
            merged = top[start].merge(top[end]) if end > start else top[start]
            _cell_text(merged, group, size)
            for j in range(start, end + 1):
                _cell_text(bottom[j], columns[j - 1].split("｜")[-1], size)
            start = end + 1
    else:
        _cell_text(t.rows[0].cells[0], "", size)
        for j, c in enumerate(columns, start=1):
            _cell_text(t.rows[0].cells[j], c, size)
    for n, row_ in enumerate(t.rows):
        props = row_._tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        if n < head:
            props.append(OxmlElement("w:tblHeader"))  # the header repeats on the next page
    for i, row in enumerate(table["rows"], start=head):
        _cell_text(t.rows[i].cells[0], ("　" * row["level"]) + row["label"], size, WD_ALIGN_PARAGRAPH.LEFT)
        for j, value in enumerate(row["cells"], start=1):
            _cell_text(t.rows[i].cells[j], "—" if value is None else str(value), size)


def render(report: Report, version: Version, *, signed_on: dt.date | None = None) -> bytes:
    content = version.content
    doc = document_new()
    title_add(doc, content["title"])

    for i, part in enumerate(content["parts"]):
        h = doc.add_paragraph()
        layout(h)
        h.paragraph_format.keep_with_next = True  # a heading is never the last line of a page
        font(h.add_run(f"{heading(i)}{part['title']}"), HEADING_FONT, BODY)
        if not part["paragraphs"] and not part.get("table"):
            body_add(doc, "（无）")
        for para in part["paragraphs"]:
            second = not para["generated"] and SECOND_LEVEL.match(para["text"])
            body_add(doc, para["text"], face=SECOND_FONT if second else BODY_FONT)
        if part.get("table"):
            _table(doc, part["table"])

    closing_add(doc, report.unit.name, signed_on or version.created_at.date())
    core = doc.core_properties
    core.title = content["title"]
    core.author = report.unit.name
    core.comments = f"第{version.number}版 SHA-256 {version.sha256}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
