"""The text of a DOCX, a PDF or an HTML page, for the pages that read uploaded documents (the report reader,
the verification of an issued document). These run in the sandbox's child process
(``fazhi.core.sandbox``), never in the server: a crafted file can only exhaust the child.

A DOCX is refused before python-docx sees it when its zip is out of proportion (declared
unpacked sizes, ``files.zip_members``) or any XML part declares a DTD: OOXML never has one, and
a DTD is how entity expansion ("billion laughs") and external entities get in. python-docx's
lxml parser does not resolve entities, but an entity node in a paragraph is no text either.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Sequence

from fazhi.core.sandbox import ParseRefused

PDF_MAX_PAGES = 1000
# OCR takes one to three seconds a page on one core: a report runs to some tens of pages
PDF_MAX_SCANNED_PAGES = 60
# "<!DOCTYPE" and "<!ENTITY" in every encoding an XML parser would accept for a part
_DTD_MARKERS = [word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")]


def _refuse_dtd(data: bytes) -> None:
    from fazhi.core.files import zip_members

    members = zip_members(data)
    if isinstance(members, str):
        raise ParseRefused(f"DOCX 文件{members}，不能读取")
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise ParseRefused("文件不是 Word 文档（DOCX）：缺少正文部件")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in members:
            if not re.search(r"\.(xml|rels)$", member.filename, re.IGNORECASE):
                continue
            with archive.open(member) as part:
                head = part.read()
            if any(marker in head for marker in _DTD_MARKERS):
                raise ParseRefused("DOCX 文件含有 XML 实体或文档类型声明（Word 文档不会有），不能读取")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


MAX_SPAN = 100  # a cell spans at most this many columns or rows (a forged span must not blow the grid up)
VALUE_CELL = re.compile(r"[-+]?[\d,，.．]+\s*[%％]?")


def _span(raw: object) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(raw).strip())))
    except (TypeError, ValueError):
        return 1


def _take(carried: dict[int, tuple[str, int]], c: int, out: dict[int, str], filled: set[int]) -> None:
    """Column ``c`` of this row is a merged cell's from above: its text (a figure's, "") unless a
    cell of this row stands there, one row fewer left."""
    text, left = carried.pop(c)
    out.setdefault(c, text)
    filled.add(c)
    if left > 1:
        carried[c] = (text, left - 1)


def span_grid(rows: Sequence[Sequence[tuple[str, int, int]]]) -> list[list[str]]:
    """The rows of a table whose cells (text, columns spanned, rows spanned) may span several, as a
    grid: a cell stands in every place it spans, so that a cell below or beside a merged heading
    finds it in its own column or row; a figure (a number alone in its cell) stands only in the
    first, so that it is read once. Rows spanned past the table's end are dropped."""
    grid: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    for row in rows:
        out: dict[int, str] = {}
        filled: set[int] = set()
        col = 0
        for text, colspan, rowspan in row:
            while col in carried and col not in filled:
                _take(carried, col, out, filled)
                col += 1
            repeat = "" if VALUE_CELL.fullmatch(text.strip()) else text
            for j in range(colspan):
                out[col + j] = text if j == 0 else repeat
                if rowspan > 1:
                    carried[col + j] = (repeat, rowspan)  # this row is counted by _take below
            col += colspan
        for c in sorted(carried):
            if c not in filled:
                _take(carried, c, out, filled)
        grid.append([out.get(i, "") for i in range(max(out) + 1)] if out else [])
    return grid


def table_lines(rows: Sequence[Sequence[str | None]]) -> list[str]:
    """A table's rows as text lines, cells between bars (``行政复议 | 25 | 21``): the form the
    reader's figure extractor reads a table cell in, with its column's heading above it. One
    renderer for the tables of HTML, DOCX and PDF."""
    lines: list[str] = []
    for row in rows:
        cells = [re.sub(r"\s+", " ", cell or "").strip() for cell in row]
        named = set(cells)
        if len(cells) > 1 and len(named) == 1 and cells[0] and not VALUE_CELL.fullmatch(cells[0]):
            lines.append(cells[0])  # a caption merged across the table (第二十条第（一）项): a line of its own, once
        elif any(cells):
            lines.append(" | ".join(cells))
    return lines


def _walk(element: object, skip: tuple[str, ...]) -> list[object]:
    """The descendants of ``element`` in document order, without the subtrees tagged ``skip``."""
    found: list[object] = []
    for child in element:  # type: ignore[attr-defined]
        if not isinstance(child.tag, str) or child.tag in skip:
            continue
        found.append(child)
        found.extend(_walk(child, skip))
    return found


def _text_of(element: object) -> str:
    """The text of the ``w:t`` runs under an element (comments, entities and instructions skipped),
    tabs as a space; not the text of a text box anchored in it, nor a markup-compatibility fallback
    (WPS and Word repeat a text box's content there as VML)."""
    parts = []
    for node in _walk(element, (W + "txbxContent", MC_FALLBACK)):
        tag = node.tag  # type: ignore[attr-defined]
        if tag == W + "t":
            parts.append(node.text or "")  # type: ignore[attr-defined]
        elif tag == W + "tab":
            parts.append(" ")
    return "".join(parts)


def _block_lines(container: object) -> list[str]:
    """The paragraphs and table rows of a block container (the body, a cell, a text box, a content
    control), one per line, in document order. WPS Office (and Word) put text in places a walk over
    the body's paragraphs misses: content controls (``w:sdt``), text boxes (``w:txbxContent``, in
    ``mc:AlternateContent``, whose fallback repeats them), custom XML wrappers."""
    lines: list[str] = []
    for child in container:  # type: ignore[attr-defined]
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        if tag == W + "p":
            lines.append(_text_of(child))
            lines.extend(line for box in _text_boxes(child) for line in _block_lines(box))
        elif tag == W + "tbl":
            rows = []
            for row in _walk(child, (W + "tbl", MC_FALLBACK)):
                if row.tag == W + "tr":  # type: ignore[attr-defined]
                    rows.append([_docx_cell(tc) for tc in row if isinstance(tc.tag, str) and tc.tag == W + "tc"])  # type: ignore[attr-defined]
            lines.extend(table_lines(_merged_down(span_grid(rows))))
        elif tag == W + "sdt":
            for content in child:
                if content.tag == W + "sdtContent":
                    lines.extend(_block_lines(content))
        elif tag == W + "customXml":
            lines.extend(_block_lines(child))
        elif tag.endswith("}AlternateContent"):
            choice = next((c for c in child if isinstance(c.tag, str) and c.tag.endswith("}Choice")), None)
            if choice is not None:
                lines.extend(_block_lines(choice))
    return lines


MERGED_DOWN = "\x00"  # a DOCX cell that continues the vertically merged cell above it


def _docx_cell(tc: object) -> tuple[str, int, int]:
    """A DOCX table cell as (text, columns spanned, 1); a cell continuing a vertical merge
    (``w:vMerge`` without ``restart``) as MERGED_DOWN, to take the text of the cell above."""
    span, merged = 1, False
    for props in tc:  # type: ignore[attr-defined]
        if isinstance(props.tag, str) and props.tag == W + "tcPr":
            for prop in props:
                if prop.tag == W + "gridSpan":
                    span = _span(prop.get(W + "val"))
                elif prop.tag == W + "vMerge":
                    merged = prop.get(W + "val") in (None, "continue")
    return (MERGED_DOWN if merged else " ".join(_block_lines(tc))), span, 1


def _merged_down(grid: list[list[str]]) -> list[list[str]]:
    """The grid with each vertically merged DOCX cell given the heading above it (a figure is
    read once: its continuation stays empty)."""
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell == MERGED_DOWN:
                above = grid[r - 1][c] if r and c < len(grid[r - 1]) else ""
                row[c] = "" if VALUE_CELL.fullmatch(above.strip()) else above
    return grid


def _text_boxes(paragraph: object) -> list[object]:
    """The outermost text boxes anchored in a paragraph, fallbacks left out."""
    boxes: list[object] = []

    def visit(element: object) -> None:
        for child in element:  # type: ignore[attr-defined]
            if not isinstance(child.tag, str) or child.tag == MC_FALLBACK:
                continue
            if child.tag == W + "txbxContent":
                boxes.append(child)
            else:
                visit(child)

    visit(paragraph)
    return boxes


def docx_text(data: bytes) -> str:
    """The header of the first section, then the body's paragraphs and table rows, one per line
    (with the content controls and text boxes WPS Office writes)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _refuse_dtd(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseRefused("DOCX 文件损坏或不是 Word 文档") from exc
    lines: list[str] = []
    for section in document.sections[:1]:
        lines.extend(p.text for p in section.header.paragraphs if p.text.strip())
    lines.extend(_block_lines(document.element.body))
    return "\n".join(lines)


# A page with fewer characters than this in its text layer, and an image, is a scan.
SCAN_MAX_CHARS = 8
OCR_DPI = 150
OCR_MAX_SIDE = 2000  # pixels: the OCR model's own upper bound (rapidocr's max_side_len)


def _pdf_open(data: bytes) -> object:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - parses the page tree: a broken one fails here, not later
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise ParseRefused("PDF 文件已加密（设有打开密码）：请去掉密码后再上传") from exc
        raise ParseRefused("PDF 文件损坏或无法解析") from exc
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError) as exc:
        raise ParseRefused("PDF 文件损坏或无法解析") from exc
    return pdf


def _page_text(page: object) -> str:
    """A page's text, its ruled tables (pdfplumber's line strategy) as table rows in their place.

    Around the tables, an object belongs to the band between two tables its vertical centre falls
    in, and to no band if its centre falls inside a table."""
    tables = [t for t in page.find_tables() if len(t.rows) >= 2 and len(t.rows[0].cells) >= 2]  # type: ignore[attr-defined]
    if not tables:
        return page.extract_text() or ""  # type: ignore[attr-defined,no-any-return]
    tables.sort(key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in tables]

    def band(top: float, bottom: float) -> str:
        def keep(obj: dict[str, object]) -> bool:
            x = (float(obj.get("x0", 0)) + float(obj.get("x1", 0))) / 2  # type: ignore[arg-type]
            y = (float(obj.get("top", 0)) + float(obj.get("bottom", 0))) / 2  # type: ignore[arg-type]
            return top <= y < bottom and not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

        return page.filter(keep).extract_text() or ""  # type: ignore[attr-defined,no-any-return]

    parts: list[str] = []
    top = float("-inf")
    for table in tables:
        parts.append(band(top, table.bbox[1]))
        parts.extend(table_lines(table.extract()))
        top = table.bbox[3]
    parts.append(band(top, float("inf")))
    return "\n".join(p for p in parts if p)


def pdf_pages(data: bytes, *, scans: bool = True) -> list[str | bytes]:
    """Each page of a PDF (at most PDF_MAX_PAGES): its text, tables as rows; or, for a page without
    a text layer (a scan), its image as a grayscale PNG to be read by OCR (``ocr_lines``), at most
    PDF_MAX_SCANNED_PAGES of them. With ``scans=False`` a scanned page is an empty text."""
    from pdfminer.psparser import PSException

    pdf = _pdf_open(data)
    pages: list[str | bytes] = []
    rendered = None
    try:
        for number, page in enumerate(pdf.pages[:PDF_MAX_PAGES]):  # type: ignore[attr-defined]
            try:
                if len(page.chars) >= SCAN_MAX_CHARS or not page.images:
                    pages.append(_page_text(page))
                    continue
            except (PSException, ValueError, KeyError, TypeError) as exc:
                raise ParseRefused(f"PDF 文件第 {number + 1} 页损坏或无法解析") from exc
            if not scans:
                pages.append("")
                continue
            if sum(isinstance(p, bytes) for p in pages) >= PDF_MAX_SCANNED_PAGES:
                raise ParseRefused(f"PDF 的扫描页（没有文字层的图片页）超过 {PDF_MAX_SCANNED_PAGES} 页，文字识别太慢：请上传带文字层的 PDF，或拆分后再读")
            if rendered is None:
                import pypdfium2

                rendered = pypdfium2.PdfDocument(data)
            pages.append(_render(rendered[number]))
    finally:
        pdf.close()  # type: ignore[attr-defined]
        if rendered is not None:
            rendered.close()
    return pages


def _render(page: object) -> bytes:
    width, height = page.get_size()  # type: ignore[attr-defined]
    scale = min(OCR_DPI / 72, OCR_MAX_SIDE / max(width, height, 1))
    image = page.render(scale=scale, grayscale=True).to_pil()  # type: ignore[attr-defined]
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    """Each page's text, pages separated by a form feed; a scanned page is left empty (no OCR)."""
    return "\f".join(p for p in pdf_pages(data, scans=False) if isinstance(p, str))


def ocr_lines(png: bytes) -> list[str]:
    """The text lines of a page image in reading order (RapidOCR with the models in its wheel:
    nothing is downloaded). Boxes whose vertical centres fall within one another's height make a
    line, left to right; a gap wider than two characters between them is a table column (a bar)."""
    import numpy
    from PIL import Image
    from rapidocr_onnxruntime import RapidOCR

    image = Image.open(io.BytesIO(png)).convert("RGB")
    result, _ = RapidOCR(use_cls=False)(numpy.array(image))
    boxes = []
    for points, text, _score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append((min(ys), max(ys), min(xs), max(xs), str(text)))
    boxes.sort(key=lambda b: (b[0] + b[1]) / 2)
    rows: list[list[tuple[float, float, float, float, str]]] = []
    for box in boxes:
        centre = (box[0] + box[1]) / 2
        if rows and rows[-1][0][0] <= centre <= rows[-1][0][1]:
            rows[-1].append(box)
        else:
            rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b[2])
        line = row[0][4]
        for previous, box in itertools.pairwise(row):
            height = max(previous[1] - previous[0], 1)
            line += (" | " if box[2] - previous[3] > 2 * height else "") + box[4]
        lines.append(line)
    return lines


def html_text(data: bytes) -> str:
    """The text of an HTML page (given as UTF-8), block elements one per line, cells spaced."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data.decode("utf-8"), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "head", "nav", "footer", "form", "button", "select"]):
        tag.decompose()
    block = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol", "dd", "dt", "header", "title"}
    for tag in soup.find_all(block):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for table in reversed(soup.find_all("table")):  # innermost first: a nested table is a cell's text
        rows = [
            [(cell.get_text(" "), _span(cell.get("colspan")), _span(cell.get("rowspan"))) for cell in tr.find_all(["td", "th"], recursive=False)]
            for tr in table.find_all("tr")
        ]
        rows = [row for row in rows if row]
        if rows:
            table.replace_with("\n" + "\n".join(table_lines(span_grid(rows))) + "\n")
    return soup.get_text()
