"""Give each figure a metric label from ``definitions/reader/LABELS.md``.

Ordered rules (``definitions/reader/metrics.yaml``) first; a figure no rule matches gets the
label whose name shares most character pairs with the figure's context, among the labels its
unit allows (a share for %, a sum of money for 元, a count otherwise).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from fazhi.reader.figures import Figure

LABEL_LINE = re.compile(r"^- \*\*(?P<name>.+?)\*\*\s*[—-]+\s*(?P<definition>.*)$")
RATE_UNITS = {"%", "‰", "个百分点", "百分点", ":1"}
MONEY_UNITS = {"元", "万元", "亿元"}
CONDITIONS = ("near", "left", "right", "clause", "sentence", "paragraph", "not", "cell")
NEAR_SPLIT = re.compile(r"[，,；;。：:、（(）)！？!?\n]")
CLAUSE_SPLIT = re.compile(r"[，,；;。：:！？!?\n]")
SENTENCE_SPLIT = re.compile(r"[；;。！？!?\n]")


class LabelError(ValueError):
    pass


@dataclass(frozen=True)
class Label:
    name: str
    definition: str
    group: str

    @property
    def kind(self) -> str:
        return label_kind(self.name)


def label_kind(name: str) -> str:
    """What a label counts, from its name: a share (rate), a sum of money, or a count; a bracketed
    breakdown at the end (行政复议案件占比(按复议机关)) does not change it."""
    name = re.sub(r"[(（][^()（）]*[)）]$", "", name)
    if name.endswith(("率", "比例", "占比", "增幅", "降幅", "压缩比", "满意度", "权重", "百分点", "完成度", "比")):
        return "rate"
    if name.endswith(("金额", "费用", "投资", "资金", "损失", "外资")) or "金额" in name:
        return "money"
    return "count"


@dataclass(frozen=True)
class Rule:
    metric: str
    conditions: tuple[tuple[str, re.Pattern[str]], ...]
    units: frozenset[str] | None


def definitions_dir() -> Path:
    return Path(settings.BASE_DIR) / "definitions" / "reader"


@lru_cache(maxsize=4)
def load_labels(path: Path | None = None) -> dict[str, Label]:
    path = path or definitions_dir() / "LABELS.md"
    labels: dict[str, Label] = {}
    group = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            group = line[3:].strip()
        elif m := LABEL_LINE.match(line.strip()):
            if m.group("name") in labels:
                raise LabelError(f"{path.name}: 标签“{m.group('name')}”重复")
            labels[m.group("name")] = Label(m.group("name"), m.group("definition").strip(), group)
    return labels


def _units(raw: Any, where: str) -> frozenset[str] | None:
    if raw is None:
        return None
    items = [raw] if isinstance(raw, str) else list(raw)
    units: set[str] = set()
    for item in items:
        if item == "rate":
            units |= RATE_UNITS
        elif item == "money":
            units |= MONEY_UNITS
        elif item == "count":
            units.add("*count")
        else:
            units.add(str(item))
    return frozenset(units)


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    path = path or definitions_dir() / "metrics.yaml"
    added = definitions_dir() / "LABELS_ADDED.md"
    labels = {**load_labels(), **(load_labels(added) if path.parent == added.parent and added.exists() else {})}  # the labels a rule may name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LabelError(f"{path.name}：YAML 格式有误：{exc}") from exc
    rules: list[Rule] = []
    for i, raw in enumerate(data.get("rules") or [], start=1):
        where = f"{path.name} 第{i}条规则"
        unknown = set(raw) - {"metric", "unit", *CONDITIONS}
        if unknown:
            raise LabelError(f"{where}：未知的键 {sorted(unknown)}")
        if raw.get("metric") not in labels:
            raise LabelError(f"{where}：标签“{raw.get('metric')}”不在标签目录（LABELS.md、LABELS_ADDED.md）中")
        try:
            conditions = tuple((key, re.compile(str(raw[key]))) for key in CONDITIONS if key in raw)
        except re.error as exc:
            raise LabelError(f"{where}：正则表达式有误：{exc}") from exc
        rules.append(Rule(raw["metric"], conditions, _units(raw.get("unit"), where)))
    return tuple(rules)


@dataclass
class Context:
    near: str
    left: str
    right: str
    clause: str
    sentence: str
    paragraph: str
    cell: str = ""  # a table cell's headings, its row's then its column's (规章本年制发件数); "" for a figure of the prose


LINE_REACH = 1000  # characters of a line either side of a figure that its context may take


class Separators:
    """Where each kind of separator falls in a text, found once for all its figures."""

    def __init__(self, text: str) -> None:
        self.lines = [m.start() for m in re.finditer("\n", text)]
        self.near = [m.start() for m in NEAR_SPLIT.finditer(text)]
        self.clause = [m.start() for m in CLAUSE_SPLIT.finditer(text)]
        self.sentence = [m.start() for m in SENTENCE_SPLIT.finditer(text)]
        self.length = len(text)


def context(text: str, figure: Figure, seps: Separators | None = None) -> Context:
    seps = seps or Separators(text)
    i = bisect_left(seps.lines, figure.start)
    line_start = seps.lines[i - 1] + 1 if i else 0
    j = bisect_left(seps.lines, figure.end)
    line_end = seps.lines[j] if j < len(seps.lines) else seps.length
    # a paragraph of a report is a line of at most some thousand characters; a text without
    # line breaks must not make every figure's context the whole text (quadratic in its length)
    line_start, line_end = max(line_start, figure.start - LINE_REACH), min(line_end, figure.end + LINE_REACH)

    def bounds(positions: list[int]) -> tuple[int, int]:
        k = bisect_left(positions, figure.start)
        left = positions[k - 1] + 1 if k and positions[k - 1] >= line_start else line_start
        r = bisect_left(positions, figure.end)
        right = positions[r] if r < len(positions) and positions[r] <= line_end else line_end
        return left, right

    masked = "#"
    ns, ne = bounds(seps.near)
    cs, ce = bounds(seps.clause)
    ss, se = bounds(seps.sentence)

    def cut(s: int, e: int) -> str:
        return text[s : figure.start] + masked + text[figure.end : e]

    if "|" in text[line_start : figure.start] or "｜" in text[line_start : figure.start]:
        # a table cell: what it counts is said by its row's and its column's headings
        from fazhi.reader.figures import column_heading

        if (found := column_heading(text, figure.start)) is not None and found[1]:
            headings = found[0] + found[1]
            return Context(headings + masked, headings, "", headings + masked, cut(ss, se), cut(line_start, line_end), headings)
    return Context(cut(ns, ne), text[ns : figure.start], text[figure.end : ne], cut(cs, ce), cut(ss, se), cut(line_start, line_end))


def _unit_ok(units: frozenset[str] | None, unit: str) -> bool:
    if units is None:
        return True
    if unit in units:
        return True
    return "*count" in units and unit not in RATE_UNITS and unit not in MONEY_UNITS


def _kind_of(unit: str) -> str:
    if unit in RATE_UNITS:
        return "rate"
    if unit in MONEY_UNITS:
        return "money"
    return "count"


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fff]", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


@lru_cache(maxsize=4)
def _idf() -> dict[str, float]:
    labels = load_labels()
    df: Counter[str] = Counter()
    for label in labels.values():
        df.update(_bigrams(label.name))
    n = len(labels)
    return {g: math.log((n + 1) / (c + 0.5)) for g, c in df.items()}


@lru_cache(maxsize=4)
def _label_grams() -> dict[str, tuple[list[tuple[str, set[str]]], dict[str, list[int]]]]:
    """Per kind: the labels' names with their bigrams (in the labels' order), and for each bigram
    the positions of the labels whose name has it; computed once, not once per figure."""
    out: dict[str, tuple[list[tuple[str, set[str]]], dict[str, list[int]]]] = {}
    for label in load_labels().values():
        grams = _bigrams(label.name)
        if not grams:
            continue
        entries, index = out.setdefault(label.kind, ([], {}))
        for g in grams:
            index.setdefault(g, []).append(len(entries))
        entries.append((label.name, grams))
    return out


def guess(ctx: Context, unit: str) -> str | None:
    """The label whose name shares most (rarer counting more) with the context.

    Only labels sharing a bigram with the context can score above zero, so only those are scored
    (in the labels' order, as a scan of all would): the cost of a figure stays with its context,
    not with the number of labels."""
    idf = _idf()
    near, clause, sentence = _bigrams(ctx.near), _bigrams(ctx.clause), _bigrams(ctx.sentence)
    entries, index = _label_grams().get(_kind_of(unit), ([], {}))
    candidates = sorted({i for g in near | clause | sentence for i in index.get(g, ())})
    best, best_score = None, 0.0
    for i in candidates:
        name, grams = entries[i]
        score = sum(idf.get(g, 0.0) * (3.0 if g in near else 1.5 if g in clause else 0.5 if g in sentence else 0.0) for g in grams)
        score /= 1 + 0.1 * len(grams)
        if score > best_score:
            best, best_score = name, score
    return best


@lru_cache(maxsize=256)
def _rules_for(unit: str) -> tuple[tuple[str, tuple[tuple[str, bool, Any], ...]], ...]:
    """The rules a figure with this unit can match, conditions as (context field, negated, search)."""
    return tuple(
        (rule.metric, tuple(("clause" if key == "not" else key, key == "not", pattern.search) for key, pattern in rule.conditions))
        for rule in load_rules()
        if _unit_ok(rule.units, unit)
    )


# a pattern made of Chinese words, ``.*`` between them and ``|`` between alternatives: any match holds
# the first character of one of its alternatives
WORDS = re.compile(r"[\u4e00-\u9fff]+(?:\.\*[\u4e00-\u9fff]+)*(?:\|[\u4e00-\u9fff]+(?:\.\*[\u4e00-\u9fff]+)*)*")
PREFILTER_FIELDS = ("near", "left", "right", "clause", "sentence")  # shortest first: the surest prefilter


def _needs(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which every match of the pattern holds (the first of each alternative),
    for a pattern of Chinese words only (``WORDS``); None for any other."""
    if pattern.flags & re.IGNORECASE or not WORDS.fullmatch(pattern.pattern):
        return None
    return frozenset(word[0] for word in pattern.pattern.split("|"))


@lru_cache(maxsize=256)
def _rule_index(unit: str) -> tuple[tuple[int, ...], tuple[tuple[str, re.Pattern[str], dict[str, tuple[int, ...]]], ...]]:
    """A prefilter for the rules ``_rules_for(unit)`` gives (by their positions there): the rules
    always tried, and per context field, per character, the rules that cannot hold unless the field
    has the character (one condition of the rule, a pattern of Chinese words, says so), with the
    characters of each field's index as a character class to find them."""
    always: list[int] = []
    index: dict[str, dict[str, list[int]]] = {}
    rules = [rule for rule in load_rules() if _unit_ok(rule.units, unit)]
    for i, rule in enumerate(rules):
        if any(key == "cell" for key, _ in rule.conditions):
            continue  # tried only for a table cell (``_rule``)
        chosen = [
            (PREFILTER_FIELDS.index(key), len(needs), key, needs) for key, pattern in rule.conditions if key in PREFILTER_FIELDS and (needs := _needs(pattern))
        ]
        if not chosen:
            always.append(i)
            continue
        _, _, key, needs = min(chosen, key=lambda c: c[:2])
        for char in needs:
            index.setdefault(key, {}).setdefault(char, []).append(i)
    return tuple(always), tuple(
        (key, re.compile("[" + "".join(sorted(chars)) + "]"), {char: tuple(rules) for char, rules in chars.items()}) for key, chars in index.items()
    )


@lru_cache(maxsize=256)
def _cell_rules(unit: str) -> tuple[int, ...]:
    """The positions in ``_rules_for(unit)`` of the rules that read a table cell's headings (``cell``)."""
    return tuple(i for i, (_, conditions) in enumerate(_rules_for(unit)) if any(key == "cell" for key, _, _ in conditions))


def cell_rule(ctx: Context, unit: str) -> str | None:
    """The label a ``cell`` rule gives a table cell by its headings (the statistics tables of the
    national 政府信息公开 report format): taken as it is, the headings naming what the cell counts."""
    if not ctx.cell:
        return None
    fields = vars(ctx)
    rules = _rules_for(unit)
    for i in _cell_rules(unit):
        metric, conditions = rules[i]
        if all((search(fields[key]) is None) == negated for key, negated, search in conditions):
            return metric
    return None


def _rule(ctx: Context, unit: str) -> str | None:
    """The first rule (in the order of metrics.yaml) whose conditions all hold. Only the rules the
    prefilter (``_rule_index``) leaves are tried, in their order: the others cannot hold; a rule on
    a table cell's headings (``cell``) only for a table cell, before any other."""
    if ctx.cell and (metric := cell_rule(ctx, unit)) is not None:
        return metric
    fields = vars(ctx)
    rules = _rules_for(unit)
    always, index = _rule_index(unit)
    candidates = set(always)
    for key, chars, by_char in index:
        for char in chars.findall(fields[key]):  # a regular expression scans the field faster than Python
            candidates.update(by_char[char])
    for i in sorted(candidates):
        metric, conditions = rules[i]
        for key, negated, search in conditions:
            if (search(fields[key]) is None) != negated:
                break
        else:
            return metric
    return None


def rule_label(text: str, figure: Figure, seps: Separators | None = None) -> str | None:
    """The label of the first rule of metrics.yaml that holds for the figure, or None."""
    return _rule(context(text, figure, seps), figure.unit)


def label(text: str, figure: Figure, seps: Separators | None = None) -> str | None:
    ctx = context(text, figure, seps)
    return _rule(ctx, figure.unit) or guess(ctx, figure.unit)


def label_all(text: str, figures: list[Figure], outline: list[Any] | None = None) -> None:
    """Label every figure: a rule of metrics.yaml's label where the classifier (``classifier.py``)
    confirms it, else the likeliest of the candidates of the definition scorer (``catalogue.py``)
    and the rule, as the ranker (``ranker.py``) learnt to weigh them; ``metric_confidence`` is the
    probability that the label is right, calibrated on the tuning data. A model file without a
    ranker: the rules, the classifier and the definition scorer combined by ``classifier.combine``.
    Without a model file, the rules and the name guess alone."""
    from fazhi.reader import catalogue, classifier

    seps = Separators(text)
    model = classifier.load()
    if model is None:
        for figure in figures:
            figure.metric = label(text, figure, seps)
        return
    ctxs = [context(text, f, seps) for f in figures]
    rules = [_rule(ctx, f.unit) for ctx, f in zip(ctxs, figures, strict=True)]
    # the classifier and the definition scorer are asked for every figure: whether they back a rule's label decides it
    fig_ctxs = classifier.contexts(text, figures, seps, ctxs, outline)
    if model.ranker is not None and model.groups is not None:
        # a rule the classifier confirms, else the learnt choice among the candidates of the rules and the definition scorer (ranker.py)
        from fazhi.reader import ranker

        names = catalogue.scorer().names
        ev = ranker.evidence(fig_ctxs, rules, ranker.group_scores(model.groups, fig_ctxs), model.ranker.neighbour_scores(fig_ctxs))
        # the classifier is asked only about the figures a rule labels
        ruled = [k for k, rule in enumerate(rules) if rule is not None]
        confirmed = [False] * len(figures)
        for k, p in zip(ruled, model.predict([fig_ctxs[k] for k in ruled]), strict=True):
            confirmed[k] = rules[k] == p[0] or cell_rule(ctxs[k], figures[k].unit) is not None
        runners_up: list[list[int]] = []
        chosen = model.ranker.choose(ev, confirmed, runners_up)
        for figure, (at, probability), others in zip(figures, chosen, runners_up, strict=True):
            figure.metric = names[at] if at is not None else None
            figure.metric_confidence = round(probability, 3)
            figure.metric_alternatives = [names[k] for k in others]
        return
    predicted = model.predict(fig_ctxs)
    defined = catalogue.scorer(model.definition_platt).predict(fig_ctxs)
    for figure, rule, p, d in zip(figures, rules, predicted, defined, strict=True):
        figure.metric, confidence, _source = classifier.combine(p[0], p[1], rule, d[0], d[1], model.cut, model.fallback)
        figure.metric_confidence = round(confidence, 3)
