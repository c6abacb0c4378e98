"""The label catalogue and the definition scorer (issue 25, part 3): labels never seen in training.

The catalogue is every label of ``definitions/reader/LABELS.md`` and ``LABELS_ADDED.md`` with its
group, its Chinese definition and its keywords (the literal Chinese words of the rules of
``metrics.yaml`` that name it). The classifier (``classifier.py``) can only choose among labels
its training data holds; about a third of the figures of reports it has not seen carry other
labels. The definition scorer ranks every label of the catalogue against a figure's context by
what the label's name, definition and keywords say: character n-grams weighted tf × idf (the idf
taken over the catalogue's documents, so words every label shares, 数 or 事项, count little),
cosine similarity between the figure's context and the label's document.

A label whose kind does not fit the figure's unit is never proposed (a hard filter): a share (%,
个百分点) only gets a rate label, a sum of money only a money label, a count only a count label; a
count of people (人, 人次, 名) only a label counting people, a duration (天, 个工作日, 小时) only a
label counting time, and the other way round.

The top label's score and its lead over the second are turned into the probability that it is
right by a logistic fit on the tuning split (``train.py``, stored in ``model.json`` as
``definition_platt``), so ``metric_confidence`` says how far the label can be trusted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fazhi.reader.classifier import FigureContext
from fazhi.reader.labels import LABEL_LINE, _kind_of, definitions_dir, label_kind
from fazhi.reader.sparse import SparseIndex

CATALOGUE_FILES = ("LABELS.md", "LABELS_ADDED.md")
NGRAMS = (1, 2)
# how much each part of a figure's context weighs: the words just left of the figure (what is
# counted usually stands there), those just right of it, its clause, the headings above it
CONTEXT_WEIGHTS = {"left": 1.0, "right": 0.5, "clause": 0.5, "headings": 0.15}
# how much each part of a label's document weighs: its name, its definition, the rules' keywords
DOCUMENT_WEIGHTS = {"name": 1.0, "definition": 0.6, "keywords": 0.4}
# a label's weight for an n-gram under this is left out: common n-grams (数, 事项) weigh little in
# every label but would make most of the work
PRUNE = 0.05
MAX_DF = 100  # an n-gram in more labels than this (数, 事) is left out of the index
LEFT_CHARS = 14
RIGHT_CHARS = 10
GENERIC_UNITS = frozenset({"个", "余个"})  # a count of anything, people included
PERSON_UNITS = frozenset({"人", "人次", "名", "位", "余人", "户次", "家次"})
TIME_UNITS = frozenset({"天", "日", "个工作日", "工作日", "小时", "个小时", "分钟", "学时", "秒", "个月", "月", "周"})
YEAR_UNITS = frozenset({"年"})
CJK = re.compile(r"[\u4e00-\u9fff]+")
NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
BRACKETED = re.compile(r"[(（][^()（）]*[)）]$")


@dataclass(frozen=True)
class Entry:
    name: str
    definition: str
    group: str
    keywords: tuple[str, ...]

    @property
    def kind(self) -> str:
        return label_kind(self.name)

    @property
    def family(self) -> str:
        return label_family(self.name)


def label_family(name: str) -> str:
    """Which units a count label's name asks for: people, time, years, or any other count."""
    name = BRACKETED.sub("", name)
    if name.endswith(("人数", "人次", "人员数")):
        return "person"
    if name.endswith("年数"):
        return "year"
    if any(word in name for word in ("时限", "时间", "用时", "天数", "学时", "时长")):
        return "time"
    return "count"


# kind, or for a count its family; the labels a unit allows are always a range of this order
LABEL_CLASSES = ("rate", "money", "time", "year", "person", "count")


def _label_class(entry: Entry) -> str:
    return entry.kind if entry.kind != "count" else entry.family


def unit_family(unit: str) -> str:
    if unit in PERSON_UNITS:
        return "person"
    if unit in TIME_UNITS:
        return "time"
    if unit in YEAR_UNITS:
        return "year"
    return "count"


def unit_compatible(entry: Entry, unit: str) -> bool:
    """Whether a label can name a figure of this unit (the hard filter): the kind must agree (a
    share, a sum of money, a count); a count of people (人, 人次), of time (天, 个工作日) or of years
    only gets a label counting that, and a label counting time or years needs such a unit. A bare
    number or 个 may be any other count (述法人数 in 个); another measure word (件, 家, 场, 项 …) never
    counts people, so it gets no label counting people (述法单位数, not 述法人数, in 家)."""
    kind = _kind_of(unit)
    if entry.kind != kind:
        return False
    if kind != "count" or not unit:
        return True
    label_f, unit_f = entry.family, unit_family(unit)
    if unit_f != "count":
        return label_f == unit_f or (unit in {"户次", "家次"} and label_f == "count")
    return label_f not in ("time", "year") and (label_f != "person" or unit in GENERIC_UNITS)


def _keywords() -> dict[str, list[str]]:
    """label → the Chinese words of the rules of metrics.yaml that give it."""
    from fazhi.reader.labels import load_rules

    out: dict[str, list[str]] = {}
    for rule in load_rules():
        for key, pattern in rule.conditions:
            if key != "not":
                out.setdefault(rule.metric, []).extend(w for w in CJK.findall(pattern.pattern) if len(w) >= 2)
    return out


@lru_cache(maxsize=2)
def load_catalogue() -> tuple[Entry, ...]:
    """Every label of the catalogue files, in file order; a label defined twice keeps its first definition."""
    keywords = _keywords()
    seen: dict[str, Entry] = {}
    for filename in CATALOGUE_FILES:
        path = definitions_dir() / filename
        if not path.exists():
            continue
        group = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                group = line[3:].strip()
            elif (m := LABEL_LINE.match(line.strip())) and m.group("name") not in seen:
                name = m.group("name")
                seen[name] = Entry(name, m.group("definition").strip(), group, tuple(dict.fromkeys(keywords.get(name, ()))))
    return tuple(seen.values())


def grams(text: str) -> list[str]:
    """The character n-grams (NGRAMS) of the Chinese runs of a text: punctuation, digits and Latin letters break them."""
    out: list[str] = []
    for run in CJK.findall(text):
        for n in NGRAMS:
            out.extend([run[i : i + n] for i in range(len(run) - n + 1)])
    return out


def _document(entry: Entry) -> dict[str, float]:
    """A label's document: the n-grams of its name, definition and keywords, each part weighted."""
    doc: dict[str, float] = {}
    for part, weight in DOCUMENT_WEIGHTS.items():
        text = {"name": entry.name, "definition": entry.definition, "keywords": " ".join(entry.keywords)}[part]
        for g, k in Counter(grams(text)).items():
            doc[g] = doc.get(g, 0.0) + weight * (1.0 + math.log(k))
    return doc


class DefinitionScorer:
    """Cosine similarities of tf-idf n-gram vectors between the parts of a figure's context and
    every label's document, weighted and summed; one sparse product (gram → labels) per part."""

    def __init__(self, entries: tuple[Entry, ...], platt: tuple[float, float, float] | None = None) -> None:
        self.entries = entries
        self.names = [e.name for e in entries]
        docs = [_document(e) for e in entries]
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        n = len(docs)
        self.idf = {g: math.log((1 + n) / (1 + k)) + 1.0 for g, k in df.items()}
        index: dict[str, list[tuple[int, float]]] = {}
        for j, doc in enumerate(docs):
            vec = {g: w * self.idf[g] for g, w in doc.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for g, v in vec.items():
                if v / norm >= PRUNE and df[g] <= MAX_DF:
                    index.setdefault(g, []).append((j, v / norm))
        # the labels' classes, in an order where the labels any unit allows are a range of them
        self.classes = [LABEL_CLASSES.index(_label_class(e)) for e in entries]
        self.index = SparseIndex(len(entries), chinese_only=True, label_class=self.classes)
        self.index.add(((g, self.idf[g], pairs) for g, pairs in index.items()), NGRAMS)
        # the labels' names alone, for the words left of a figure (the ranker, ranker.py): a second
        # vocabulary of the same index, so that both are scored in one pass
        names: dict[str, list[tuple[int, float]]] = {}
        for j, e in enumerate(entries):
            vec = {g: (1.0 + math.log(k)) * self.idf[g] for g, k in Counter(grams(e.name)).items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for g, v in vec.items():
                if v / norm >= PRUNE and df[g] <= MAX_DF:
                    names.setdefault(g, []).append((j, v / norm))
        self.names_vocabulary = self.index.add(((g, self.idf[g], pairs) for g, pairs in names.items()), NGRAMS)
        self.position = {name: j for j, name in enumerate(self.names)}
        from fazhi.reader.ranker import suffix

        self.suffixes = [suffix(name) for name in self.names]
        self.platt = platt or (-10.0, 3.0, -10.0)
        self._penalty: dict[str, np.ndarray] = {}
        self._ranges: dict[str, tuple[int, int]] = {}

    def penalty(self, unit: str) -> np.ndarray:
        """0 on the labels a figure of this unit can have, -1e9 on the others."""
        if (row := self._penalty.get(unit)) is None:
            row = np.array([0.0 if unit_compatible(e, unit) else -1e9 for e in self.entries])
            self._penalty[unit] = row
        return row

    def class_range(self, unit: str) -> tuple[int, int]:
        """The range (first, past the last) of label classes that holds every label a figure of
        this unit can have (``unit_compatible`` depends on a label's kind and family only)."""
        if (got := self._ranges.get(unit)) is None:
            allowed = {k for e, k in zip(self.entries, self.classes, strict=True) if unit_compatible(e, unit)}
            got = self._ranges[unit] = (min(allowed), max(allowed) + 1) if allowed else (0, 0)
        return got

    def scores(self, ctxs: list[FigureContext]) -> np.ndarray:
        """(figures, labels): the weighted sum over the parts of the context (left, right, clause,
        headings) of the cosine similarity between the part and each label's document; -1e9 where
        the unit forbids the label. A text is scored once however many figures and parts share it
        (the figures of a clause or a section), and all the texts in one pass with numpy
        (``sparse.py``)."""
        out = np.zeros((len(ctxs), len(self.entries)))
        if not ctxs:
            return out
        parts, penalty = self.part_scores(ctxs)
        for weight, part in zip(CONTEXT_WEIGHTS.values(), parts, strict=True):
            out += weight * part
        return out + penalty

    def part_scores(self, ctxs: list[FigureContext]) -> tuple[list[np.ndarray], np.ndarray]:
        """Per part of the context (``CONTEXT_WEIGHTS``' order), (figures, labels) cosine
        similarities to the labels' documents, 0 on the labels the unit forbids; and (figures,
        labels) -1e9 on those labels, 0 elsewhere."""
        scores, picks, penalty = self.text_scores(ctxs, with_names=False)
        return [scores[pick] for pick in picks], penalty

    def name_scores(self, ctxs: list[FigureContext]) -> np.ndarray:
        """(figures, labels): the cosine similarity of the words left of each figure to each label's
        name alone, over the labels its unit allows (0 on the others)."""
        scores, picks, _penalty = self.text_scores(ctxs)
        return scores[picks[-1]]

    def text_scores(self, ctxs: list[FigureContext], with_names: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``part_scores`` and ``name_scores`` in one pass of the index, kept by distinct text: every
        distinct text of every part, and the words left of the figures once more against the names,
        counted and scored together. Returns (texts, labels) scores; (parts, figures) which text is
        each part of each figure's context, the parts in ``CONTEXT_WEIGHTS``' order and then (with
        ``with_names``) the words left of it against the names; and the (figures, labels) penalty."""
        if not ctxs:
            empty = np.zeros((0, len(self.entries)))
            return empty, np.zeros((len(CONTEXT_WEIGHTS) + with_names, 0), dtype=np.int64), empty
        at: dict[tuple[int, str], int] = {}
        picks: list[list[int]] = []
        for part in CONTEXT_WEIGHTS:
            # setdefault numbers each distinct text once, in the order first met
            picks.append([at.setdefault((0, text), len(at)) for text in _part_texts(ctxs, part)])
        if with_names:
            picks.append([at.setdefault((self.names_vocabulary, text), len(at)) for text in _part_texts(ctxs, "left")])
        # a text's labels are summed only over the classes its figures' units allow (the others get -1e9 below)
        figure_lo, figure_hi = np.array([self.class_range(c.unit) for c in ctxs], dtype=np.int64).T
        lo, hi = np.full(len(at), len(LABEL_CLASSES), dtype=np.int64), np.zeros(len(at), dtype=np.int64)
        for pick in picks:
            np.minimum.at(lo, pick, figure_lo)
            np.maximum.at(hi, pick, figure_hi)
        keys = list(at)
        texts, vocabularies = [text for _, text in keys], [vocabulary for vocabulary, _ in keys]
        scores = self.index.scores(texts, vocabularies, [1.0] * len(at), np.stack((lo, np.maximum(lo, hi)), axis=1))
        units: dict[str, int] = {}
        which = [units.setdefault(c.unit, len(units)) for c in ctxs]
        return scores, np.array(picks, dtype=np.int64), np.array([self.penalty(unit) for unit in units])[which]

    def probability(self, top: float, lead: float) -> float:
        return definition_probability(self.platt, top, lead)

    def predict(self, ctxs: list[FigureContext]) -> list[tuple[str | None, float, float, float]]:
        """For each figure: the best label the unit allows, the calibrated probability that it is
        right, its similarity and its lead over the second best."""
        if not ctxs:
            return []
        scores = self.scores(ctxs)
        rows = np.arange(len(ctxs))
        first = scores.argmax(axis=1)
        tops = scores[rows, first]
        scores[rows, first] = -2e9
        runners = np.maximum(scores.max(axis=1), 0.0)
        out: list[tuple[str | None, float, float, float]] = []
        for j, top, runner in zip(first.tolist(), tops.tolist(), runners.tolist(), strict=True):
            if top <= 0.0:  # nothing in common with any label the unit allows
                out.append((None, 0.0, 0.0, 0.0))
                continue
            out.append((self.names[j], self.probability(top, top - runner), top, top - runner))
        return out


def _part_texts(ctxs: list[FigureContext], part: str) -> list[str]:
    if part == "left":
        return [c.left[-LEFT_CHARS:] for c in ctxs]
    if part == "right":
        return [c.right[:RIGHT_CHARS] for c in ctxs]
    return [c.clause for c in ctxs] if part == "clause" else [c.headings for c in ctxs]


def _part_text(ctx: FigureContext, part: str) -> str:
    if part == "left":
        return ctx.left[-LEFT_CHARS:]
    if part == "right":
        return ctx.right[:RIGHT_CHARS]
    return ctx.clause if part == "clause" else ctx.headings


def definition_probability(platt: tuple[float, float, float], top: float, lead: float) -> float:
    """P(right) = 1 / (1 + exp(a * top + c * lead + b)) for the platt triple (a, b, c)."""
    a, b, c = platt
    return 1.0 / (1.0 + math.exp(min(50.0, a * top + c * lead + b)))


@lru_cache(maxsize=4)
def scorer(platt: tuple[float, float, float] | None = None) -> DefinitionScorer:
    return DefinitionScorer(load_catalogue(), platt)


def groups() -> dict[str, str]:
    """label → its group (the ``##`` heading it is defined under)."""
    return {e.name: e.group for e in load_catalogue()}
