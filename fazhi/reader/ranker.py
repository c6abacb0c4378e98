"""The learnt choice of a figure's label (issue 25, part 3): the rules of metrics.yaml and the
definition scorer weighed by a logistic regression fitted on the tuning data, instead of a fixed
precedence.

For each figure a few candidate labels are gathered: the definition scorer's best ``CANDIDATES``
(``catalogue.py``: every label of the catalogue the unit allows) and the label of the first rule of
metrics.yaml that holds, where the unit allows it. Each candidate is described by ``FEATURES``: its
similarity to each part of the figure's context (the words left of the figure, right of it, its
clause, the headings above it), the similarity of its name alone to the words left of the figure,
whether the rule gives it, and how often labels ending as its name ends (案件数, 事项数, 人次 …) were
counted in the figure's unit in the training data. None of these is tied to one label, so weights
learnt on the labels of the training data hold for the labels it never saw (about half of a new
jurisdiction's).

The group of LABELS.md a figure belongs to is asked of a second classifier (``classifier.py``'s
model with the groups, about a dozen, as its classes: ``groups`` in model.json), and two features
say how far the candidate's group is from its best (``group``, floored at ``GROUP_FLOOR``) and
whether it is the best (``group_best``). Unlike the labels, every group is in the training data:
a label the training data never had still belongs to a group it has, so this evidence is meant to
hold for reports of new jurisdictions (jurisdiction-held-out cross-validation on the tuning split,
682 figures: known labels 281 -> 286 right, unknown labels 126 -> 127; on the held-out split, run
once afterwards, unknown labels fell 44 -> 35 of 58 and known rose 84 -> 87 of 170: see
bench/results/reader.txt, helper reader-labels-3).

The training figures most like the figure (``neighbours.py``: the words just left of it and its
unit, tf-idf cosine) propose ``NEIGHBOUR_CANDIDATES`` more candidates, the labels of the most similar
ones, which the ranker weighs by the same features as the others. Their similarity is no feature:
it is 0 for every label the training data lacks, and as a feature it put those labels down (tuning
CV 560 -> 593 right, but the held-out part 122 -> 108 of 228, its labels outside the training data
29 -> 12 of 53); as candidates alone: tuning CV 560 -> 582 (labels the training data has 405 -> 428
of 672, the others 155 -> 154 of 232); bench/results/reader_corpus.txt, "NEIGHBOURS".

One precedence stays: a rule's label that the classifier's best label confirms is taken as it is
(the classifier, ``classifier.py``, learnt the annotated reports; the reports the rules were written
on among them), with the share of such labels that were right out of fold as its confidence.

A logistic regression (``train.py``) turns the features into a score, fitted on every candidate of
every training figure, the right label against the others; the figure gets its best candidate, and
the probability that it is right (a logistic fit of the best score and its lead over the second,
``calibration``) is its ``metric_confidence``.

The classifier's score for a candidate is not a feature: taken out of fold it
lowered the jurisdiction-held-out accuracy of the ranker (0.594 without it, 0.578 with it, on the
tuning split), the classifier's labels being those of a few reports each.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

FEATURES = (
    "definition_left",
    "definition_right",
    "definition_clause",
    "definition_headings",
    "name_left",
    "rule",
    "unit_suffix",
    "group",
    "group_best",
)
CANDIDATES = 8  # the definition scorer's best labels taken as candidates
ALTERNATIVES = 2  # the runners-up reported with a label (Figure.metric_alternatives): where it is uncertain, the right one is often among them
NEIGHBOUR_CANDIDATES = 8  # the labels of the most similar training figures taken as candidates besides (neighbours.py)
GROUP_FLOOR = -2.0  # the group feature: the group classifier's score of the candidate's group less its best, at least this
UNSCORED_GROUP = -5.0  # the score of a group the group classifier never saw
BRACKETED = re.compile(r"[(（][^()（）]*[)）]$")


def suffix(name: str) -> str:
    """What a label's name ends with, less a bracketed breakdown: 案件数, 事项数 and 人次 are told apart
    by their last two characters (件数, 项数, 人次)."""
    return BRACKETED.sub("", name)[-2:]


@dataclass
class Evidence:
    """What the rules, the classifier and the definition scorer say about a list of figures; every
    matrix is (figures, labels of the catalogue)."""

    scores: np.ndarray  # (distinct texts, labels): the similarity of each text of the figures' contexts to each label
    # (parts, figures): the row of ``scores`` of each part of each figure's context (catalogue.CONTEXT_WEIGHTS'
    # order), then that of the words left of the figure against the labels' names alone
    picks: np.ndarray
    penalty: np.ndarray  # 0 where the figure's unit allows the label, -1e9 elsewhere
    rules: list[int]  # the rule's label (its position in the catalogue) per figure, -1 where no rule holds
    units: list[str]
    groups: np.ndarray  # (figures, the catalogue's groups): the group classifier's score of each group
    # (figures, labels): each label's most similar training figure (neighbours.py), 0 where it has none: candidates
    neighbours: np.ndarray | None = None


@lru_cache(maxsize=1)
def catalogue_groups() -> tuple[tuple[str, ...], np.ndarray]:
    """The catalogue's groups (sorted) and, per label of the catalogue, the position of its group."""
    from fazhi.reader import catalogue

    by_label = catalogue.groups()
    names = tuple(sorted(set(by_label.values())))
    at = {g: i for i, g in enumerate(names)}
    return names, np.array([at[by_label[name]] for name in catalogue.scorer().names], dtype=np.int64)


def group_scores(model: Any, ctxs: list[Any]) -> np.ndarray:
    """(figures, the catalogue's groups): the scores of a group classifier (``classifier.Model`` whose
    labels are groups), ``UNSCORED_GROUP`` for a group it does not know."""
    names, _ = catalogue_groups()
    out = np.full((len(ctxs), len(names)), UNSCORED_GROUP)
    if not ctxs:
        return out
    scores = model.scores(ctxs)
    at = {g: i for i, g in enumerate(names)}
    for j, group in enumerate(model.labels):
        if group in at:
            out[:, at[group]] = scores[:, j]
    return out


def evidence(ctxs: list[Any], rules: list[str | None], groups: np.ndarray | None = None, neighbours: np.ndarray | None = None) -> Evidence:
    """The evidence for the figures of ``ctxs`` (``classifier.FigureContext``), given their rules'
    labels, the group classifier's scores (``group_scores``) and the nearest training figures'
    similarities (``Ranker.neighbour_scores``); by default the shipped model's."""
    from fazhi.reader import catalogue

    if groups is None or neighbours is None:
        from fazhi.reader import classifier

        model = classifier.load()
        if model is None or model.groups is None or model.ranker is None:
            raise ValueError("the ranker needs the group classifier and the ranker of model.json")
        if groups is None:
            groups = group_scores(model.groups, ctxs)
        if neighbours is None:
            neighbours = model.ranker.neighbour_scores(ctxs)
    scorer = catalogue.scorer()
    scores, picks, penalty = scorer.text_scores(ctxs)
    at = scorer.position
    return Evidence(scores, picks, penalty, [at.get(rule, -1) if rule else -1 for rule in rules], [c.unit for c in ctxs], groups, neighbours)


@dataclass
class Ranker:
    coef: np.ndarray  # per feature, its weight on the standardised feature
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    unit_suffix: dict[str, dict[str, int]]  # how many training figures of a unit had a label of each suffix
    calibration: tuple[float, float, float] = (1.0, 0.0, 0.0)  # P(right) = sigmoid(a * top + b + c * lead) of the chosen candidate
    rule_backed: float = 0.0  # how often a rule's label that the classifier's best label confirms was right, out of fold
    neighbours: Any = None  # neighbours.Neighbours: the training figures whose labels are proposed as candidates
    _rows: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ranker:
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"the model's ranker reads other features: {data['features']}")
        return cls(
            np.array(data["coef"], dtype=np.float64),
            float(data["intercept"]),
            np.array(data["mean"], dtype=np.float64),
            np.array(data["scale"], dtype=np.float64),
            {u: dict(c) for u, c in data["unit_suffix"].items()},
            tuple(float(v) for v in data.get("calibration", (1.0, 0.0, 0.0))),  # type: ignore[arg-type]
            float(data.get("rule_backed", 0.0)),
            _neighbours(data),
        )

    def neighbour_scores(self, ctxs: list[Any]) -> np.ndarray | None:
        """(figures, labels): the ``Evidence.neighbours`` of the figures of ``ctxs``."""
        return self.neighbours.scores(ctxs) if self.neighbours is not None else None

    def suffix_row(self, unit: str) -> np.ndarray:
        """log P(a label's suffix | the unit) for every label of the catalogue, smoothed."""
        if (row := self._rows.get(unit)) is None:
            row = unit_suffix_row(self.unit_suffix, unit)
            self._rows[unit] = row
        return row

    def margins(self, cands: np.ndarray, x: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per figure: the best candidate (its column), its score and its lead over the second (0 where it is alone)."""
        order, top, lead = self._ordered(cands, x, valid)
        return order[:, 0], top, lead

    def _ordered(self, cands: np.ndarray, x: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per figure: its candidates' columns best first (the invalid ones last), the best one's score and its lead over the second."""
        z = np.where(valid, ((x - self.mean) / self.scale) @ self.coef + self.intercept, -np.inf)
        order = np.argsort(-z, axis=1, kind="stable")
        rows = np.arange(len(cands))
        top = z[rows, order[:, 0]]
        second = z[rows, order[:, 1]] if z.shape[1] > 1 else np.full(len(cands), -np.inf)
        lead = np.where(np.isfinite(second), top - second, 0.0)
        return order, top, np.where(np.isfinite(top), lead, 0.0)

    def choose(self, ev: Evidence, confirmed: list[bool] | None = None, alternatives: list[list[int]] | None = None) -> list[tuple[int | None, float]]:
        """Per figure: the likeliest candidate (its position in the catalogue) and the calibrated
        probability that it is right; where ``confirmed`` (the classifier's best label is the rule's),
        the rule's label and the share of such labels that were right. ``alternatives``, a list
        given: each figure's next likeliest candidates after its label (``ALTERNATIVES`` at most),
        appended to it, one list a figure."""
        cands, x, valid = candidates(ev, self.suffix_row)
        if not len(cands):
            return []
        order, top, lead = self._ordered(cands, x, valid)
        a, b, c = self.calibration
        out: list[tuple[int | None, float]] = []
        if alternatives is not None:
            # the best 1 + ALTERNATIVES candidates of each figure (the invalid ones sort last), as lists
            head = order[:, : 1 + ALTERNATIVES]
            firsts = np.where(np.take_along_axis(valid, head, axis=1), np.take_along_axis(cands, head, axis=1), -1).tolist()
        for i, (k, t, d) in enumerate(zip(order[:, 0].tolist(), top.tolist(), lead.tolist(), strict=True)):
            if confirmed is not None and confirmed[i] and ev.rules[i] >= 0:
                out.append((ev.rules[i], self.rule_backed))
            elif math.isfinite(t):
                out.append((int(cands[i, k]), 1.0 / (1.0 + math.exp(-min(50.0, max(-50.0, a * t + b + c * d))))))
            else:
                out.append((None, 0.0))
            if alternatives is not None:
                chosen = out[-1][0]
                alternatives.append([at for at in firsts[i] if at >= 0 and at != chosen][:ALTERNATIVES])
        return out


def _neighbours(data: dict[str, Any]) -> Any:
    if "neighbours" not in data:
        return None
    from fazhi.reader import catalogue
    from fazhi.reader.neighbours import Neighbours

    return Neighbours.from_json(data["neighbours"], catalogue.scorer().names)


def unit_suffix_row(counts: dict[str, dict[str, int]], unit: str) -> np.ndarray:
    from fazhi.reader import catalogue

    seen = counts.get(unit, {})
    total = sum(seen.values())
    return np.array([math.log((seen.get(s, 0) + 0.5) / (total + 5.0)) for s in catalogue.scorer().suffixes])


def candidates(ev: Evidence, suffix_row: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(figures, candidates) positions in the catalogue, (figures, candidates, features) and whether
    each candidate is one."""
    n = len(ev.units)
    if not n:
        return np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0, len(FEATURES))), np.zeros((0, 0), dtype=bool)
    from fazhi.reader import catalogue

    weights = list(catalogue.CONTEXT_WEIGHTS.values())
    parts = ev.picks[: len(weights)]
    # the weighted sum of the parts, in place (the same sums, in the same order, as sum() of them)
    total = ev.scores[parts[0]] * weights[0]
    step = np.empty_like(total)
    for w, pick in zip(weights[1:], parts[1:], strict=True):
        np.take(ev.scores, pick, axis=0, out=step)
        step *= w
        total += step
    total += ev.penalty
    k = min(CANDIDATES, total.shape[1])
    # the definition scorer's best k, best first, ties in the catalogue's order: k times, every
    # row's best label (argmax: the first of equal ones), then struck out. On ~60 figures x ~640
    # labels this is several times faster than a partition of each row and a sort of its best k.
    # Equal scores (0 where a label shares nothing with the context) keep the order they had with
    # the partition: a label's score less 1e-12 times its position in the catalogue
    rows = np.arange(n)[:, None]
    left = total - np.arange(total.shape[1]) * 1e-12
    by_definition = np.empty((n, k), dtype=np.int64)
    for j in range(k):
        best = left.argmax(axis=1)
        by_definition[:, j] = best
        left[rows[:, 0], best] = -np.inf
    allowed = ev.penalty > -1e8
    rules = np.array(ev.rules, dtype=np.int64)[:, None]
    cands = np.concatenate([by_definition, np.maximum(rules, 0)], axis=1)
    # the rule's label is a candidate where the unit allows it and the definition scorer has not proposed it
    rule_new = (rules >= 0) & allowed[rows, np.maximum(rules, 0)] & ~(by_definition == rules).any(axis=1, keepdims=True)
    valid = np.concatenate([total[rows, by_definition] > -1e8, rule_new], axis=1)
    if ev.neighbours is not None:
        # the labels of the most similar training figures the unit allows, best first, where not proposed already
        near = ev.neighbours
        m = min(NEIGHBOUR_CANDIDATES, near.shape[1])
        # m times every row's best (the first of equal ones), then struck out: as for the definition scorer's
        left = np.where(allowed, near, -1.0)
        by_neighbour = np.empty((n, m), dtype=np.int64)
        for j in range(m):
            best = left.argmax(axis=1)
            by_neighbour[:, j] = best
            left[rows[:, 0], best] = -np.inf
        proposed = np.where(valid, cands, -1)
        fresh = (near[rows, by_neighbour] > 0) & allowed[rows, by_neighbour] & ~(by_neighbour[:, :, None] == proposed[:, None, :]).any(axis=2)
        cands = np.concatenate([cands, by_neighbour], axis=1)
        valid = np.concatenate([valid, fresh], axis=1)
    units: dict[str, int] = {}
    which = np.array([units.setdefault(u, len(units)) for u in ev.units], dtype=np.int64)
    suffixes = np.array([suffix_row(u) for u in units])  # a row per distinct unit
    _, label_group = catalogue_groups()
    group = np.take_along_axis(ev.groups, label_group[cands], axis=1) - ev.groups.max(axis=1, keepdims=True)
    x = np.stack(
        [
            *(ev.scores[pick[:, None], cands] for pick in parts),
            ev.scores[ev.picks[len(weights)][:, None], cands],
            (cands == rules).astype(np.float64),
            suffixes[which[:, None], cands],
            np.maximum(group, GROUP_FLOOR),
            (group >= 0).astype(np.float64),
        ],
        axis=2,
    )
    return cands, x, valid
