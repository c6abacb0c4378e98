"""Clean the text of a published report: furniture out, header fields read, broken lines rejoined.

The clean text is one paragraph per line. Every offset the reader reports (figures, outline,
checks) is into this text, so it is built once and never edited afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import zhconv

# Site furniture: a short line holding one of these is navigation, sharing or the site footer.
FURNITURE = re.compile(
    r"设为首页|加入收藏|无障碍|长者版|关怀版|扫一扫|【\s*打印\s*】|打印本页|打印文章|关闭窗口|【\s*关闭\s*】|字体[:：]|【\s*[大中小]\s*】|版权所有|"
    r"网站标识码|ICP备|公网安备|主办单位|承办单位|协办单位|联系地址|技术支持|运维邮箱|站点地图|智能问答|联系电话|联系我们|微信公众号|"
    r"官方微博|分享到|上一篇|下一篇|浏览次数|访问量|阅读次数|返回顶部|当前位置|您现在的位置|首页\s*[>＞]|政务微博|手机版|English|邮编[:：]"
)
FURNITURE_MAX = 90
# ... unless the line reads as a sentence of the report that counts something ("“XX”微信公众号发布信息108条。"):
# a figure with a counted unit, and a sentence's punctuation (a footer's fields have neither together).
REPORTED_FIGURE = re.compile(r"\d[\d.,]*\s*(?:余|多)?\s*[\u4e00-\u9fff%]")
# Header fields of government-portal article pages and of red-headed documents.
FIELD = re.compile(
    r"(文\s*号|信息分类|主题分类|发文机构|发文单位|成文日期|名\s*称|标\s*题|索\s*引\s*号|发布日期|发布时间|发布机构|文件分类|所属机构|来\s*源|签\s*发\s*人|生效日期|有\s*效\s*性)\s*[:：]"
)
PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*/\s*共?\s*\d+\s*页?)?[-—–－\s]*$")
BARE_NUMBER_LINE = re.compile(r"^\d{1,3}$")
# A line holding only a number (and perhaps %): a table cell when a table is flattened to one cell per line.
NUMBER_CELL = re.compile(r"^[-+]?\d+(?:\.\d+)?%?$")
# A table row as the loaders write it (fazhi.core.filetext.table_lines): cells between spaced bars,
# not ending in a bar (rows flattened onto one line by a web page end each row with one).
TABLE_ROW = re.compile(r"^[^|｜]*(?: [|｜] [^|｜]*)+(?<![|｜ ])$")
CELL_MAX = 12  # a line this short that is no heading is a table cell or a row/column name
DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号$")
RED_HEAD = re.compile(r"^(.{2,40}?)(?:文件|函|通知|纪要)$")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、](?!\d))")
NEW_PARAGRAPH = re.compile(r"^(?:\d{4}年(?:度|以来)?[，,]?[我全本今区市县]|[一二三四五六七八九十]是)")
TERMINAL = "。！？；：:!?;…"
CLOSERS = "”’」』）)】》"
DATE_LINE = re.compile(r"^\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日\s*$")
SPACE_DIGIT = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”《》（）])[ \t\u3000\xa0]+(?=[\d.%])|(?<=[\d%])[ \t\u3000\xa0]+(?=[\u4e00-\u9fff%])")
BULLET = re.compile(r"^[-*•·]\s+")
FULLWIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "﹪": "%"})
# translate looks every character up in its table (most of a report's cleaning time): only a text
# that holds one of the table's characters, which a regular expression finds far faster, is translated
HAS_FULLWIDTH = re.compile("[" + "".join(chr(c) for c in FULLWIDTH) + "]")
FIELD_NAMES = {
    "文号": "doc_number",
    "签发人": "signers",
    "信息分类": "category",
    "主题分类": "category",
    "文件分类": "category",
    "发文机构": "body",
    "发文单位": "body",
    "发布机构": "publisher",
    "所属机构": "publisher",
    "来源": "publisher",
    "成文日期": "written",
    "发布日期": "published",
    "发布时间": "published",
    "生效日期": "effective",
    "名称": "title",
    "标题": "title",
    "索引号": "index",
    "有效性": "validity",
}


@dataclass
class Cleaned:
    text: str
    header: dict[str, str] = field(default_factory=dict)
    red_head: str = ""
    dropped: list[str] = field(default_factory=list)


def _header_fields(line: str) -> dict[str, str] | None:
    """``名 称: X 索 引 号: Y`` → fields, or None when the line is not a header line."""
    matches = list(FIELD.finditer(line))
    if not matches or matches[0].start() > 2 or len(line) > 200:
        return None
    fields: dict[str, str] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        key = re.sub(r"\s", "", m.group(1))
        value = line[m.end() : end].strip(" |\t\u3000")
        fields[FIELD_NAMES.get(key, key)] = value
    return fields


def normalise(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    if HAS_FULLWIDTH.search(text):
        text = text.translate(FULLWIDTH)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return text.replace("**", "").replace("__", "")


@lru_cache(maxsize=1)
def _to_simplified() -> dict[int, str]:
    """zhconv's one-character traditional → simplified conversions (個 → 个, 萬 → 万, 項 → 项, 餘 → 余 …).

    Only one-to-one characters, so that the converted text keeps every offset of the original."""
    table = zhconv.zhconv.getdict("zh-cn")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


def simplified(text: str) -> str:
    """The text in simplified characters, character for character: same length, same offsets.

    The figures are read, and their labels found, on this text; their quotes stay as written."""
    return text.translate(_to_simplified()) if not _traditional().isdisjoint(text) else text


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    return frozenset(chr(c) for c in _to_simplified())


def _is_heading(line: str) -> bool:
    return bool(HEADING.match(line))


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(CLOSERS)
    return not stripped or stripped[-1] in TERMINAL


def _blank(line: str) -> bool:
    return not line or set(line) <= set("|｜ -—")


def _reports_a_figure(line: str) -> bool:
    return bool(REPORTED_FIGURE.search(line)) and (line.endswith(tuple(TERMINAL)) or "，" in line or "," in line)


def _cell_like(line: str) -> bool:
    """A line that reads as a cell of a table flattened to one cell per line: a bare number, or a
    short name that is not a heading."""
    return bool(NUMBER_CELL.match(line)) or (len(line) <= CELL_MAX and not _is_heading(line))


def _is_page_number(lines: list[str], i: int) -> bool:
    """Whether the number-only line ``lines[i]`` is a page number rather than a table cell.

    A decorated one (``- 3 -``, ``第3页``, ``3/12``) always is. A bare one to three digits is one only
    where it stands alone between text, not next to another cell of a table (another number or a
    short name line): a flattened table keeps its cells."""
    line = lines[i]
    if not BARE_NUMBER_LINE.match(line):
        return True
    prev = next((ln for ln in reversed(lines[:i]) if not _blank(ln)), "")
    nxt = next((ln for ln in lines[i + 1 :] if not _blank(ln)), "")
    return not (prev and _cell_like(prev)) and not (nxt and _cell_like(nxt))


def _table_row(line: str) -> bool:
    """Whether ``line`` is a row of table cells between bars; its last cells may be empty (a row
    ending in bars: ``规章 | 0 | 0 | 0 | |``), as merged or blank cells leave them."""
    return bool(TABLE_ROW.match(line.rstrip("|｜ ")))


def _continues(line: str, nxt: str, first: bool) -> bool:
    """Whether ``nxt`` continues the sentence ``line`` left unfinished (a page or line break)."""
    if NUMBER_CELL.match(nxt) or NUMBER_CELL.match(line):
        return False  # cells of a flattened table stay apart
    if _table_row(line) or _table_row(nxt):
        return False  # so do the rows of a table read from HTML, DOCX or PDF
    if first or _ends_sentence(line) or _is_heading(nxt) or DATE_LINE.match(nxt) or NEW_PARAGRAPH.match(nxt):
        return False
    if _is_heading(line) and len(line) < 80:
        return False
    if nxt.endswith(("：", ":")) and len(nxt) < 20:
        return False
    return len(line) >= 25 or line[-1] in "，,、“《（(" or line[-1].isdigit()


def clean(raw: str) -> Cleaned:
    lines = [BULLET.sub("", ln.strip(" \t\u3000\xa0\f")).strip() for ln in normalise(raw).replace("\f", "\n").split("\n")]
    header: dict[str, str] = {}
    red_head = ""
    dropped: list[str] = []
    body: list[str] = []
    for i, line in enumerate(lines):
        if not line or set(line) <= set("|｜ -—"):
            continue
        fields = _header_fields(line)
        if fields is not None:
            for key, value in fields.items():
                header.setdefault(key, value)
            continue
        if len(line) <= FURNITURE_MAX and FURNITURE.search(line) and not _reports_a_figure(line):
            dropped.append(line)
            continue
        if PAGE_NUMBER.match(line) and _is_page_number(lines, i):
            dropped.append(line)
            continue
        if not body and DOC_NUMBER_LINE.match(line):
            header.setdefault("doc_number", line)
            continue
        if not body and not red_head and (m := RED_HEAD.match(line)) and len(line) <= 40 and not line.endswith(("报告", "情况")):
            red_head = m.group(1)
            continue
        body.append(SPACE_DIGIT.sub("", line))
    paragraphs: list[str] = []
    for line in body:
        if paragraphs and _continues(paragraphs[-1], line, first=len(paragraphs) == 1 and _looks_like_title(paragraphs[0])):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return Cleaned("\n".join(paragraphs), header, red_head, dropped)


def _looks_like_title(line: str) -> bool:
    return len(line) <= 80 and not _ends_sentence(line) and ("报告" in line or "情况" in line or "工作" in line)
