"""The official document layout of GB/T 9704-2012 (党政机关公文格式), shared by the annual reports
and the documents the platform issues (文书).

- A4; 版心 156 mm × 225 mm: top margin 37 mm, bottom 35 mm, left 28 mm, right 26 mm (§5.2.1);
- body in 3号 (16 pt) 仿宋_GB2312, 22 lines a page on a line grid of 28.95 pt (§5.2.2, §7.3.3);
- title in 2号 (22 pt) 方正小标宋简体, centred (§7.3.1);
- first-level headings (一、) in 3号 黑体, second level (（一）) in 3号 楷体_GB2312 (§7.3.3);
- page numbers in 4号 (14 pt) 宋体 as "— 1 —", outside edge: odd pages right, even pages left,
  one character in from the edge (§7.5);
- the issuing body and the date at the end, right-aligned four characters in (§7.3.5).
Fonts are named as the standard names them; a machine without them substitutes through
fontconfig (``fonts/fonts.conf`` beside this file maps each to a Debian font for the PDF).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SECOND_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
SECOND_LEVEL = re.compile(r"^（[一二三四五六七八九十]+）")  # a second-level heading: 楷体
LINE = Pt(28.95)  # 225 mm / 22 lines
BODY = Pt(16)  # 3号


def font(run: Any, name: str, size: Pt, bold: bool = False) -> None:
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


def layout(p: Any, *, indent_chars: float = 2, align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY) -> None:
    f = p.paragraph_format
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = LINE
    f.space_before = Pt(0)
    f.space_after = Pt(0)
    f.first_line_indent = Pt(16 * indent_chars) if indent_chars else None
    p.alignment = align


def page_number(paragraph: Any, align: Any, indent: str) -> None:
    """ "— N —" with a PAGE field, one character in from the outside edge."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if indent == "right":
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    for text in ("— ", None, " —"):
        run = paragraph.add_run()
        font(run, PAGE_FONT, Pt(14))
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


def grid(section: Any) -> None:
    """The line grid: 22 lines of 28.95 pt in the 225 mm text block."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(28.95 * 20)))


def document_new() -> Any:
    """An empty A4 document in the GB/T 9704 page layout, with page numbers and the body style."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, "right")
    page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, "left")
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY
    normal.element.get_or_add_rPr()
    return doc


def title_add(doc: Any, text: str) -> None:
    """The title, centred in 2号 小标宋, and one empty line under it."""
    title = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    layout(title, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    font(title.add_run(text), TITLE_FONT, Pt(22))
    layout(doc.add_paragraph(), indent_chars=0)


def body_add(doc: Any, text: str, *, indent_chars: float = 2, face: str = BODY_FONT, align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY) -> Any:
    p = doc.add_paragraph()
    layout(p, indent_chars=indent_chars, align=align)
    font(p.add_run(text), face, BODY)
    return p


def closing_add(doc: Any, issuer: str, day: dt.date) -> None:
    """The issuing body and the date, right-aligned four characters in, after an empty line."""
    layout(doc.add_paragraph(), indent_chars=0)
    for text in (issuer, f"{day.year}年{day.month}月{day.day}日"):
        p = doc.add_paragraph()
        layout(p, indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(16 * 4)
        font(p.add_run(text), BODY_FONT, BODY)
