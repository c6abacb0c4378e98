"""The nearest training figures (issue 25, neighbours.py): each label's most similar training
figure, computed by the sparse index as a plain cosine would compute it; the ranker's candidates
from them."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from fazhi.reader import catalogue, classifier, ranker
from fazhi.reader.classifier import FigureContext
from fazhi.reader.neighbours import Neighbours, grams, text_of

NAMES = ["发布政策解读信息条数", "政务服务事项数", "行政复议案件数", "法治培训人次"]
TRAINING = [
    (FigureContext("在门户网站发布政策解读信息", "", "", "条"), "发布政策解读信息条数", "甲县"),
    (FigureContext("梳理公布政务服务事项", "", "", "项"), "政务服务事项数", "乙市"),
    (FigureContext("全年共受理行政复议案件", "", "", "件"), "行政复议案件数", "甲县"),
    (FigureContext("共收到行政复议申请", "", "", "件"), "行政复议案件数", "丙区"),
    (FigureContext("某个目录外的标签", "", "", "个"), "不在目录里的标签", "丙区"),
]


def _index(max_share: float = 1.0) -> Neighbours:
    """Every n-gram kept (a share of 1): the few training figures here share most of theirs."""
    return Neighbours([text_of(c) for c, _, _ in TRAINING], [lab for _, lab, _ in TRAINING], NAMES, [j for _, _, j in TRAINING], max_share)


def _cosine(a: str, b: str, texts: list[str]) -> float:
    """The reference: tf-idf (sublinear tf, smoothed idf over ``texts``) cosine of two texts."""
    df = Counter(g for t in texts for g in set(grams(t)))
    idf = {g: math.log((1 + len(texts)) / (1 + d)) + 1 for g, d in df.items()}

    def vector(t: str) -> dict[str, float]:
        v = {g: (1 + math.log(k)) * idf[g] for g, k in Counter(grams(t)).items() if g in idf}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {g: x / norm for g, x in v.items()}

    va, vb = vector(a), vector(b)
    return sum(x * vb.get(g, 0.0) for g, x in va.items())


def test_each_label_gets_its_most_similar_training_figure_as_a_plain_cosine_gives_it() -> None:
    near = _index()
    assert near.labels == ["发布政策解读信息条数", "政务服务事项数", "行政复议案件数", "行政复议案件数"]  # the one outside the catalogue left out
    query = FigureContext("今年受理行政复议申请", "", "", "件")
    (row,) = near.scores([query])
    kept = [text_of(c) for c, lab, _ in TRAINING if lab in NAMES]
    expected = [max((_cosine(text_of(query), t, kept) for t, lab in zip(kept, near.labels, strict=True) if lab == name), default=0.0) for name in NAMES]
    assert np.allclose(row, expected)
    assert row.argmax() == NAMES.index("行政复议案件数") and row[NAMES.index("法治培训人次")] == 0.0
    # the same words as a training figure: similarity 1
    (same,) = near.scores([TRAINING[1][0]])
    assert math.isclose(same[1], 1.0)


def test_a_jurisdiction_can_be_left_out() -> None:
    near = _index()
    query = FigureContext("全年共受理行政复议案件", "", "", "件")
    (with_all,) = near.scores([query])
    (without,) = near.scores([query], without="甲县")
    assert math.isclose(with_all[2], 1.0)  # 甲县's own figure
    assert 0.0 < without[2] < 1.0  # 丙区's is still there
    assert without[0] == 0.0  # 甲县's only 政策解读 figure left out


def test_an_ngram_most_training_figures_have_is_left_out() -> None:
    # "|" (the separator before the unit) is in every text; "行政复议" in two of the four kept
    query = FigureContext("行政复议", "", "", "次")
    (every,) = _index(1.0).scores([query])
    (fewer,) = _index(0.4).scores([query])
    assert every[NAMES.index("法治培训人次")] == 0.0 and every[NAMES.index("政务服务事项数")] > 0.0  # only "|" is shared
    assert fewer[NAMES.index("政务服务事项数")] == 0.0  # "|" left out: nothing shared
    assert fewer[NAMES.index("行政复议案件数")] == 0.0  # "行政复议" and its n-grams (2 of 4) left out too
    assert every[NAMES.index("行政复议案件数")] > 0.0


def test_the_index_round_trips_through_the_model_file() -> None:
    near = _index()
    again = Neighbours.from_json(near.to_json(), NAMES)
    queries = [c for c, _, _ in TRAINING] + [FigureContext("x", "", "", "件")]
    assert np.array_equal(near.scores(queries), again.scores(queries))


def test_the_shipped_ranker_proposes_the_label_of_a_training_figure_said_in_the_same_words() -> None:
    model = classifier.load()
    assert model is not None and model.ranker is not None and model.ranker.neighbours is not None
    near = model.ranker.neighbours
    names = catalogue.scorer().names
    # every training figure's own words put its label first among the labels its neighbours give
    ctxs = [FigureContext(t.split("|")[0], "", "", t.split("|")[1]) for t in near.texts[:200]]
    scores = model.ranker.neighbour_scores(ctxs)
    assert scores is not None
    top = [names[int(i)] for i in scores.argmax(axis=1)]
    assert sum(t == lab for t, lab in zip(top, near.labels[:200], strict=True)) >= 150
    # and the ranker gets them as candidates, each once
    ev = ranker.evidence(ctxs, [None] * len(ctxs))
    cands, _x, valid = ranker.candidates(ev, model.ranker.suffix_row)
    without = ranker.candidates(ranker.Evidence(ev.scores, ev.picks, ev.penalty, ev.rules, ev.units, ev.groups), model.ranker.suffix_row)
    added = 0
    for i, label in enumerate(near.labels[:200]):
        j = catalogue.scorer().position[label]
        if ev.penalty[i, j] == 0.0:  # the unit allows it
            assert len(np.flatnonzero((cands[i] == j) & valid[i])) == 1, (label, near.texts[i])
            added += not ((without[0][i] == j) & without[2][i]).any()
    assert added >= 20  # many a label the definition scorer and the rule did not propose
