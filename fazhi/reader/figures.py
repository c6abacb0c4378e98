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
from dataclasses import dataclass
from decimal import Decimal

import cn2an

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
    rf"(?P<unit>{UNIT_RE})?"
    rf"(?P<post>{SUFFIX})?"
)
RANGE_TAIL = re.compile(rf"\s*[-~～—至到]\s*\d+(?:\.\d+)?(?P<mag>[万亿千])?(?:余|多)?(?P<unit>{UNIT_RE})")
# Spans that hold numbers which are not figures.
MASKS = [
    re.compile(r"《[^《》\n]{0,120}》"),
    re.compile(r"“[^“”\n]{0,14}”|‘[^‘’\n]{0,14}’|\"[^\"\n]{0,14}\""),
    re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*[-—–~～至到]\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年?"),
    re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年(?:度)?(?:\s*[\d一二三四五六七八九十]{1,2}\s*月(?:\s*[\d一二三四五六七八九十]{1,3}\s*[日号])?)?"),
    re.compile(r"(?<![\d.])\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?(?:份|初|底|中旬|上旬|下旬)?"),
    re.compile(r"(?:19|20)\d{2}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?|\.\d{1,2}\.\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}"),
    re.compile(r"\d+\s*周?岁"),
    re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*(?:第\s*)?\d+\s*号|\d+\s*号"),
    re.compile(rf"第\s*[\d{CN_DIGITS}]+"),
    re.compile(r"\d+(?:\.\d+)+(?=\s*(?:版|平台|系统))|\d+·\d+|\d+\+\d+|\d+[A-Za-z]+"),
    re.compile(r"\d+小时(?=司法所|自助|便民|不打烊|值守|热线|服务)"),
    re.compile(r"[一二三四五六七八九十]+是|[一二三四五六七八九十]+年来|周[一二三四五六日天末]|星期[一二三四五六日天]"),
    re.compile(r"三项制度|三合一|多证合一|三会一课|四个意识|四个自信|两个维护|两个确立|三清单一目录|一规划两方案|三调联动|五治融合"),
]
MASK = re.compile("|".join(f"(?:{m.pattern})" for m in MASKS))
# Whole sentences about the economy's results rather than the government's work.
ECONOMY = re.compile(r"地区生产总值|生产总值|GDP|经济绩效指标")
# Chinese numerals that are names, not counts.
CN_IDIOMS = re.compile(r"^(?:一|[千万百亿])$")
NOT_BEFORE_CN = set("第每逐唯之其某")


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

    def as_dict(self) -> dict[str, object]:
        return {
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "unit": self.unit,
            "approx": self.approx,
            "metric": self.metric,
        }


def _masked(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in MASK.finditer(text) if m.end() > m.start()]
    for m in ECONOMY.finditer(text):
        start = max(text.rfind(c, 0, m.start()) for c in "。！？!?\n") + 1
        ends = [e for e in (text.find(c, m.end()) for c in "。！？!?\n") if e >= 0]
        spans.append((start, min(ends) + 1 if ends else len(text)))
    spans.sort()
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


def extract(text: str) -> list[Figure]:
    masks = _masked(text)
    figures: list[Figure] = []
    mi = 0
    pos = 0
    while True:
        m = FIGURE.search(text, pos)
        if m is None:
            break
        pos = m.end() if m.end() > m.start() else m.start() + 1
        num_start, _num_end = m.span("num")
        while mi < len(masks) and masks[mi][1] <= num_start:
            mi += 1
        if mi < len(masks) and masks[mi][0] <= num_start < masks[mi][1]:
            pos = max(num_start + 1, min(m.end(), masks[mi][1]))
            continue
        figure = _figure(text, m)
        if figure is None:
            pos = m.end("num") if m.end("num") > m.start() else m.start() + 1
            continue
        figures.append(figure)
    return figures


def _figure(text: str, m: re.Match[str]) -> Figure | None:
    token = m.group("num")
    unit = m.group("unit") or ""
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
        value = Decimal(token.replace(",", ""))
        if not unit and (r := RANGE_TAIL.match(text, m.end("num"))):
            # The low end of a range (10至15件) takes the unit and magnitude of the high end.
            unit, mag = r.group("unit"), r.group("mag") or ""
        if not unit:
            # A bare number is a figure only where a unit went missing (a truncated sentence):
            # an integer between Chinese text and a clause end or more text, never 0.
            if mag or "." in token or value == 0 or len(token) >= 5 or not before or not re.match(r"[\u4e00-\u9fff]", before):
                return None
            if not (after in "，,；;。、" or re.match(r"[\u4e00-\u9fff]", after or "x")):
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
