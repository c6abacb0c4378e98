"""A report version as a DOCX in the official document layout of GB/T 9704-2012 (党政机关公文格式).

- A4; 版心 156 mm × 225 mm: top margin 37 mm, bottom 35 mm, left 28 mm, right 26 mm (§5.2.1);
- body in 3号 (16 pt) 仿宋_GB2312, 22 lines a page on a line grid of 28.95 pt (§5.2.2, §7.3.3);
- title in 2号 (22 pt) 方正小标宋简体, centred (§7.3.1);
- first-level headings (一、) in 3号 黑体, second level (（一）) in 3号 楷体_GB2312 (§7.3.3);
- page numbers in 4号 (14 pt) 宋体 as "— 1 —", outside edge: odd pages right, even pages left,
  one character in from the edge (§7.5);
- the issuing body and the date at the end, right-aligned four characters in (§7.3.5).
Fonts are named as the standard names them; a machine without them substitutes through
fontconfig (``fonts.conf`` beside this file maps each to a Debian font for the PDF).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fazhi.reports.generator import heading
from fazhi.reports.models import Report, Version

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SECOND_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
SECOND_LEVEL = re.compile(r"^（[一二三四五六七八九十]+）")  # a second-level heading: 楷体
LINE = Pt(28.95)  # 225 mm / 22 lines
BODY = Pt(16)  # 3号


def _font(run: Any, name: str, size: Pt, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")  # Simplified Chinese glyph forms from fallback fonts


def _layout(p: Any, *, indent_chars: float = 2, align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY) -> None:
    f = p.paragraph_format
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = LINE
    f.space_before = Pt(0)
    f.space_after = Pt(0)
    f.first_line_indent = Pt(16 * indent_chars) if indent_chars else None
    p.alignment = align


def _page_number(paragraph: Any, align: Any, indent: str) -> None:
    """ "— N —" with a PAGE field, one character in from the outside edge."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if indent == "right":
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    for text in ("— ", None, " —"):
        run = paragraph.add_run()
        _font(run, PAGE_FONT, Pt(14))
        if text is not None:
            run.text = text
            continue
        begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        instr.set(qn("xml:space"), "preserve")
        instr.text = " PAGE "
        end.set(qn("w:fldCharType"), "end")
        run._element.append(begin)
        run._element.append(instr)
        run._element.append(end)


def _grid(section: Any) -> None:
    """The line grid: 22 lines of 28.95 pt in the 225 mm text block."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(28.95 * 20)))


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
    _font(p.add_run(text), BODY_FONT, size)


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
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    _grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, "right")
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, "left")

    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY
    normal.element.get_or_add_rPr()

    title = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    _layout(title, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    _font(title.add_run(content["title"]), TITLE_FONT, Pt(22))
    _layout(doc.add_paragraph(), indent_chars=0)  # one empty line under the title

    for i, part in enumerate(content["parts"]):
        h = doc.add_paragraph()
        _layout(h)
        h.paragraph_format.keep_with_next = True  # a heading is never the last line of a page
        _font(h.add_run(f"{heading(i)}{part['title']}"), HEADING_FONT, BODY)
        if not part["paragraphs"] and not part.get("table"):
            p = doc.add_paragraph()
            _layout(p)
            _font(p.add_run("（无）"), BODY_FONT, BODY)
        for para in part["paragraphs"]:
            p = doc.add_paragraph()
            _layout(p)
            second = not para["generated"] and SECOND_LEVEL.match(para["text"])
            _font(p.add_run(para["text"]), SECOND_FONT if second else BODY_FONT, BODY)
        if part.get("table"):
            _table(doc, part["table"])

    _layout(doc.add_paragraph(), indent_chars=0)
    day = signed_on or version.created_at.date()
    for text in (report.unit.name, f"{day.year}年{day.month}月{day.day}日"):
        p = doc.add_paragraph()
        _layout(p, indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(16 * 4)
        _font(p.add_run(text), BODY_FONT, BODY)

    core = doc.core_properties
    core.title = content["title"]
    core.author = report.unit.name
    core.comments = f"第{version.number}版 SHA-256 {version.sha256}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
