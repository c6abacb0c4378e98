"""The reader's fast paths give what the plain ones give: the numpy n-gram engine (``sparse.py``)
counts n-grams as ``Counter(grams(text))`` does, in the same order, and scores as a figure-by-figure
tf-idf product does; the rules' prefilter never drops the rule that holds."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from fazhi.reader import catalogue, classifier, labels, scoring
from fazhi.reader.document import read_text
from fazhi.reader.sparse import SparseIndex

TEXTS = [
    "全年共受理行政复议案件31件，其中不予受理3件、已审结28件",
    "",
    "2023年",
    "一、推进依法行政｜（二）行政复议",
    "受理受理受理复议",
    "ABC abc 复议 😀😀 复议",  # Latin letters, a character beyond the BMP
    "复\ud800议",  # a lone surrogate, as a broken file may give
    "复议",
]


def _index(texts: list[str], grams: list[list[str]], chinese_only: bool, sizes: tuple[int, ...]) -> tuple[SparseIndex, dict[str, int]]:
    """A vocabulary of every other n-gram the texts have (so that some are unknown), 3 labels."""
    seen = list(dict.fromkeys(g for gs in grams for g in gs))[::2]
    index = SparseIndex(3, chinese_only=chinese_only, label_class=[0, 1, 1])
    index.add(((g, 1.0 + i / 7, [(i % 3, 0.5 + i / 11), ((i + 1) % 3, -0.25)]) for i, g in enumerate(seen)), sizes)
    return index, {g: i for i, g in enumerate(seen)}


def _expected(grams: list[list[str]], rows: dict[str, int]) -> list[tuple[int, int, int]]:
    return [(d, rows[g], k) for d, gs in enumerate(grams) for g, k in Counter(gs).items() if g in rows]


def test_ngrams_are_counted_as_counter_counts_them_in_the_same_order() -> None:
    for name, (sizes, _weight) in classifier.FIELDS.items():  # every character, the field's sizes
        grams = [classifier.grams(name, t) for t in TEXTS]
        index, rows = _index(TEXTS, grams, False, sizes)
        got = list(zip(*(a.tolist() for a in index.counts(TEXTS, [0] * len(TEXTS))), strict=True))
        assert got == _expected(grams, rows)
    grams = [catalogue.grams(t) for t in TEXTS]  # runs of Chinese characters, 1- and 2-grams
    index, rows = _index(TEXTS, grams, True, catalogue.NGRAMS)
    got = list(zip(*(a.tolist() for a in index.counts(TEXTS, [0] * len(TEXTS))), strict=True))
    assert got == _expected(grams, rows) and got


def test_scores_are_the_tf_idf_product_and_a_class_range_keeps_its_labels_sums() -> None:
    grams = [catalogue.grams(t) for t in TEXTS]
    index, rows = _index(TEXTS, grams, True, catalogue.NGRAMS)
    weights = {g: [(i % 3, 0.5 + i / 11), ((i + 1) % 3, -0.25)] for g, i in rows.items()}
    scores = index.scores(TEXTS, [0] * len(TEXTS), [2.0] * len(TEXTS))
    for d, gs in enumerate(grams):
        tally = {g: (1.0 + math.log(k)) * (1.0 + rows[g] / 7) for g, k in Counter(gs).items() if g in rows}
        norm = math.sqrt(sum(v * v for v in tally.values())) or 1.0
        want = np.zeros(3)
        for g, v in tally.items():
            for label, w in weights[g]:
                want[label] += v / norm * 2.0 * w
        assert np.allclose(scores[d], want, atol=1e-12)
    # only class 1 (labels 1 and 2): their sums to the last bit, label 0 left at 0
    ranged = index.scores(TEXTS, [0] * len(TEXTS), [2.0] * len(TEXTS), np.array([(1, 2)] * len(TEXTS)))
    assert (ranged[:, 1:] == scores[:, 1:]).all() and (ranged[:, 0] == 0).all()


def test_a_rule_is_prefiltered_by_the_characters_its_words_need() -> None:
    assert labels._needs(re.compile("审结|结案")) == {"审", "结"}
    assert labels._needs(re.compile("收到.*复议申请|新收.*复议")) == {"收", "新"}
    assert labels._needs(re.compile("^继续有效")) is None and labels._needs(re.compile("[件个]次")) is None


def test_the_prefiltered_rules_give_the_label_trying_every_rule_gives() -> None:
    def every_rule(ctx: labels.Context, unit: str) -> str | None:
        fields = vars(ctx)
        for metric, conditions in labels._rules_for(unit):
            if all((search(fields[key]) is None) == negated for key, negated, search in conditions):
                return metric
        return None

    fired = 0
    for name in scoring.TUNING + scoring.HELD_OUT:
        report = read_text((scoring.SEEDS / f"{name}.txt").read_text(encoding="utf-8"), with_checks=False)
        seps = labels.Separators(report.text)
        for figure in report.figures:
            ctx = labels.context(report.text, figure, seps)
            assert labels._rule(ctx, figure.unit) == every_rule(ctx, figure.unit)
            fired += labels._rule(ctx, figure.unit) is not None
    assert fired > 100
