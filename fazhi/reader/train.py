"""Train the label classifier (``fazhi/reader/classifier.py``) and write ``fazhi/reader/model.json``.

    .venv/bin/python -m fazhi.reader.train [--cv] [--out PATH]

Training data: the hand labels of the development corpus's tuning split (``bench/corpus``, whole
jurisdictions) and of the seeds the rules were written on (``scoring.TUNING``); the corpus's
held-out split and the held-out seeds are never read here. Deterministic: no randomness is used
(the folds are scikit-learn's ``GroupKFold``, which is not shuffled), so the same data gives the
same file.

``--cv`` prints the jurisdiction-held-out cross-validation (GroupKFold by jurisdiction, 5 folds)
on the tuning split: each fold's jurisdictions are labelled by a model trained without them,
with and without the seeds' labels, by the classifier alone and combined with the rules.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "bench" / "corpus"
FOLDS = 5
C = 1.0  # LinearSVC's regularisation
PRUNE = 0.05  # weights smaller than this are not kept in model.json
# Where no rule fires, the classifier's label is taken from this calibrated probability on; under
# it, the classifier's or the definition scorer's, whichever is likelier right (chosen by the
# cross-validation on the tuning split and the seeds).
CUT = 0.7
RANKER_C = 1.0  # the ranker's regularisation (LogisticRegression's C)
# The held-out split's proportion of figures whose label the training data has (known) and has not
# (unknown), counted from the label sets alone (bench/results/reader_corpus.txt, main 358ba18): the
# cross-validation's two accuracies are weighted so, to read as an estimate for reports of new
# jurisdictions rather than for the tuning split's own mix.
HELDOUT_KNOWN, HELDOUT_UNKNOWN = 170, 58


@dataclass(frozen=True)
class Example:
    ctx: Any  # classifier.FigureContext
    label: str
    group: str  # the jurisdiction
    rule: str | None  # what the hand-written rules say, None where no rule fires
    source: str  # corpus text id or seed name
    sure: bool = False  # the rule is one on a table cell's headings (``labels.cell_rule``), taken as it is


def _gold(path: Path, text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, unit, label) of each annotation; the anchor rule of ``scoring.load_gold``."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        before, quote, _value, unit, _approx, metric = line.split("\t")
        at = text.find(before + quote)
        if at < 0 or text.find(before + quote, at + 1) >= 0:
            raise ValueError(f"{path}: “{before + quote}” not found exactly once")
        out.append((at + len(before), at + len(before) + len(quote), unit, metric))
    return out


def _examples_of(raw: str, gold_path: Path, group: str, source: str) -> list[Example]:
    from fazhi.reader import classifier, cleaning, labels
    from fazhi.reader.figures import Figure

    text = cleaning.clean(raw).text  # the reader's clean text (read_text's), which the annotations anchor in
    shadow = cleaning.simplified(text)
    items = _gold(gold_path, text)
    figures = [Figure(s, e, text[s:e], 0, unit, False, s, e) for s, e, unit, _ in items]
    ctxs = classifier.contexts(shadow, figures)
    seps = labels.Separators(shadow)
    out = []
    for ctx, f, (_, _, _, metric) in zip(ctxs, figures, items, strict=True):
        rule_ctx = labels.context(shadow, f, seps)
        out.append(Example(ctx, metric, group, labels._rule(rule_ctx, f.unit), source, labels.cell_rule(rule_ctx, f.unit) is not None))
    return out


def tuning_split() -> list[tuple[str, str]]:
    """(text id, jurisdiction) of the corpus's tuning split."""
    out = []
    for line in (CORPUS / "split.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            text_id, jurisdiction, split = line.split("\t")
            if split == "tuning":
                out.append((text_id, jurisdiction))
    return out


def corpus_examples() -> list[Example]:
    out: list[Example] = []
    for text_id, jurisdiction in tuning_split():
        raw = (CORPUS / "texts" / f"{text_id}.txt").read_text(encoding="utf-8")
        out += _examples_of(raw, CORPUS / "gold" / f"{text_id}.tsv", jurisdiction, text_id)
    return out


def seed_examples() -> list[Example]:
    from fazhi.reader import scoring

    out: list[Example] = []
    for name in scoring.TUNING:
        raw = (scoring.SEEDS / f"{name}.txt").read_text(encoding="utf-8")
        out += _examples_of(raw, scoring.GOLD / f"{name}.tsv", f"seed {name}", name)
    return out


def fit(examples: list[Example]) -> dict[str, Any]:
    """Each field's tf-idf (scikit-learn's TfidfVectorizer: sublinear tf, smooth idf, l2 norm) times
    its weight, the unit one-hot, side by side; a LinearSVC on them; weights under PRUNE in size
    left out. Returns the model as the JSON ``classifier.Model`` reads, less the calibration."""
    import warnings

    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from fazhi.reader import classifier

    blocks = []
    vocabs: list[tuple[str, list[str], Any]] = []
    for name, (_sizes, weight) in classifier.FIELDS.items():
        vectorizer = TfidfVectorizer(analyzer=lambda text, name=name: classifier.grams(name, text), lowercase=False, sublinear_tf=True)
        blocks.append(vectorizer.fit_transform([e.ctx.field(name) for e in examples]) * weight)
        vocabs.append((name, [str(t) for t in vectorizer.get_feature_names_out()], vectorizer.idf_))
    units = sorted({e.ctx.unit for e in examples})
    unit_col = {u: i for i, u in enumerate(units)}
    blocks.append(csr_matrix(([1.0] * len(examples), ([*range(len(examples))], [unit_col[e.ctx.unit] for e in examples])), shape=(len(examples), len(units))))
    x = hstack(blocks).tocsr()
    svc = LinearSVC(C=C, random_state=0, max_iter=20000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # many labels have one example: sklearn warns it may be a regression
        svc.fit(x, [e.label for e in examples])
    labels = [str(c) for c in svc.classes_]
    coef = svc.coef_
    fields: dict[str, Any] = {}
    offset = 0
    for name, vocab, idf in vocabs:
        block = coef[:, offset : offset + len(vocab)]
        weights: dict[str, list[list[float]]] = {}
        for label, col in zip(*(block.__abs__() >= PRUNE).nonzero(), strict=True):
            weights.setdefault(vocab[col], []).append([int(label), round(float(block[label, col]), 4)])
        fields[name] = {
            "idf": {t: round(float(w), 4) for t, w in zip(vocab, idf, strict=True) if t in weights},
            "weights": {t: sorted(v) for t, v in sorted(weights.items())},
        }
        offset += len(vocab)
    unit_weights = {
        u: [[int(label), round(float(coef[label, offset + i]), 4)] for label in range(len(labels)) if abs(coef[label, offset + i]) >= PRUNE]
        for i, u in enumerate(units)
    }
    return {"labels": labels, "fields": fields, "units": unit_weights, "intercepts": [round(float(b), 4) for b in svc.intercept_]}


def _model(data: dict[str, Any]) -> Any:
    from fazhi.reader import classifier

    return classifier.Model.from_json(data)


@dataclass
class Prediction:
    example: Example
    label: str | None  # the classifier's
    score: float  # its raw score
    definition: str | None  # the definition scorer's label (catalogue.py)
    top: float  # its similarity
    lead: float  # its lead over the second label

    def probabilities(self, a_b: tuple[float, float], abc: tuple[float, float, float]) -> tuple[float, float]:
        from fazhi.reader import catalogue, classifier

        return classifier.platt_probability(a_b, self.score), catalogue.definition_probability(abc, self.top, self.lead)


def cross_validate(examples: list[Example], extra: list[Example]) -> list[Prediction]:
    """Out-of-fold predictions for ``examples``, GroupKFold by jurisdiction; ``extra`` (the seeds) is
    added to every fold's training data. Each fold's model goes through model.json's form and the
    reader's own code (``classifier.Model``). The definition scorer learns nothing from the
    examples: its label is the same in and out of fold."""
    from sklearn.model_selection import GroupKFold

    from fazhi.reader import catalogue

    groups = [e.group for e in examples]
    out: list[Prediction | None] = [None] * len(examples)
    definitions = catalogue.scorer().predict([e.ctx for e in examples])
    for train_idx, test_idx in GroupKFold(n_splits=FOLDS).split(examples, groups=groups):
        model = _model(json.loads(json.dumps(fit([examples[i] for i in train_idx] + extra))))
        predicted = model.predict([examples[i].ctx for i in test_idx])
        for i, (label, _p, score) in zip(test_idx, predicted, strict=True):
            d_label, _dp, top, lead = definitions[i]
            out[i] = Prediction(examples[i], label, score, d_label, top, lead)
    return [p for p in out if p is not None]


def regrouped(examples: list[Example]) -> list[Example]:
    """The examples with their label's group of LABELS.md (``catalogue.groups``) as their label."""
    from fazhi.reader import catalogue

    groups = catalogue.groups()
    return [Example(e.ctx, groups[e.label], e.group, e.rule, e.source) for e in examples]


def fit_groups(examples: list[Example]) -> dict[str, Any]:
    """The group classifier: ``fit`` with the labels' groups as the classes."""
    return fit(regrouped(examples))


def group_scores_of(examples: list[Example], training: list[Example]) -> np.ndarray:
    """The group scores (``ranker.group_scores``) of ``examples`` by a group classifier trained on ``training``."""
    from fazhi.reader import ranker

    return ranker.group_scores(_model(json.loads(json.dumps(fit_groups(training)))), [e.ctx for e in examples])


def out_of_fold_group_scores(examples: list[Example], extra: list[Example]) -> np.ndarray:
    """Each example's group scores by a group classifier trained without its jurisdiction's fold
    (GroupKFold, as the ranker meets them in a report it has not seen), ``extra`` in every fold."""
    from sklearn.model_selection import GroupKFold

    from fazhi.reader import ranker

    out = np.zeros((len(examples), len(ranker.catalogue_groups()[0])))
    for train_idx, test_idx in GroupKFold(n_splits=FOLDS).split(examples, groups=[e.group for e in examples]):
        out[test_idx] = group_scores_of([examples[i] for i in test_idx], [examples[i] for i in train_idx] + extra)
    return out


def suffix_counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    """unit → how many of the examples in that unit have a label of each suffix (``ranker.suffix``)."""
    from fazhi.reader import ranker

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for e in examples:
        counts[e.ctx.unit][ranker.suffix(e.label)] += 1
    return {u: dict(sorted(c.items())) for u, c in sorted(counts.items())}


def _without(counts: dict[str, dict[str, int]], part: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {u: {s: k - part.get(u, {}).get(s, 0) for s, k in c.items()} for u, c in counts.items()}


def fit_ranker(examples: list[Example], counted: list[Example], groups: np.ndarray) -> dict[str, Any]:
    """The ranker (``ranker.py``) fitted on every candidate of ``examples``: a logistic regression
    (lbfgs: deterministic) on the standardised features, the right label against the others, and
    its calibration. The unit-suffix counts and the neighbours (``neighbours.py``) are those of
    ``counted``; a figure's own features are read from them without its jurisdiction (as for a
    report the ranker has not seen). ``groups``:
    the examples' group scores, out of fold (``out_of_fold_group_scores``)."""
    from sklearn.linear_model import LogisticRegression

    from fazhi.reader import catalogue, ranker
    from fazhi.reader.neighbours import Neighbours, text_of

    names = np.array(catalogue.scorer().names)
    counts = suffix_counts(counted)
    near = Neighbours([text_of(e.ctx) for e in counted], [e.label for e in counted], list(names), [e.group for e in counted])
    per_figure = []
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        by_group[e.group].append(i)
    for group in sorted(by_group):
        chosen = [examples[i] for i in by_group[group]]
        own = _without(counts, suffix_counts([e for e in counted if e.group == group]))
        rows: dict[str, Any] = {}
        ctxs = [e.ctx for e in chosen]
        ev = ranker.evidence(ctxs, [e.rule for e in chosen], groups[by_group[group]], near.scores(ctxs, without=group))
        cands, x, valid = ranker.candidates(ev, lambda u, own=own, rows=rows: rows.setdefault(u, ranker.unit_suffix_row(own, u)))
        per_figure.append((cands, x, valid, names[cands] == np.array([e.label for e in chosen])[:, None]))
    x_all = np.concatenate([x[valid] for _, x, valid, _ in per_figure])
    y_all = np.concatenate([right[valid] for _, _, valid, right in per_figure])
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    lr = LogisticRegression(C=RANKER_C, max_iter=5000).fit((x_all - mean) / scale, y_all)
    data: dict[str, Any] = {
        "features": list(ranker.FEATURES),
        "coef": [round(float(c), 6) for c in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 6),
        "mean": [round(float(m), 6) for m in mean],
        "scale": [round(float(v), 6) for v in scale],
        "unit_suffix": counts,
        "neighbours": near.to_json(),
    }
    # the calibration: P(the chosen candidate is right | its score, its lead over the second), a
    # logistic fit on the training figures as the fitted ranker labels them
    fitted = ranker.Ranker.from_json(data)
    tops, chosen_right = [], []
    for cands, x, valid, right in per_figure:
        best, top, lead = fitted.margins(cands, x, valid)
        keep = np.isfinite(top)
        tops.append(np.stack([top[keep], lead[keep]], axis=1))
        chosen_right.append(right[np.arange(len(cands)), best][keep])
    calibration = LogisticRegression(C=1e6, max_iter=1000).fit(np.concatenate(tops), np.concatenate(chosen_right))
    a, c = (float(v) for v in calibration.coef_[0])
    data["calibration"] = [round(a, 6), round(float(calibration.intercept_[0]), 6), round(c, 6)]
    return data


def rule_backed(oof: list[Prediction]) -> float:
    """The share right, out of fold, of the rules' labels that the classifier's best label confirms."""
    backed = [p.example.rule == p.example.label for p in oof if p.example.rule is not None and p.example.rule == p.label]
    return round(sum(backed) / len(backed), 3) if backed else 0.0


def cross_validate_ranker(
    examples: list[Example], extra: list[Example], oof: list[Prediction], alternatives: list[list[str]] | None = None
) -> list[tuple[str | None, float]]:
    """Out-of-fold labels and confidences of the reader for ``examples``, GroupKFold by jurisdiction:
    each fold is labelled, as the reader labels a report, by a ranker fitted on the other folds
    (the unit-suffix counts also taken from ``extra``, the seeds) and the classifier's out-of-fold
    labels ``oof`` (``cross_validate``, the same folds) confirming rules. The fold's group scores
    come from a group classifier trained on the other folds and ``extra``; those the ranker is fitted
    on, from a GroupKFold nested inside the other folds. ``alternatives``, a list given: filled with
    each example's runners-up (``Ranker.choose``), in the examples' order."""
    from sklearn.model_selection import GroupKFold

    from fazhi.reader import catalogue, ranker

    names = catalogue.scorer().names
    out: list[tuple[str | None, float]] = [(None, 0.0)] * len(examples)
    others: list[list[str]] = [[] for _ in examples]
    for train_idx, test_idx in GroupKFold(n_splits=FOLDS).split(examples, groups=[e.group for e in examples]):
        training = [examples[i] for i in train_idx]
        testing = [examples[i] for i in test_idx]
        data = fit_ranker(training, training + extra, out_of_fold_group_scores(training, extra))
        data["rule_backed"] = rule_backed([oof[i] for i in train_idx])
        fitted = ranker.Ranker.from_json(data)
        ctxs = [e.ctx for e in testing]
        ev = ranker.evidence(ctxs, [e.rule for e in testing], group_scores_of(testing, training + extra), fitted.neighbour_scores(ctxs))
        confirmed = [examples[i].rule is not None and (examples[i].rule == oof[i].label or examples[i].sure) for i in test_idx]
        runners_up: list[list[int]] = []
        for i, (at, probability), more in zip(test_idx, fitted.choose(ev, confirmed, runners_up), runners_up, strict=True):
            out[i] = (names[at] if at is not None else None, probability)
            others[i] = [names[k] for k in more]
    if alternatives is not None:
        alternatives += others
    return out


def platt(oof: list[Prediction]) -> tuple[float, float]:
    """Sigmoid P(right | score), fitted (logistic regression, lbfgs: deterministic) on the
    out-of-fold predictions; returned as (a, b) of 1 / (1 + exp(a * score + b))."""
    from sklearn.linear_model import LogisticRegression

    x = [[p.score] for p in oof]
    y = [int(p.label == p.example.label) for p in oof]
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    return -float(lr.coef_[0][0]), -float(lr.intercept_[0])


def definition_platt(oof: list[Prediction]) -> tuple[float, float, float]:
    """P(the definition scorer's label is right | its similarity, its lead), a logistic fit on the
    tuning examples; returned as (a, b, c) of 1 / (1 + exp(a * top + c * lead + b))."""
    from sklearn.linear_model import LogisticRegression

    x = [[p.top, p.lead] for p in oof]
    y = [int(p.definition == p.example.label) for p in oof]
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    return -float(lr.coef_[0][0]), -float(lr.intercept_[0]), -float(lr.coef_[0][1])


def combined(
    p: Prediction, a_b: tuple[float, float], abc: tuple[float, float, float], fallback: dict[str, float], cut: float = CUT
) -> tuple[str | None, float, str]:
    from fazhi.reader import classifier

    probability, d_probability = p.probabilities(a_b, abc)
    return classifier.combine(p.label, probability, p.example.rule, p.definition, d_probability, cut, fallback)


def fallback_precision(oof: list[Prediction], a_b: tuple[float, float], abc: tuple[float, float, float]) -> dict[str, float]:
    """The share right, out of fold, of a rule's label backed by the classifier or the definition
    scorer, of one backed by neither, and of the labels on which the classifier and the definition
    scorer agree where no rule fires: their metric_confidence."""
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for p in oof:
        rule = p.example.rule
        key = (
            ("rule_backed" if rule in (p.label, p.definition) else "rule")
            if rule is not None
            else ("agree" if p.label is not None and p.label == p.definition else "")
        )
        if key:
            seen[key] += 1
            right[key] += (rule or p.label) == p.example.label
    return {k: round(right[k] / seen[k], 3) if seen[k] else 0.0 for k in ("rule", "rule_backed", "agree")}


def calibration_table(pairs: list[tuple[float, bool]]) -> list[str]:
    """Predicted probability against the share right, in bins: how well calibrated it is."""
    bins: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for q, right in pairs:
        b = bins[min(int(q * 5), 4)]
        b[0] += 1
        b[1] += right
        b[2] += round(q * 1000)
    return [f"p {k / 5:.1f}-{(k + 1) / 5:.1f}: {n} figures, mean p {s / n / 1000:.2f}, right {r / n:.2f}" for k, (n, r, s) in sorted(bins.items())]


def report_cv(examples: list[Example], seeds: list[Example], confusion: int = 0) -> list[str]:
    """The cross-validation on the tuning split, what each part gets right, calibration, errors."""
    from fazhi.reader import catalogue

    lines = []
    n = len(examples)
    groups = catalogue.groups()
    rules = sum(e.rule == e.label for e in examples)
    for name, extra in (("tuning only", []), ("tuning + seeds", seeds)):
        oof = cross_validate(examples, extra)
        a_b, abc = platt(oof), definition_platt(oof)
        fallback = fallback_precision(oof, a_b, abc)
        right = sum(p.label == p.example.label for p in oof)
        d_right = sum(p.definition == p.example.label for p in oof)
        results = [combined(p, a_b, abc, fallback) for p in oof]
        both = sum(r[0] == p.example.label for r, p in zip(results, oof, strict=True))
        both_group = sum(groups.get(r[0] or "") == groups.get(p.example.label) for r, p in zip(results, oof, strict=True))
        seen_labels = [
            any(x.group != p.example.group and x.label == p.example.label for x in examples) or any(x.label == p.example.label for x in extra) for p in oof
        ]
        seen = [(r, p) for r, p, k in zip(results, oof, seen_labels, strict=True) if k]
        unseen = [(r, p) for r, p, k in zip(results, oof, seen_labels, strict=True) if not k]
        seen_right = sum(r[0] == p.example.label for r, p in seen)
        unseen_right = sum(r[0] == p.example.label for r, p in unseen)
        lines.append(
            f"  cross-validation, GroupKFold by jurisdiction ({FOLDS} folds, {len({e.group for e in examples})} jurisdictions, {n} figures), "
            f"trained on {name}: rules {rules / n:.3f}, classifier alone {right / n:.3f}, definition scorer alone {d_right / n:.3f}, "
            f"combined (rule, classifier, definition) {both / n:.3f} ({both}/{n}), within the right group {both_group / n:.3f}; "
            f"on the {len(seen)} figures whose label the fold's training data has {seen_right / max(1, len(seen)):.3f}, "
            f"on the {len(unseen)} it lacks {unseen_right / max(1, len(unseen)):.3f}"
        )
    lines += [f"  metric_confidence against correctness (out of fold, tuning + seeds, cut {CUT}):"]
    lines += ["    " + line for line in calibration_table([(r[1], r[0] == p.example.label) for r, p in zip(results, oof, strict=True)])]
    sources = Counter(r[2] for r in results)
    lines.append(
        "  where the labels came from: "
        + ", ".join(
            f"{k} {sources[k]} (right {sum(r[0] == p.example.label for r, p in zip(results, oof, strict=True) if r[2] == k) / sources[k]:.3f})"
            for k in sorted(sources)
        )
        + f"; a rule's label and an agreement carry their out-of-fold precision {fallback}"
    )
    runners_up: list[list[str]] = []
    ranked = cross_validate_ranker(examples, seeds, oof, runners_up)
    r_right = sum(label == e.label for (label, _), e in zip(ranked, examples, strict=True))
    r_group = sum(groups.get(label or "") == groups.get(e.label) for (label, _), e in zip(ranked, examples, strict=True))
    r_seen = [(label == p.example.label) for (label, _), p, k in zip(ranked, oof, seen_labels, strict=True) if k]
    r_unseen = [(label == p.example.label) for (label, _), p, k in zip(ranked, oof, seen_labels, strict=True) if not k]
    lines.append(
        f"  cross-validation of the ranker (ranker.py; each fold labelled by a ranker fitted on the other folds' figures), "
        f"unit-suffix counts from tuning + seeds: {r_right / n:.3f} ({r_right}/{n}), within the right group "
        f"{r_group / n:.3f}; on the {len(r_seen)} figures whose label the fold's training data has {sum(r_seen) / max(1, len(r_seen)):.3f}, "
        f"on the {len(r_unseen)} it lacks {sum(r_unseen) / max(1, len(r_unseen)):.3f}"
    )
    ranked_right = [label == e.label for (label, _), e in zip(ranked, examples, strict=True)]
    known = known_labels(examples, seeds)
    lines.append("  the ranker out of fold, " + known_unknown(ranked_right, known))
    lines.append("  the same by where the label is defined: " + by_origin(ranked_right, known, [e.label for e in examples]))
    lines.append("  the ranker out of fold with its runners-up: " + among_alternatives(ranked, runners_up, [e.label for e in examples]))
    lines += ["  metric_confidence of the ranker against correctness (out of fold):"]
    lines += ["    " + line for line in calibration_table([(q, label == e.label) for (label, q), e in zip(ranked, examples, strict=True)])]
    for name, which in (("known", True), ("unknown", False)):
        pairs = [(q, right) for (_, q), right, k in zip(ranked, ranked_right, known, strict=True) if k == which]
        lines.append(f"    on {name} labels: " + "; ".join(calibration_table(pairs)))
    if confusion:
        errors = Counter((e.label, label) for (label, _), e in zip(ranked, examples, strict=True) if label != e.label)
        lines.append(f"  most frequent errors of the ranker out of fold (gold → reader), {sum(errors.values())} errors in {len(errors)} pairs:")
        lines += [f"    {k} × {g} → {q}{' (same group)' if groups.get(g) == groups.get(q or '') else ''}" for (g, q), k in errors.most_common(confusion)]
    return lines


def known_labels(examples: list[Example], extra: list[Example]) -> list[bool]:
    """Per example: whether its label is in the training data of its fold (another jurisdiction of
    the tuning split, or ``extra``, the seeds), i.e. one a classifier trained there could give."""
    by_label: dict[str, set[str]] = defaultdict(set)
    for e in examples:
        by_label[e.label].add(e.group)
    extra_labels = {e.label for e in extra}
    return [e.label in extra_labels or bool(by_label[e.label] - {e.group}) for e in examples]


def among_alternatives(ranked: list[tuple[str | None, float]], runners_up: list[list[str]], labels: list[str]) -> str:
    """How often the right label is the one given or one of its runners-up (``Figure.metric_alternatives``),
    over all figures and over the low-confidence ones, whose runners-up a reader is shown."""
    from fazhi.reader.figures import LOW_CONFIDENCE

    parts = []
    for name, keep in (("all figures", lambda p: True), (f"the low-confidence ones (under {LOW_CONFIDENCE})", lambda p: p < LOW_CONFIDENCE)):
        chosen = [(label, more, gold) for (label, p), more, gold in zip(ranked, runners_up, labels, strict=True) if keep(p)]
        first = sum(label == gold for label, _, gold in chosen)
        within = sum(label == gold or gold in more for label, more, gold in chosen)
        parts.append(f"{name} {len(chosen)}: the label right {first}, the label or a runner-up {within} ({within / max(1, len(chosen)):.3f})")
    return "; ".join(parts)


def added_labels() -> set[str]:
    """The labels of LABELS_ADDED.md: added for the development corpus, their definitions written
    while annotating its texts."""
    from fazhi.reader.labels import LABEL_LINE, definitions_dir

    lines = (definitions_dir() / "LABELS_ADDED.md").read_text(encoding="utf-8").splitlines()
    return {m.group("name") for line in lines if (m := LABEL_LINE.match(line.strip()))}


def by_origin(right: list[bool], known: list[bool], labels: list[str]) -> str:
    """Accuracy on known and unknown labels, each split by where the label is defined: LABELS.md,
    or LABELS_ADDED.md (``added_labels``). An unknown label of LABELS_ADDED.md was defined from
    the very texts whose figures carry it, so the definition scorer finds it more easily than it
    finds a LABELS.md label in a new jurisdiction's report: the unknown LABELS.md labels are the
    closer estimate for a held-out part's unknown labels."""
    added = added_labels()
    parts = []
    for kind, which in (("known", True), ("unknown", False)):
        for origin, is_added in (("LABELS.md", False), ("LABELS_ADDED.md", True)):
            got = [r for r, k, label in zip(right, known, labels, strict=True) if k == which and (label in added) == is_added]
            parts.append(f"{kind} of {origin} {sum(got) / max(1, len(got)):.3f} ({sum(got)}/{len(got)})")
    return ", ".join(parts)


def known_unknown(right: list[bool], known: list[bool]) -> str:
    """Accuracy on known and unknown labels apart, and weighted in the held-out split's proportion."""
    k = [r for r, kn in zip(right, known, strict=True) if kn]
    u = [r for r, kn in zip(right, known, strict=True) if not kn]
    ka, ua = sum(k) / max(1, len(k)), sum(u) / max(1, len(u))
    weighted = (HELDOUT_KNOWN * ka + HELDOUT_UNKNOWN * ua) / (HELDOUT_KNOWN + HELDOUT_UNKNOWN)
    return (
        f"known labels {ka:.3f} ({sum(k)}/{len(k)}), unknown labels {ua:.3f} ({sum(u)}/{len(u)}), "
        f"weighted {HELDOUT_KNOWN}:{HELDOUT_UNKNOWN} as the held-out split {weighted:.3f}"
    )


def build(out: Path) -> dict[str, Any]:
    examples, seeds = corpus_examples(), seed_examples()
    everything = examples + seeds
    data = fit(everything)
    oof = cross_validate(examples, seeds)
    a, b = platt(oof)
    abc = definition_platt(oof)
    data.update(
        ranker={**fit_ranker(examples, everything, out_of_fold_group_scores(examples, seeds)), "rule_backed": rule_backed(oof)},
        groups=fit_groups(everything),
        platt=[round(a, 4), round(b, 4)],
        definition_platt=[round(x, 4) for x in abc],
        cut=CUT,
        fallback=fallback_precision(oof, (a, b), abc),
        meta={
            "trained_on": f"bench/corpus tuning split ({len(examples)} figures) and seeds {', '.join(sorted({e.source for e in seeds}))} "
            f"({len(seeds)} figures)",
            "labels": len(data["labels"]),
            "tokens": sum(len(f["idf"]) for f in data["fields"].values()),
        },
    )
    out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return data


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from fazhi.reader import classifier

    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true", help="print the cross-validation on the tuning split")
    parser.add_argument("--out", type=Path, default=classifier.MODEL)
    args = parser.parse_args()
    if args.cv:
        print("\n".join(report_cv(corpus_examples(), seed_examples())))
        return
    data = build(args.out)
    print(f"wrote {args.out}: {data['meta']['labels']} labels, {data['meta']['tokens']} tokens, platt {data['platt']}, fallback {data['fallback']}")


if __name__ == "__main__":
    main()
