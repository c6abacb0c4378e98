"""The learnt choice of a label (issue 25, part 3, ranker.py): candidates of the definition scorer and
the rules weighed by a logistic regression; a rule the classifier confirms kept; calibrated confidence."""

from __future__ import annotations

import json

import numpy as np

from fazhi.reader import catalogue, classifier, ranker, train
from fazhi.reader.classifier import FigureContext
from fazhi.reader.document import read_text


def _ranker() -> ranker.Ranker:
    model = classifier.load()
    assert model is not None and model.ranker is not None
    return model.ranker


CTXS = [
    FigureContext("全年共收到行政赔偿申请", "全年共收到行政赔偿申请#件", "一、行政复议", "件"),
    FigureContext("组织领导干部旁听庭审", "组织领导干部旁听庭审#人次", "一、学法用法", "人次"),
    FigureContext("共计", "共计#", "", "个"),
    FigureContext("行政复议纠错率", "行政复议纠错率#", "", "%"),
]


def test_the_definition_scorer_parts_sum_to_its_scores_to_the_last_bit() -> None:
    scorer = catalogue.scorer()
    parts, penalty = scorer.part_scores(CTXS)
    total = np.zeros_like(penalty)
    for weight, part in zip(catalogue.CONTEXT_WEIGHTS.values(), parts, strict=True):
        total += weight * part
    assert np.array_equal(total + penalty, scorer.scores(CTXS))
    # the name alone: the words left of 旁听庭审 are closest to the names that hold them
    names = scorer.name_scores(CTXS)
    assert scorer.names[int(names[1].argmax())] in ("旁听庭审人数", "旁听庭审次数")


def test_the_ranker_labels_a_report_at_once_as_it_labels_each_figure_alone() -> None:
    fitted = _ranker()
    rules: list[str | None] = [None, None, None, None]
    together = fitted.choose(ranker.evidence(CTXS, rules))
    alone = [fitted.choose(ranker.evidence([c], [r]))[0] for c, r in zip(CTXS, rules, strict=True)]
    assert [t[0] for t in together] == [a[0] for a in alone]
    assert np.allclose([t[1] for t in together], [a[1] for a in alone])
    names = catalogue.scorer().names
    assert names[together[0][0]] == "行政赔偿申请数"  # type: ignore[index]
    assert names[together[3][0]] == "行政复议纠错率"  # type: ignore[index]
    # a context that says little is less sure than a clear one
    assert together[2][1] < together[0][1]


def test_only_a_label_the_unit_allows_is_chosen_and_a_confirmed_rule_is_kept() -> None:
    fitted = _ranker()
    scorer = catalogue.scorer()
    # the rule names a rate, the figure is a count: the rule's label is no candidate
    ctx = FigureContext("行政复议纠错率", "行政复议纠错率#", "", "件")
    ((at, _p),) = fitted.choose(ranker.evidence([ctx], ["行政复议纠错率"]))
    assert at is not None and scorer.names[at] != "行政复议纠错率"
    assert scorer.penalty("件")[at] == 0.0
    # a rule's label the classifier confirms is taken, with the out-of-fold share of such labels right
    clear = CTXS[0]
    ((at, p),) = fitted.choose(ranker.evidence([clear], ["行政复议受理数"]), [True])
    assert scorer.names[at] == "行政复议受理数" and p == fitted.rule_backed  # type: ignore[index]
    ((at, _p),) = fitted.choose(ranker.evidence([clear], ["行政复议受理数"]), [False])
    assert scorer.names[at] == "行政赔偿申请数"  # type: ignore[index]


def test_the_unit_suffix_counts_favour_the_labels_a_unit_counts() -> None:
    counts = {"人次": {"人次": 8, "次数": 1}}
    row = ranker.unit_suffix_row(counts, "人次")
    names = catalogue.scorer().names
    assert row[names.index("法治培训人次")] > row[names.index("集体学法次数")] > row[names.index("行政复议受理数")]
    # a unit never seen: every suffix alike
    assert len(set(ranker.unit_suffix_row(counts, "宗").tolist())) == 1
    assert ranker.suffix("行政复议案件数(按复议机关)") == "件数"


def test_the_shipped_ranker_was_trained_on_tuning_data_and_is_surer_where_it_is_right() -> None:
    # (test_classifier.py's retraining test checks that training gives the shipped ranker again)
    shipped = json.loads(classifier.MODEL.read_text(encoding="utf-8"))["ranker"]
    assert shipped["features"] == list(ranker.FEATURES)
    examples, seeds = train.corpus_examples(), train.seed_examples()
    # the labels' suffix counts are those of the training data, held-out split and held-out seeds left out
    assert sum(sum(c.values()) for c in shipped["unit_suffix"].values()) == len(examples) + len(seeds)
    # the right label is the likeliest for most training figures, and the ones it gets right are the surer
    fitted = ranker.Ranker.from_json(shipped)
    chosen = fitted.choose(ranker.evidence([e.ctx for e in examples], [e.rule for e in examples]))
    names = catalogue.scorer().names
    right = [at is not None and names[at] == e.label for (at, _), e in zip(chosen, examples, strict=True)]
    assert sum(right) / len(right) > 0.6
    mean_right = np.mean([p for (_, p), r in zip(chosen, right, strict=True) if r])
    mean_wrong = np.mean([p for (_, p), r in zip(chosen, right, strict=True) if not r])
    assert mean_right > mean_wrong + 0.1


def test_a_figure_no_rule_knows_gets_a_label_from_a_report() -> None:
    report = read_text("二、行政复议\n全年共收到行政赔偿申请12件。", with_checks=False)
    (figure,) = report.figures
    assert figure.metric == "行政赔偿申请数"
    assert figure.metric_confidence is not None and 0.0 < figure.metric_confidence < 1.0


def test_the_group_classifier_gives_the_group_features_of_every_candidate() -> None:
    model = classifier.load()
    assert model is not None and model.groups is not None
    names, label_group = ranker.catalogue_groups()
    assert set(model.groups.labels) <= set(names) and len(model.groups.labels) >= 9
    scores = ranker.group_scores(model.groups, CTXS)
    assert scores.shape == (len(CTXS), len(names))
    assert names[int(scores[0].argmax())] == "行政复议、行政诉讼/应诉"  # 行政赔偿申请 under 一、行政复议
    ev = ranker.evidence(CTXS, [None] * len(CTXS), scores)
    cands, x, _valid = ranker.candidates(ev, _ranker().suffix_row)
    group, best = x[..., ranker.FEATURES.index("group")], x[..., ranker.FEATURES.index("group_best")]
    in_best = label_group[cands] == scores.argmax(axis=1)[:, None]
    assert np.array_equal(best == 1.0, in_best)
    assert (group[in_best] == 0).all() and (group[~in_best] < 0).all() and (group >= ranker.GROUP_FLOOR).all()
    # the shipped model's group scores are those the reader uses by default
    assert np.array_equal(ranker.evidence(CTXS, [None] * len(CTXS)).groups, scores)


def test_the_runners_up_are_the_next_likeliest_candidates_and_a_low_confidence_label_names_them() -> None:
    fitted = _ranker()
    names = catalogue.scorer().names
    rules: list[str | None] = [None] * len(CTXS)
    ev = ranker.evidence(CTXS, rules)
    runners_up: list[list[int]] = []
    chosen = fitted.choose(ev, None, runners_up)
    assert chosen == fitted.choose(ev)  # asking for them changes no label
    cands, x, valid = ranker.candidates(ev, fitted.suffix_row)
    z = np.where(valid, ((x - fitted.mean) / fitted.scale) @ fitted.coef + fitted.intercept, -np.inf)
    for i, ((at, _p), more) in enumerate(zip(chosen, runners_up, strict=True)):
        ranked = [int(cands[i, j]) for j in np.argsort(-z[i], kind="stable") if valid[i, j]]
        assert [at, *more] == ranked[: 1 + ranker.ALTERNATIVES]
        assert at not in more and len(set(more)) == len(more)
    # a confirmed rule's label is the label; the runners-up leave it out
    confirmed: list[list[int]] = []
    ((at, _p),) = fitted.choose(ranker.evidence(CTXS[:1], ["行政赔偿申请数"]), [True], confirmed)
    assert names[at] == "行政赔偿申请数" and at not in confirmed[0] and len(confirmed[0]) == ranker.ALTERNATIVES  # type: ignore[index]
    # the reader shows them only beside a label it is unsure of
    report = read_text("二、工作情况\n共计12个。", with_checks=False)
    (figure,) = report.figures
    assert len(figure.metric_alternatives) == ranker.ALTERNATIVES and figure.metric not in figure.metric_alternatives
    assert figure.as_dict()["metric_alternatives"] == figure.metric_alternatives
    figure.metric_confidence = 0.3
    assert figure.alternatives_note == "其他可能：" + "、".join(figure.metric_alternatives)
    figure.metric_confidence = 0.9
    assert figure.alternatives_note == ""
