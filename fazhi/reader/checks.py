"""Checks on a read report: sums, stated rates, mandated parts, repeated passages, years.

Each finding names where it is (offsets into the clean text) and says in Chinese what is wrong.
A rate is only questioned when no rounding or truncation at the precision shown explains it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from fazhi.reader.figures import MASKS, Figure
from fazhi.reader.labels import LabelError, definitions_dir, load_labels

if TYPE_CHECKING:
    from fazhi.reader.document import Report

SEVERITY_NAMES = {"error": "错误", "warning": "疑点", "info": "提示"}
KIND_NAMES = {
    "unit": "缺少单位",
    "sum": "合计不符",
    "parts": "分项不符",
    "rate": "比率不符",
    "mandated": "缺少法定内容",
    "repeat": "重复段落",
    "year": "年份不一致",
}


@dataclass
class Finding:
    kind: str
    severity: str
    message: str
    start: int | None = None
    end: int | None = None
    quotes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_name": KIND_NAMES[self.kind],
            "severity": self.severity,
            "severity_name": SEVERITY_NAMES[self.severity],
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "quotes": self.quotes,
        }


@lru_cache(maxsize=2)
def load_config(path: Path | None = None) -> dict[str, Any]:
    path = path or definitions_dir() / "checks.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LabelError(f"{path.name}：YAML 格式有误：{exc}") from exc
    labels = load_labels()
    names: list[str] = []
    for rule in data.get("sums", []):
        names += [rule["total"], *rule["parts"], *rule.get("optional", [])]
    for rule in data.get("rates", []):
        names += [rule["rate"], *rule["numerator"], *rule["denominator"]]
    unknown = sorted({n for n in names if n not in labels})
    if unknown:
        raise LabelError(f"{path.name}：以下标签不在 LABELS.md 中：{'、'.join(unknown)}")
    return data


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _by_paragraph(report: Report) -> list[list[Figure]]:
    groups: list[list[Figure]] = []
    spans = _paragraphs(report.text)
    i = 0
    for s, e in spans:
        group = []
        while i < len(report.figures) and report.figures[i].start < e + 1:
            if report.figures[i].start >= s:
                group.append(report.figures[i])
            i += 1
        groups.append(group)
    return groups


def _n(figure: Figure) -> Decimal:
    return Decimal(str(figure.value))


def _anchored(report: Report, rules: list[dict[str, Any]], key: str) -> Iterator[tuple[list[Figure], dict[str, Any], int, Figure]]:
    """(paragraph's figures, rule, index, figure) for every exact figure carrying a rule's ``key`` metric."""
    for group in _by_paragraph(report):
        for rule in rules:
            for i, figure in enumerate(group):
                if figure.metric == rule[key] and not figure.approx:
                    yield group, rule, i, figure


def check_sums(report: Report, config: dict[str, Any]) -> list[Finding]:
    findings = []
    for group, rule, i, total in _anchored(report, config.get("sums", []), "total"):
        found: dict[str, Figure] = {}
        for f in group[i + 1 :]:
            if f.metric == rule["total"]:
                break
            if f.metric and f.metric in (*rule["parts"], *rule.get("optional", [])) and f.metric not in found and f.unit == total.unit:
                found[f.metric] = f
        if not all(p in found for p in rule["parts"]) or any(f.approx for f in found.values()):
            continue
        stated = sum((_n(f) for f in found.values()), Decimal(0))
        if stated != _n(total):
            gap = _n(total) - stated
            parts = "、".join(f"{(f.metric or '').removeprefix('行政复议')}{f.quote}" for f in found.values())
            findings.append(
                Finding(
                    "sum",
                    "error" if gap < 0 else "warning",
                    f"{total.metric}{total.quote}，而{parts}，合计{stated:g}{total.unit}，"
                    f"{'多出' if gap < 0 else '相差'}{abs(gap):g}{total.unit}未作说明（{rule.get('explain', '')}）",
                    total.start,
                    max(f.end for f in found.values()),
                    [total.quote, *(f.quote for f in found.values())],
                )
            )
    return findings


def _common(a: str, b: str, n: int) -> bool:
    return any(a[i : i + n] in b for i in range(len(a) - n + 1))


PART_BREAK = re.compile(r"^(?:并|另|同时|还|全年|共)?(?:办理|开展|组织|完成|实现|举办|收到|审结|办结|化解|培养|选派|建成)")


def check_parts(report: Report) -> list[Finding]:
    """``总数X件，其中A件，B件``: the parts may not exceed the total, and are noted when short."""
    from fazhi.reader.labels import Separators, context

    findings = []
    text = report.text
    seps = Separators(text) if "其中" in text else None
    for m in re.finditer(r"其中", text):
        sentence_end = re.compile(r"[。；;\n]").search(text, m.end())
        stop = sentence_end.start() if sentence_end else len(text)
        sentence_start = max(text.rfind(c, 0, m.start()) for c in "。；;\n") + 1
        before = [f for f in report.figures if sentence_start <= f.start < m.start()]
        parts: list[Figure] = []
        for f in report.figures:
            if m.end() <= f.start < stop:
                if parts and PART_BREAK.match(context(text, f, seps).left):
                    break  # a new clause with its own verb: no longer the breakdown
                parts.append(f)
        if not before or len(parts) < 2:
            continue
        total = before[-1]
        if total.unit in ("%", "‰", "个百分点") or total.approx:
            continue
        head = context(text, total, seps).near.replace("#", "")
        head = re.sub(r"^(全年|共|累计|全区|全市|共计|办理|受理)+", "", head)
        same = [p for p in parts if p.unit == total.unit and not p.approx and _common(head, context(text, p, seps).near, 3)]
        if len(same) < 2 or len(same) != len([p for p in parts if p.unit == total.unit]):
            continue
        stated = sum((_n(p) for p in same), Decimal(0))
        if stated == _n(total):
            continue
        gap = _n(total) - stated
        listed = "、".join(p.quote for p in same)
        if gap < 0:
            message = f"“其中”所列分项（{listed}）合计{stated:g}{total.unit}，超过总数{total.quote}"
        else:
            message = f"“其中”所列分项（{listed}）合计{stated:g}{total.unit}，比总数{total.quote}少{gap:g}{total.unit}，其余去向未说明"
        findings.append(Finding("parts", "error" if gap < 0 else "warning", message, total.start, same[-1].end, [total.quote, *(p.quote for p in same)]))
    return findings


def _decimals(quote: str) -> int:
    m = re.search(r"\d+(?:\.(\d+))?", quote)
    return len(m.group(1)) if m and m.group(1) else 0


def rate_explained(stated: float, numerator: float, denominator: float, decimals: int) -> bool:
    """Whether numerator/denominator × 100 rounds or truncates to ``stated`` at ``decimals`` places."""
    if denominator <= 0:
        return False
    exact = numerator / denominator * 100
    step = 10.0**-decimals
    rounded = math.isclose(round(exact, decimals), stated, abs_tol=step / 100) or abs(exact - stated) <= step / 2 + 1e-9
    truncated = math.floor(exact / step + 1e-9) * step
    return rounded or math.isclose(truncated, stated, abs_tol=step / 100)


def check_rates(report: Report, config: dict[str, Any]) -> list[Finding]:
    findings = []
    for group, rule, i, rate in _anchored(report, config.get("rates", []), "rate"):
        earlier = list(reversed(group[:i]))
        num = next((f for f in earlier if f.metric in rule["numerator"]), None)
        den = next((f for f in earlier if f.metric in rule["denominator"]), None)
        if num is None or den is None or num.approx or den.approx or num.unit != den.unit:
            continue
        decimals = _decimals(rate.quote)
        if rate_explained(float(rate.value), float(num.value), float(den.value), decimals):
            continue
        exact = float(num.value) / float(den.value) * 100 if float(den.value) else float("nan")
        findings.append(
            Finding(
                "rate",
                "error",
                f"{rate.metric}写作{rate.quote}，但按{num.quote}÷{den.quote}计算为{exact:.{decimals + 2}f}%，按所示精度不能得出",
                min(rate.start, num.start, den.start),
                rate.end,
                [den.quote, num.quote, rate.quote],
            )
        )
    return findings


def check_mandated(report: Report, config: dict[str, Any]) -> list[Finding]:
    rule = config.get("mandated_parts")
    if not rule or not re.search(rule["applies_to"], report.title or report.text[:200]):
        return []
    if report.year is not None and report.year < int(rule.get("from_year", 0)):
        return []
    tops = [o for o in report.outline if o.level == 1 and o.kind in ("一、", "（一）")]
    findings = []
    for part in rule["parts"]:
        if any(re.search(part["heading"], o.title) for o in tops):
            continue
        required = part.get("required", True)
        note = ""
        span: tuple[int | None, int | None] = (None, None)
        mention = part.get("mention")
        if mention and (m := re.search(mention, report.text)):
            span = m.span()
            line = report.text.count("\n", 0, m.start()) + 1
            note = f"（第{line}段提到“{m.group()}”，但没有单列成部分）"
        if required:
            findings.append(
                Finding(
                    "mandated",
                    "warning",
                    f"没有“{part['name']}”部分{note}，《法治政府建设与责任落实督察工作规定》要求年度报告包含此项",
                    span[0],
                    span[1],
                )
            )
        else:
            findings.append(Finding("mandated", "info", f"没有“{part['name']}”部分（无其他情况时可不写）"))
    return findings


def check_repeats(report: Report, config: dict[str, Any]) -> list[Finding]:
    n = max(int(config.get("repeat_min_chars", 30)), 27)
    text = report.text
    k = 20
    # Every repeated passage of n >= k + 7 characters has, in its first copy, a k-character
    # shingle starting at a position divisible by 8: index only those, look up every position.
    index: dict[str, int] = {}
    for i in range(0, len(text) - k + 1, 8):
        index.setdefault(text[i : i + k], i)
    pairs: dict[tuple[int, int], int] = {}
    for b in range(len(text) - k + 1):
        a = index.get(text[b : b + k])
        if a is not None and b > a + k - 1 and "\n" not in text[b : b + k]:
            # walk back to where the two copies start to agree
            while a > 0 and b - 1 > a + k - 1 and text[a - 1] == text[b - 1] and text[a - 1] != "\n":
                a, b = a - 1, b - 1
            pairs[(a, b)] = 1
    findings = []
    covered: set[int] = set()
    for a, b in sorted(pairs):
        if a in covered:
            continue
        length = k
        while a + length < b and b + length < len(text) and text[a + length] == text[b + length] and text[a + length] != "\n":
            length += 1
        if length < n:
            continue
        covered.update(range(a, a + length))
        passage = text[a : a + length]
        shown = passage if len(passage) <= 60 else passage[:28] + "……" + passage[-28:]
        line_a, line_b = text.count("\n", 0, a) + 1, text.count("\n", 0, b) + 1
        where = f"第{line_a}段" if line_a == line_b else f"第{line_a}段和第{line_b}段"
        times = text.count(passage)
        findings.append(Finding("repeat", "warning", f"{where}重复了同一段文字（{length}字，共出现{times}次）：“{shown}”", b, b + length, [passage]))
    return findings


YEAR = re.compile(r"(?<![\d〔\[［(（])(\d{4})\s*年(?!\s*[-—–~～至到])")
COMPARE = re.compile(r"同比|较|比|上年|去年|以来|累计|连续|自|起|截至|至今|此前|已")


def check_years(report: Report) -> list[Finding]:
    if report.year is None:
        return []
    text = report.text
    masked = [m.span() for mask in MASKS[:2] for m in mask.finditer(text)]
    plan_start = len(text)
    for o in report.outline:
        if o.level == 1 and re.search(r"安排|计划|打算|思路|下一步|工作要点", o.title):
            plan_start = o.start
            break
    sign_start = len(text) - 40
    findings = []
    for m in YEAR.finditer(text):
        year = int(m.group(1))
        if any(s <= m.start() < e for s, e in masked) or year == report.year:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        sentence_start = max(text.rfind(c, 0, m.start()) for c in "。；;\n，,") + 1
        clause = text[sentence_start : m.end() + 12]
        if year == report.year + 1 and (m.start() >= plan_start or m.start() >= sign_start):
            continue
        if year < report.year and COMPARE.search(clause):
            continue
        if year < report.year - 5 or (year < report.year and m.start() != sentence_start and m.start() != line_start):
            continue
        findings.append(
            Finding(
                "year",
                "warning",
                f"正文写“{m.group()}”，与报告年度{report.year}年不一致{'（在工作成效部分）' if m.start() < plan_start else ''}",
                m.start(),
                m.end(),
                [m.group()],
            )
        )
    return findings


def check_units(report: Report) -> list[Finding]:
    """A count with no unit after it: the sentence was most likely cut (a scraped page lost text)."""
    return [
        Finding(
            "unit",
            "warning",
            f"数字“{f.quote}”后面没有单位（上下文：“{report.text[max(0, f.start - 8) : f.end + 6]}”），原句可能被截断",
            f.start,
            f.end,
            [f.quote],
        )
        for f in report.figures
        if not f.unit
    ]


def run(report: Report) -> list[Finding]:
    config = load_config()
    findings = [
        *check_sums(report, config),
        *check_parts(report),
        *check_rates(report, config),
        *check_mandated(report, config),
        *check_repeats(report, config),
        *check_years(report),
        *check_units(report),
    ]
    return findings
