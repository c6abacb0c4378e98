"""The learnt part of the labelling (issue 25, part 3): a classifier over a figure's context.

A figure's context has four fields: the text just left of it in its enumeration item (what is
counted usually stands there), its clause, the heading path above it (the outline's titles) and
its unit. Each text field is turned into character n-grams weighted tf × idf (sublinear tf) and
scaled to length 1, as scikit-learn's ``TfidfVectorizer`` does; the fields are put side by side,
each times its weight, with the unit as a one-hot column. The model is a linear one-vs-rest
classifier (``LinearSVC``) with its small weights dropped, and the top label's score is turned into
the probability that it is right by a sigmoid fitted on cross-validated predictions (Platt
scaling). ``fazhi/reader/train.py`` writes ``model.json``.

Fast: a field's tokens are counted once per distinct text in a report (figures of one clause or
one section share it), and the texts of all fields are scored at once with numpy (``sparse.py``:
a sparse product as gathers and one ``bincount``), not figure by figure nor field by field.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from fazhi.reader.figures import Figure
from fazhi.reader.ranker import Ranker
from fazhi.reader.sparse import SparseIndex

MODEL = Path(__file__).resolve().parent / "model.json"
# field: (n-gram sizes, weight of the field's vector)
FIELDS: dict[str, tuple[tuple[int, ...], float]] = {"L": ((1, 2), 1.0), "C": ((2,), 0.7), "H": ((2,), 0.5)}
LEFT_CHARS = 12


@dataclass(frozen=True)
class FigureContext:
    left: str  # the text left of the figure in its enumeration item
    clause: str  # the clause holding the figure
    headings: str  # the titles of the outline items above it, outermost first
    unit: str
    right: str = ""  # the text right of the figure in its enumeration item (the definition scorer reads it)

    def field(self, name: str) -> str:
        if name == "L":
            return self.left[-LEFT_CHARS:]
        return self.clause if name == "C" else self.headings


def grams(name: str, text: str) -> list[str]:
    """The tokens of one field's text; the same function trains and applies the model."""
    out: list[str] = []
    for n in FIELDS[name][0]:
        out.extend([text[i : i + n] for i in range(len(text) - n + 1)])
    return out


def heading_paths(text: str, items: list[Any] | None = None) -> tuple[list[int], list[str]]:
    """The start of each outline item and the titles of it and the items above it, for bisecting;
    ``items`` is the text's outline where the caller has it already."""
    from fazhi.reader.document import outline

    starts: list[int] = []
    paths: list[str] = []
    stack: list[tuple[int, str]] = []
    for item in outline(text) if items is None else items:
        stack = [(level, title) for level, title in stack if level < item.level]
        stack.append((item.level, item.title[:30]))
        starts.append(item.start)
        paths.append("｜".join(title for _, title in stack))
    return starts, paths


def contexts(text: str, figures: list[Figure], seps: Any = None, ctxs: list[Any] | None = None, items: list[Any] | None = None) -> list[FigureContext]:
    """Every figure's context, with the separators and the outline found once for the text;
    ``ctxs`` (the figures' ``labels.Context``) and ``items`` (the outline) where the caller has them."""
    from fazhi.reader.labels import Separators, context

    if ctxs is None:
        seps = seps or Separators(text)
        ctxs = [context(text, f, seps) for f in figures]
    starts, paths = heading_paths(text, items)
    out: list[FigureContext] = []
    for f, ctx in zip(figures, ctxs, strict=True):
        i = bisect_right(starts, f.start) - 1
        out.append(FigureContext(ctx.left, ctx.clause.replace("#", ""), paths[i] if i >= 0 else "", f.unit, ctx.right))
    return out


def field_index(data: dict[str, Any], n_labels: int) -> tuple[SparseIndex, list[tuple[str, int, float]]]:
    """The fields of a model file as one sparse index (one vocabulary per field: token → idf and
    its weights for the labels) and, per field, its name, vocabulary and weight."""
    index = SparseIndex(n_labels)
    fields = []
    for name, (_sizes, weight) in FIELDS.items():
        part = data[name]
        weights = part["weights"]
        tokens = ((token, idf, ((int(label), w) for label, w in weights.get(token, ()))) for token, idf in part["idf"].items())
        vocabulary = index.add(tokens, FIELDS[name][0])
        fields.append((name, vocabulary, weight))
    return index, fields


@dataclass
class Model:
    labels: list[str]
    index: SparseIndex  # every field's tokens: idf and weights for the labels
    fields: list[tuple[str, int, float]]  # per field: its name, its vocabulary in ``index``, its weight
    units: dict[str, np.ndarray]  # unit → its weight for every label
    intercepts: np.ndarray
    platt: tuple[float, float]  # P(right) = 1 / (1 + exp(a * score + b)) of the top label's score
    cut: float  # from this probability on the classifier's label is taken without asking the definition scorer
    fallback: dict[str, float]  # how often a rule's label / an agreement of classifier and definition scorer was right, out of fold
    meta: dict[str, Any]
    by_kind: dict[str, np.ndarray]  # the labels a rate, a sum of money or a count can have
    penalty: dict[str, np.ndarray]  # per kind, -1e9 on the labels it cannot have, 0 elsewhere
    definition_platt: tuple[float, float, float]  # calibration of the definition scorer (catalogue.py)
    ranker: Any = None  # ranker.Ranker: the learnt choice among the candidates of the three (ranker.py); None in an older model file
    groups: Model | None = None  # the group classifier: the same fields, LABELS.md's groups as its labels (ranker.py's group features)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        n = len(data["labels"])
        index, fields = field_index(data["fields"], n)
        units = {}
        for u, pairs in data["units"].items():
            row = np.zeros(n)
            for i, w in pairs:
                row[int(i)] = w
            units[u] = row
        from fazhi.reader.labels import label_kind

        a, b = data.get("platt", (-1.0, 0.0))
        kinds: dict[str, list[int]] = {"rate": [], "money": [], "count": []}
        for i, name in enumerate(data["labels"]):
            kinds[label_kind(name)].append(i)
        return cls(
            data["labels"],
            index,
            fields,
            units,
            np.array(data["intercepts"], dtype=np.float64),
            (float(a), float(b)),
            float(data.get("cut", 0.3)),
            dict(data.get("fallback", {"rule": 0.0, "agree": 0.0})),
            data.get("meta", {}),
            {k: np.array(v, dtype=np.int64) for k, v in kinds.items()},
            {k: np.where(np.isin(np.arange(n), v), 0.0, -1e9) for k, v in kinds.items()},
            tuple(float(x) for x in data.get("definition_platt", (-10.0, 3.0, -10.0))),  # type: ignore[arg-type]
            Ranker.from_json(data["ranker"]) if "ranker" in data else None,
            Model.from_json(data["groups"]) if "groups" in data else None,
        )

    def scores(self, ctxs: list[FigureContext]) -> np.ndarray:
        """(figures, labels): every label's score for every figure; each field's distinct texts are
        scored once, all of them in one pass (``sparse.py``)."""
        out = np.repeat(self.intercepts[None, :], len(ctxs), axis=0)
        if not ctxs:
            return out
        texts: list[str] = []
        vocabularies: list[int] = []
        scales: list[float] = []
        picks: list[list[int]] = []
        for name, vocabulary, weight in self.fields:
            at: dict[str, int] = {}
            # setdefault numbers each distinct text of the field once, in the order first met
            picks.append([at.setdefault(c.field(name), len(texts) + len(at)) for c in ctxs])
            texts += at
            vocabularies += [vocabulary] * len(at)
            scales += [weight] * len(at)
        scores = self.index.scores(texts, vocabularies, scales)
        for pick in picks:
            out += scores[pick]
        units: dict[str, int] = {}
        which = [(k, units.setdefault(c.unit, len(units))) for k, c in enumerate(ctxs) if c.unit in self.units]
        if which:
            rows, at_unit = zip(*which, strict=True)
            out[list(rows)] += np.array([self.units[unit] for unit in units])[list(at_unit)]
        return out

    def probability(self, score: float) -> float:
        return platt_probability(self.platt, score)

    def predict(self, ctxs: list[FigureContext]) -> list[tuple[str | None, float, float]]:
        """For each figure: the best label among those of its unit's kind, the calibrated
        probability that it is right, and its raw score."""
        if not ctxs:
            return []
        from fazhi.reader.labels import _kind_of

        scores = self.scores(ctxs)
        kinds = list(self.penalty)
        scores += np.array(list(self.penalty.values()))[[kinds.index(_kind_of(c.unit)) for c in ctxs]]
        best = scores.argmax(axis=1)
        top = scores[np.arange(len(ctxs)), best]
        return [(self.labels[j], self.probability(t), t) if t > -1e8 else (None, 0.0, -9.0) for j, t in zip(best.tolist(), top.tolist(), strict=True)]

    def allowed(self, unit: str) -> np.ndarray:
        from fazhi.reader.labels import _kind_of

        return self.by_kind[_kind_of(unit)]


def platt_probability(platt: tuple[float, float], score: float) -> float:
    a, b = platt
    return 1.0 / (1.0 + math.exp(min(50.0, a * score + b)))


def combine(
    predicted: str | None,
    probability: float,
    rule: str | None,
    definition: str | None,
    definition_probability: float,
    cut: float,
    fallback: dict[str, float],
) -> tuple[str | None, float, str]:
    """The label a figure gets, its confidence and where it came from. Every confidence is a
    probability of being right measured out of fold (``train.py``): for a rule's label, and for
    an agreement of the classifier and the definition scorer, the share of them that were right;
    for the classifier's and the definition scorer's own, their calibrated probability.

    A rule of metrics.yaml goes first: its label is taken where the classifier or the definition
    scorer backs it, or where neither is likelier right than a rule alone; only a surer other
    label overrides it. Without a rule: where the classifier and the definition scorer agree,
    their label; else the classifier's where its probability reaches ``cut``; else whichever of
    the two is likelier right."""
    if rule is not None:
        if rule in (predicted, definition):
            return rule, fallback.get("rule_backed", 0.0), "rule"
        alone = fallback.get("rule", 0.0)
        if probability <= alone and definition_probability <= alone:
            return rule, alone, "rule"
    if predicted is not None and predicted == definition:
        return predicted, max(probability, definition_probability, fallback.get("agree", 0.0)), "agree"
    if predicted is not None and (probability >= cut or definition is None or probability >= definition_probability):
        return predicted, probability, "classifier"
    if definition is not None:
        return definition, definition_probability, "definition"
    return None, 0.0, "none"


@lru_cache(maxsize=2)
def load(path: Path = MODEL) -> Model | None:
    if not path.exists():
        return None
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
