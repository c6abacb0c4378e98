"""Find every quantitative claim in a clean report text.

A figure is a number with what it counts: ``受理29件``, ``1.7万余件`` (17000, approximate),
``调解成功率98.42%``. The span covers an approximate marker before the number (近, 约, 超过 …),
the number, its magnitude (万/亿), 余/多, the unit as written and a marker after it (左右, 以上 …).
Money keeps 万元/亿元 as its unit (the value is as written); any other unit is scaled, so
``29.5万余人次`` is 295000 人次.

Dates, document numbers (〔2019〕1号), article and ordinal numbers (第二次), section numbers,
numbers inside book titles 《…》 and short quoted names (“四十五证合一”, “210”), and the
economy's own results (地区生产总值) are not figures.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import cn2an

from fazhi.core.filetext import VALUE_CELL
from fazhi.reader import cleaning

# Units as written, longest first so 人次 wins over 人 and 个工作日 over 个.
UNITS = [
    "个工作日",
    "工作日",
    "个百分点",
    "百分点",
    "个月",
    "人次",
    "件次",
    "场次",
    "户次",
    "家次",
    "批次",
    "万元",
    "亿元",
    "元",
    "学时",
    "课时",
    "小时",
    "分钟",
    "子项",
    "大类",
    "平方米",
    "公里",
    "件",
    "人",
    "次",
    "场",
    "项",
    "个",
    "家",
    "户",
    "名",
    "部分",
    "部",
    "份",
    "条",
    "篇",
    "期",
    "起",
    "批",
    "本",
    "台",
    "所",
    "座",
    "天",
    "日",
    "年",
    "周",
    "类",
    "套",
    "处",
    "间",
    "张",
    "册",
    "轮",
    "支",
    "组",
    "位",
    "宗",
    "卷",
    "票",
    "笔",
    "倍",
    "证",
    "单",
    "节",
    "门",
    "种",
    "例",
    "班",
    "块",
    "辆",
    "栋",
    "亩",
    "封",
    "%",
    "‰",
]
COUNT_UNITS = set(UNITS) - {"%", "‰"}
UNIT_RE = "|".join(re.escape(u) for u in UNITS)
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
PREFIX = "不超过|超过|接近|将近|不足|不到|突破|逾|近|约|大约"
SUFFIX = "左右|以上|以内|以下|上下"
FIGURE = re.compile(
    rf"(?P<pre>{PREFIX})?"
    rf"(?P<num>\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{CN_DIGITS}]+)"
    rf"(?P<mag>[万亿千](?=余|多|{UNIT_RE}))?"
    r"(?P<about>余|多)?"
    r"(?P<mag2>[万亿](?=[\u4e00-\u9fff%]))?"
    rf"(?:(?P<unit>{UNIT_RE})(?P<times>[(（]次[)）])?|(?P<big>大(?![于幅力量约概多部])(?:[\u4e00-\u9fff]{{1,4}}(?=[，,、；;。：:！？!?\n]|$)|[\u4e00-\u9fff]{{2}})))?"
    rf"(?P<post>{SUFFIX})?"
)
RANGE_TAIL = re.compile(rf"\s*[-~～—至到]\s*\d+(?:\.\d+)?(?P<mag>[万亿千])?(?:余|多)?(?P<unit>{UNIT_RE})")
# Spans that hold numbers which are not figures.
MASKS = [
    re.compile(r"《[^《》\n]{0,120}》"),
    # short quoted names (“四个意识”, “210”), but not “四个100%”, whose 100% is a claim
    re.compile(r"“(?![一二两三四五六七八九十]+个\d+(?:\.\d+)?%”)[^“”\n]{0,14}”|‘[^‘’\n]{0,14}’|\"[^\"\n]{0,14}\""),
    # longer quoted titles without a clause break (“辽宁省2022年推进法治政府建设十项重点任务”)
    re.compile(r"“[^“”\n，,。；;：:！？!?]{15,40}”"),
    re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*[-—–~～至到]\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年?"),
    re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年(?:度)?(?:\s*[\d一二三四五六七八九十]{1,2}\s*月(?:\s*[\d一二三四五六七八九十]{1,3}\s*[日号])?)?"),
    re.compile(r"(?<![\d.])\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?(?:份|初|底|中旬|上旬|下旬)?"),
    re.compile(r"(?:19|20)\d{2}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?|\.\d{1,2}\.\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}"),
    re.compile(r"\d+\s*周?岁"),
    re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*(?:第\s*)?\d+\s*号|\d+\s*号"),
    re.compile(rf"第\s*[\d{CN_DIGITS}]+"),
    re.compile(r"\d+(?:\.\d+)+(?=\s*(?:版|平台|系统))|\d+·\d+|\d+\+\d+|\d+[A-Za-z]+"),
    re.compile(r"\d+小时(?=司法所|自助|便民|不打烊|值守|热线|服务)"),
    # named service-radius concepts (15分钟政务服务圈), ranks (排名前五位), addresses (地址:…161号722室)
    re.compile(r"\d+(?:分钟|小时|公里)(?=[\u4e00-\u9fff]{0,6}圈)"),
    re.compile(rf"前[\d{CN_DIGITS}]+(?:位|名|强)"),
    re.compile(r"地址[:：][^，,。；;\n]{0,40}|\d+(?:室|号楼)"),
    # standing schedules (每季度至少听取1次), planning horizons (未来五年) and plans named by their span (三年行动)
    re.compile(rf"每(?:半年|两年|年|季度|季|月|旬|周|星期|天|日)[^，,。；;\n\d]{{0,10}}?(?:\d+|[{CN_DIGITS}]+)(?=次|场|回|轮)"),
    re.compile(rf"(?:未来|今后)[\d{CN_DIGITS}]+年"),
    re.compile(rf"[\d{CN_DIGITS}]+年(?=行动|规划|计划|攻坚|纲要)"),
    re.compile(r"[一二三四五六七八九十]+是|[一二三四五六七八九十]+年来|周[一二三四五六日天末]|星期[一二三四五六日天]"),
    re.compile(r"三项制度|三合一|多证合一|三会一课|四个意识|四个自信|两个维护|两个确立|三清单一目录|一规划两方案|三调联动|五治融合"),
]
MASK = re.compile("|".join(f"(?:{m.pattern})" for m in MASKS))
# Whole sentences about the economy's results rather than the government's work.
ECONOMY = re.compile(r"地区生产总值|生产总值|GDP|经济绩效指标")
# Chinese numerals that are names, not counts.
CN_IDIOMS = re.compile(r"^(?:一|[千万百亿])$")
NOT_BEFORE_CN = set("第每逐唯之其某")
# A label whose calibrated probability of being right is under this is reported as low confidence.
LOW_CONFIDENCE = 0.5


@dataclass
class Figure:
    start: int
    end: int
    quote: str
    value: float | int
    unit: str
    approx: bool
    number_start: int
    number_end: int
    metric: str | None = None
    # the calibrated probability that the metric is right (labels.py); None where no model gave one
    metric_confidence: float | None = None
    # the next likeliest labels after ``metric``, likeliest first (labels.py; the ranker's runners-up)
    metric_alternatives: list[str] = field(default_factory=list)

    @property
    def low_confidence(self) -> bool:
        return self.metric_confidence is not None and self.metric_confidence < LOW_CONFIDENCE

    @property
    def alternatives_note(self) -> str:
        """For a reader of a low-confidence label: the labels it may be instead ("" for a sure one)."""
        return f"其他可能：{'、'.join(self.metric_alternatives)}" if self.low_confidence and self.metric_alternatives else ""

    def as_dict(self) -> dict[str, object]:
        return {
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "unit": self.unit,
            "approx": self.approx,
            "metric": self.metric,
            "metric_confidence": self.metric_confidence,
            "metric_alternatives": self.metric_alternatives,
        }


# Every mask starts with one of these characters: looking for them first (a plain character-set
# scan) and trying the masks only there is several times faster than running the alternation of
# all masks at every position of the text.
MASK_FIRST = re.compile(rf"[\d{CN_DIGITS}〇○“‘\"《〔\[［(（第前每未今地周星多]")


def mask_spans(text: str) -> list[tuple[int, int]]:
    """The spans ``MASK.finditer`` finds, leftmost first, without trying it at every position."""
    spans: list[tuple[int, int]] = []
    search, match = MASK_FIRST.search, MASK.match
    pos = 0
    while (f := search(text, pos)) is not None:
        at = f.start()
        m = match(text, at)
        if m is not None and m.end() > at:
            spans.append((at, m.end()))
            pos = m.end()
        else:
            pos = at + 1
    return spans


def _masked(text: str) -> list[tuple[int, int]]:
    spans = mask_spans(text)
    for m in ECONOMY.finditer(text):
        start = max(text.rfind(c, 0, m.start()) for c in "。！？!?\n") + 1
        ends = [e for e in (text.find(c, m.end()) for c in "。！？!?\n") if e >= 0]
        spans.append((start, min(ends) + 1 if ends else len(text)))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = sorted(spans)
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def chinese_number(token: str) -> int | None:
    if token in ("万", "千", "百", "亿"):
        return {"百": 100, "千": 1000, "万": 10000, "亿": 100000000}[token]
    try:
        return int(cn2an.cn2an(token.replace("〇", "零"), "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


# Shares and ratios, read before the general pattern: 1.04:1, 三分之二, 百分之八十, 六成.
CN_NUM = "零〇一二两三四五六七八九十百"
SHARE = re.compile(
    rf"(?P<pre>{PREFIX})?(?:"
    rf"(?P<ratio_a>\d+(?:\.\d+)?)\s*[:：∶]\s*(?P<ratio_b>\d+(?:\.\d+)?)(?![\d.:：])"
    rf"|(?P<per>百|千)分之(?P<per_num>[{CN_NUM}]+(?:点[{CN_NUM}]+)?)"
    rf"|(?P<den>[{CN_NUM}]+)分之(?P<num>[{CN_NUM}]+)"
    rf"|(?P<tenths>\d|[一二两三四五六七八九])成(?P<tenths2>[一二三四五六七八九])?(?![立员为功果本都效熟就长型交品绩不])"
    rf")(?P<post>{SUFFIX})?"
)


SHARE_HINT = re.compile(r"[:：∶]\s*\d|分之|[\d一二两三四五六七八九]成")


def _share(text: str, m: re.Match[str]) -> Figure | None:
    """A ratio (value a/b, unit ``:1``) or a share in Chinese words (value in %, unit ``%``)."""
    value: Decimal
    if m.group("ratio_a"):
        a, b = Decimal(m.group("ratio_a")), Decimal(m.group("ratio_b"))
        left = text[m.start("ratio_a") - 1] if m.start("ratio_a") else ""
        if b == 0 or left.isdigit() or left == ".":
            return None
        if "." not in m.group("ratio_a") + m.group("ratio_b") and len(m.group("ratio_b")) == 2 and int(m.group("ratio_a")) < 24:
            return None  # a clock time (9:30)
        value, unit = (a / b).quantize(Decimal("0.0001")).normalize(), ":1"
    elif m.group("per"):
        whole, _, frac = m.group("per_num").partition("点")
        number = chinese_number(whole)
        if number is None:
            return None
        digits = "".join(str(chinese_number(c) or 0) for c in frac)
        value = Decimal(f"{number}.{digits}" if digits else number)
        value, unit = (value if m.group("per") == "百" else value / 10), "%"
    elif m.group("den"):
        den, num = chinese_number(m.group("den")), chinese_number(m.group("num"))
        if not den or num is None or num > den:
            return None
        value, unit = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01")).normalize(), "%"
    else:
        tenths = m.group("tenths")
        tens = int(tenths) if tenths.isdigit() else chinese_number(tenths)
        if tens is None or (m.start("tenths") and text[m.start("tenths") - 1].isdigit()):
            return None
        ones = chinese_number(m.group("tenths2")) if m.group("tenths2") else 0
        value, unit = Decimal(tens * 10 + (ones or 0)), "%"
    start, end = m.span()
    approx = bool(m.group("pre") or m.group("post"))
    first = next(g for g in ("ratio_a", "per", "den", "tenths") if m.group(g))
    return Figure(start, end, text[start:end], _number(value), unit, approx, m.start(first), end)


def extract(text: str, shadow: str | None = None) -> list[Figure]:
    """Every figure of ``text``; ``shadow`` is the same text in simplified characters (same
    offsets), on which the numbers and units are read; the quotes stay as written."""
    read = cleaning.simplified(text) if shadow is None else shadow
    masks = _masked(read)
    shares: list[Figure] = []
    if SHARE_HINT.search(read):
        shares = [f for m in SHARE.finditer(read) if not _inside(masks, m.start()) and (f := _share(read, m)) is not None]
    if shares:
        masks = _merge(masks + [(f.start, f.end) for f in shares])
    figures: list[Figure] = list(shares)
    bars = "|" in read or "｜" in read
    mi = 0
    pos = 0
    while True:
        m = FIGURE.search(read, pos)
        if m is None:
            break
        pos = m.end() if m.end() > m.start() else m.start() + 1
        num_start, _num_end = m.span("num")
        while mi < len(masks) and masks[mi][1] <= num_start:
            mi += 1
        if mi < len(masks) and masks[mi][0] <= num_start < masks[mi][1]:
            pos = max(num_start + 1, min(m.end(), masks[mi][1]))
            continue
        figure = _figure(read, m)
        if figure is None:
            pos = m.end("num") if m.end("num") > m.start() else m.start() + 1
            continue
        if mi < len(masks) and figure.start < masks[mi][0] < figure.end:
            continue  # the quote would run into a masked span
        if bars and _in_row_heading(read, figure):
            continue
        figures.append(figure)
    figures.sort(key=lambda f: f.start)
    if read is not text:
        for f in figures:
            f.quote = text[f.start : f.end]
    return figures


def _in_row_heading(text: str, figure: Figure) -> bool:
    """Whether the figure is words of a table row's heading (``5.属于三类内部事务信息 | 0 | 0``): a
    number in a cell with other words, left of cells that hold the row's figures."""
    line_start = text.rfind("\n", 0, figure.start) + 1
    line_end = text.find("\n", figure.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if not BAR.search(line):
        return False
    cell_start = max(line.rfind("|", 0, figure.start - line_start), line.rfind("｜", 0, figure.start - line_start)) + 1
    after = BAR.split(line[figure.end - line_start :])
    cell = (line[cell_start : figure.start - line_start] + after[0]).strip()
    if not cell or VALUE_CELL.fullmatch(cell):
        return False
    return any(VALUE_CELL.fullmatch(c.strip()) for c in after[1:])


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether ``at`` falls in one of the sorted, disjoint ``spans``."""
    i = bisect_right(spans, (at, at)) - 1
    if i + 1 < len(spans) and spans[i + 1][0] == at:
        i += 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


# A table cell: a number alone on its line, or between the bars of a table flattened to a | b | c.
CELL_RIGHT = re.compile(r"[ \t]*(?:$|\n|[|｜])")
YEARISH = re.compile(r"(?:19|20)\d{2}")
# Digits run together from a date whose separators were lost (2025730日, 20256月).
RUN_DATE = re.compile(r"(?:19|20)\d{3,6}")


def _figure(text: str, m: re.Match[str]) -> Figure | None:
    token = m.group("num")
    unit = m.group("unit") or ""
    if m.group("times"):
        unit += "次"  # 8100余场(次) counts 场次
    if m.group("big"):
        # 5大领域: no measure word, the counted noun is the unit; but 十九大, 二十大 are party congresses
        if not token[0].isdigit() and (chinese_number(token) or 0) > 10:
            return None
        unit = m.group("big")
    mag = m.group("mag") or m.group("mag2") or ""
    num_start, num_end = m.span("num")
    before = text[num_start - 1] if num_start else ""
    after = text[m.end() : m.end() + 1]
    chinese = not token[0].isdigit()
    if chinese:
        if m.group("mag"):
            return None  # 十万 etc. are read whole by the numeral parser
        if before in NOT_BEFORE_CN or not unit or unit in ("%", "‰") or after.isdigit():
            return None
        if CN_IDIOMS.match(token) and not m.group("pre"):
            return None
        parsed = chinese_number(token)
        if parsed is None:
            return None
        value = Decimal(parsed)
    else:
        if before.isdigit() or before == "." or (before.isascii() and before.isalpha()):
            return None
        if RUN_DATE.fullmatch(token) and re.match(r"[月日号]", text[num_end : num_end + 1]):
            return None
        value = Decimal(token.replace(",", ""))
        if not unit and (r := RANGE_TAIL.match(text, m.end("num"))):
            # The low end of a range (10至15件) takes the unit and magnitude of the high end.
            unit, mag = r.group("unit"), r.group("mag") or ""
        if not unit and not mag and not m.group("pre") and not m.group("about") and _cell(text, num_start, num_end):
            return Figure(num_start, num_end, token, _number(value), _column_unit(text, num_start), False, num_start, num_end)
        if not unit:
            # A bare number is a figure only where a unit went missing (a truncated sentence):
            # an integer between Chinese text and a clause end, more text or the end of the text,
            # never 0 and never a year whose 年 was lost (2022政府信息公开工作年度报告).
            if mag or "." in token or value == 0 or not before or not re.match(r"[\u4e00-\u9fff]", before):
                return None
            if len(token) == 4 and YEARISH.fullmatch(token):
                return None
            at_end = after in ("", "\n")
            if len(token) >= 5 and not (at_end and len(token) <= 6):
                return None
            if not (at_end or after in "，,；;。、" or re.match(r"[\u4e00-\u9fff]", after)):
                return None
    if mag and unit not in ("元",):
        value *= {"千": 1000, "万": 10000, "亿": 100000000}[mag]
    elif mag:
        unit = mag + unit
    if unit == "年" and not chinese and len(token) == 4:
        return None
    start = m.start("pre") if m.group("pre") else num_start
    end = m.end()
    approx = bool(m.group("pre") or m.group("about") or m.group("post"))
    return Figure(start, end, text[start:end], _number(value), unit, approx, num_start, num_end)


# The unit of a table column, in its heading (收案（宗）, 金额(万元), 办结率（%）, a heading that is only
# the unit) or in a caption line above the table (单位：件).
HEADING_UNIT = re.compile(rf"[（(]\s*(?:单位[:：]\s*)?({UNIT_RE})\s*[）)]$|^({UNIT_RE})$")
CAPTION_UNIT = re.compile(rf"单位[:：]\s*({UNIT_RE})\s*[）)]?$")
BAR = re.compile(r"[|｜]")
MAX_HEADING_ROWS = 60


PLACEHOLDER_CELL = frozenset({"无", "—", "——", "-", "/", "／", "空", "…"})


def _heading_cell(cell: str) -> bool:
    """A cell that names a row or a column: not a number (``12``, ``3.5%``), a placeholder (—, 无) or empty."""
    return bool(cell) and cell not in PLACEHOLDER_CELL and not VALUE_CELL.fullmatch(cell)


def column_heading(text: str, at: int) -> tuple[str, str, str] | None:
    """For a table cell at ``at`` (rows are lines of cells between bars): the row's heading (the
    cells left of it that name something, a merged heading once: ``三、本年度办理结果（三）不予公开1.属于国家秘密``),
    the column's heading (the cells that name something above it in its column, the outermost
    first, from the nearest up to the data of a table above: ``申请人情况法人或其他组织商业企业``; ""
    for a table flattened onto one line), and the column's unit, from the nearest heading above
    that names one, else from a caption line just above the table (单位：件). None where ``at``
    is in no table's cell after the first column."""
    line_start = text.rfind("\n", 0, at) + 1
    column = len(BAR.findall(text, line_start, at))
    if not column:
        return None
    row = _joined(cell.strip() for cell in BAR.split(text[line_start:at])[:-1])
    headings: list[str] = []
    unit = ""
    end = line_start - 1
    for _ in range(MAX_HEADING_ROWS):
        if end <= 0:
            break
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if not BAR.search(line):
            if not unit and (caption := CAPTION_UNIT.search(line)):
                unit = caption.group(1)
            break
        cells = BAR.split(line)
        cell = cells[column].strip() if column < len(cells) else ""
        if _heading_cell(cell):
            headings.append(cell)
            if not unit and (named := HEADING_UNIT.search(cell)):
                unit = named.group(1) or named.group(2)
        elif headings and cell and cell not in PLACEHOLDER_CELL:
            break  # a figure above the headings: the data of a table above
        end = start - 1
    return row, _joined(reversed(headings)), unit


def _joined(cells: Any) -> str:
    """Heading cells run together, a cell repeated by a merge (one after another) once."""
    out: list[str] = []
    for cell in cells:
        if _heading_cell(cell) and (not out or out[-1] != cell):
            out.append(cell)
    return "".join(out)


def _column_unit(text: str, at: int) -> str:
    found = column_heading(text, at)
    return found[2] if found else ""


def _cell(text: str, start: int, end: int) -> bool:
    """Whether the number at start:end fills a table cell (its line, or the space between bars)."""
    left = text[text.rfind("\n", 0, start) + 1 : start].rstrip(" \t")
    return (not left or left.endswith(("|", "｜"))) and bool(CELL_RIGHT.match(text, end))
