"""Paragraphs of an annual report generated from the indicator catalogue.

A report definition (``definitions/reports/*.yaml``) lists the parts in their default order and,
for the parts the records speak to, paragraph templates. ``{code}`` places an indicator's value
as the seed reports write it ("43件", "96.1%", "73.5万元"), ``{code:change}`` the year-over-year
phrase, ``{code:previous}`` last year's value. Each placed value is a :class:`Figure` with its
character span in the paragraph, so the HTML can link it to its trace and the reader can be
checked against what was put in. A paragraph whose ``requires`` indicator has no records prints
its ``none`` text instead: a district without 复议 cases does not report "0件" as an achievement.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.models import Level, Unit
from fazhi.core.strictyaml import check_keys, load_strict
from fazhi.indicators.catalogue import Indicator, catalogue
from fazhi.indicators.engine import Computation, Period, Value, yoy_caution

TABLES = ("table2", "table3", "table4")  # fazhi/reports/disclosure_tables.py
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*\.[a-z0-9_.]+)(?::(change|previous))?\}")  # indicator codes have a dot
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ParagraphDef:
    topic: str
    requires: str
    text: str
    none: str


@dataclass(frozen=True)
class PartDef:
    key: str
    title: str
    paragraphs: tuple[ParagraphDef, ...] = ()
    table: str = ""  # a table computed from the registers (政府信息公开工作年度报告)


@dataclass(frozen=True)
class Deadline:
    month: int
    day: int
    label: str
    citation: str
    units: str = ""  # "government", "department" or "" (both)


@dataclass(frozen=True)
class ReportDef:
    kind: str
    title: str
    parts: tuple[PartDef, ...]
    fixed_order: bool = False  # a national format: the parts cannot be reordered
    deadlines: tuple[Deadline, ...] = ()

    def part(self, key: str) -> PartDef:
        return next(p for p in self.parts if p.key == key)

    def codes(self) -> list[str]:
        out: list[str] = []
        for part in self.parts:
            for para in part.paragraphs:
                for code in [para.requires] + [m.group(1) for m in PLACEHOLDER.finditer(para.text)]:
                    if code not in out:
                        out.append(code)
        return out


def has_definition(kind: str) -> bool:
    return (Path(settings.FAZHI_DEFINITIONS_DIR) / "reports" / f"{kind}.yaml").exists()


@cache
def definition(kind: str) -> ReportDef:
    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "reports" / f"{kind}.yaml"
    if not path.exists():
        raise DefinitionError(f"没有报告定义 {kind}")
    return parse(load_strict(path), str(path))


def parse(raw: Any, filename: str) -> ReportDef:
    top = check_keys(
        raw, allowed={"kind", "title", "parts", "fixed_order", "deadlines"}, required={"kind", "title", "parts"}, filename=filename, where="报告定义"
    )
    deadlines = []
    for d in top.get("deadlines") or []:
        d = check_keys(
            d, allowed={"month", "day", "label", "citation", "units"}, required={"month", "day", "label", "citation"}, filename=filename, where="期限"
        )
        try:
            dt.date(2001, int(d["month"]), int(d["day"]))
        except (TypeError, ValueError):
            raise DefinitionError(f"{filename}:{d.line}: 期限 {d['month']}月{d['day']}日 不是有效日期") from None
        if str(d.get("units", "")) not in ("", "government", "department"):
            raise DefinitionError(f"{filename}:{d.line}: units 只能是 government 或 department")
        deadlines.append(Deadline(int(d["month"]), int(d["day"]), str(d["label"]), str(d["citation"]), str(d.get("units", ""))))
    cat = catalogue()
    parts, keys = [], set()
    for p in top["parts"]:
        p = check_keys(p, allowed={"key", "title", "paragraphs", "table"}, required={"key", "title"}, filename=filename, where="部分")
        if p.get("table") and p["table"] not in TABLES:
            raise DefinitionError(f"{filename}:{p.line}: 部分 {p['key']} 的表格 {p['table']!r} 未定义（有：{', '.join(TABLES)}）")
        if p["key"] in keys:
            raise DefinitionError(f"{filename}:{p.line}: 部分 {p['key']} 重复")
        keys.add(p["key"])
        paragraphs = []
        for para in p.get("paragraphs") or []:
            para = check_keys(
                para, allowed={"topic", "requires", "text", "none"}, required={"topic", "requires", "text", "none"}, filename=filename, where="段落"
            )
            for code in [str(para["requires"])] + [m.group(1) for m in PLACEHOLDER.finditer(str(para["text"]))]:
                if code not in cat:
                    raise DefinitionError(f"{filename}:{para.line}: 段落“{para['topic']}”引用的指标 {code} 不在指标目录中")
            for m in PLACEHOLDER.finditer(str(para["text"])):
                if m.group(2) and cat[m.group(1)].type != "yoy":
                    raise DefinitionError(f"{filename}:{para.line}: {m.group(0)} 只能用于同比（yoy）指标")
            leftover = PLACEHOLDER.sub("", str(para["text"])).replace("{year}", "").replace("{scope}", "").replace("{gov}", "")
            if "{" in leftover or "}" in leftover:
                raise DefinitionError(f"{filename}:{para.line}: 段落“{para['topic']}”含无法识别的占位符")
            paragraphs.append(ParagraphDef(str(para["topic"]), str(para["requires"]), str(para["text"]), str(para["none"])))
        parts.append(PartDef(str(p["key"]), str(p["title"]), tuple(paragraphs), str(p.get("table", ""))))
    return ReportDef(str(top["kind"]), str(top["title"]), tuple(parts), bool(top.get("fixed_order", False)), tuple(deadlines))


# -- formatting as the seed reports write figures --------------------------------------------


def _plain(v: decimal.Decimal | int) -> str:
    if isinstance(v, int):
        return str(v)
    text = f"{v:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money(v: decimal.Decimal) -> tuple[str, str]:
    if abs(v) >= 10000:
        return _plain((v / 10000).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)), "万元"
    return _plain(v.quantize(decimal.Decimal("0.01"))), "元"


def number_text(ind: Indicator, value: Any) -> tuple[str, str] | None:
    """(number, unit) as written in a report, or None when there is no value."""
    if value is None:
        return None
    if ind.type in ("ratio", "on_time"):
        return _plain(value), "%"
    if ind.unit == "元":
        return _money(decimal.Decimal(value))
    return _plain(value), ind.unit


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    code: str
    value: str  # the exact value (a string for decimals), as the catalogue computed it
    unit: str  # as written
    role: str = "value"  # value | change | previous

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Paragraph:
    topic: str
    text: str
    figures: list[Figure] = field(default_factory=list)
    generated: bool = True


@dataclass
class Part:
    key: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


def scope_words(unit: Unit) -> dict[str, str]:
    if unit.level == Level.CITY:
        return {"scope": "全市", "gov": "市政府"}
    if unit.level == Level.DISTRICT and unit.kind == "government":
        return {"scope": "全区", "gov": "区政府"}
    if unit.level == Level.SUBDISTRICT:
        return {"scope": "全街道", "gov": "街道办事处"}
    return {"scope": "本单位", "gov": "本级政府"}


def _fill(template: str, words: dict[str, str], values: dict[str, Value], cat: dict[str, Indicator]) -> tuple[str, list[Figure]]:
    out: list[str] = []
    figures: list[Figure] = []
    pos = 0
    length = 0
    for m in PLACEHOLDER.finditer(template):
        literal = template[pos : m.start()]
        for k, w in words.items():
            literal = literal.replace("{" + k + "}", w)
        out.append(literal)
        length += len(literal)
        pos = m.end()
        code, role = m.group(1), m.group(2) or "value"
        ind, v = cat[code], values[code]
        base = cat[ind.of] if ind.type == "yoy" else ind
        if role == "change":
            if v.change is None:
                text = "上年同期无记录" if not v.previous else "与上年同期无法比较"
                out.append(text)
                length += len(text)
                continue
            caution = yoy_caution(v)
            if caution:  # both values and the note, not a bare "+5934.5%"
                written = number_text(base, v.previous)
                assert written is not None  # a change implies a previous value
                lead = "上年同期"
                out.append(lead)
                length += len(lead)
                token = written[0] + written[1]
                figures.append(Figure(length, length + len(token), code, str(v.previous), written[1], "previous"))
                out.append(token)
                length += len(token)
                note = f"，{caution}"
                out.append(note)
                length += len(note)
                continue
            word = "同比增长" if v.change > 0 else "同比减少" if v.change < 0 else "与上年同期持平"
            out.append(word)
            length += len(word)
            if v.change == 0:
                continue
            number, unit, exact = _plain(abs(v.change)), "%", str(abs(v.change))
        else:
            raw = v.previous if role == "previous" else v.value
            written = number_text(base, raw)
            if written is None:
                text = "无相关记录"
                out.append(text)
                length += len(text)
                continue
            number, unit = written
            exact = str(raw)
        token = number + unit
        figures.append(Figure(length, length + len(token), code, exact, unit, role))
        out.append(token)
        length += len(token)
        if role == "value" and v.small and base.type in ("ratio", "on_time"):
            note = f"（仅{v.denominator}件，样本较少）"
            out.append(note)
            length += len(note)
    tail = template[pos:]
    for k, w in words.items():
        tail = tail.replace("{" + k + "}", w)
    out.append(tail)
    return "".join(out), figures


def generate(kind: str, unit: Unit, year: int, order: list[str] | None = None) -> tuple[str, list[Part]]:
    """The title and the parts, in ``order`` (default: the definition's), with their generated
    paragraphs, computed for the unit's subtree over the year."""
    d = definition(kind)
    cat = catalogue()
    codes = d.codes()
    values = Computation(Period.year(year), codes, within=unit).values([unit.pk]) if codes else {}
    mine = {c: col[unit.pk] for c, col in values.items()}
    words = scope_words(unit) | {"year": str(year), "unit": unit.name}
    keys = order or [p.key for p in d.parts]
    parts = []
    for key in keys:
        pd = d.part(key)
        part = Part(pd.key, pd.title)
        for para in pd.paragraphs:
            if mine[para.requires].records == 0:
                text, figures = _fill(para.none, words, mine, cat)
            else:
                text, figures = _fill(para.text, words, mine, cat)
            part.paragraphs.append(Paragraph(para.topic, text, figures))
        parts.append(part)
    title = d.title
    for k, w in words.items():
        title = title.replace("{" + k + "}", w)
    return title, parts


def heading(index: int) -> str:
    return f"{NUMERALS[index]}、" if index < len(NUMERALS) else f"{index + 1}、"
