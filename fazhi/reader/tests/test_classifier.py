"""The label classifier (issue 25, part 3): shipped model, retraining, calibrated confidence, and how
it is combined with the rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fazhi.reader import classifier, scoring, train
from fazhi.reader.document import read_text
from fazhi.reader.figures import LOW_CONFIDENCE, Figure
from fazhi.reader.views import LOW_CONFIDENCE_NOTE, annotated_html


def _seed(name: str):  # type: ignore[no-untyped-def]
    return read_text((scoring.SEEDS / f"{name}.txt").read_text(encoding="utf-8"), name=name, with_checks=False)


def test_the_shipped_model_is_small_and_was_trained_on_tuning_data_only() -> None:
    assert classifier.MODEL.stat().st_size < 1_500_000
    model = classifier.load()
    assert model is not None
    assert len(model.labels) > 200
    trained_on = model.meta["trained_on"]
    assert "tuning split" in trained_on
    assert all(name not in trained_on for name in scoring.HELD_OUT)  # the held-out seeds stay out
    held_out = {line.split("\t")[0] for line in (train.CORPUS / "split.tsv").read_text(encoding="utf-8").splitlines()[1:] if "heldout" in line}
    assert held_out and not held_out & {e.source for e in train.corpus_examples()}


def test_training_reads_the_tuning_split_only() -> None:
    rows = [line.split("\t") for line in (train.CORPUS / "split.tsv").read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    tuning = {text_id for text_id, _, split in rows if split == "tuning"}
    kept_out = {text_id for text_id, _, split in rows if split != "tuning"}
    assert {"heldout", "fresh", "fresh2", "fresh3"} <= {split for _, _, split in rows}  # every held-out part exists
    assert {text_id for text_id, _ in train.tuning_split()} == tuning
    sources = {e.source for e in train.corpus_examples()}
    assert sources <= tuning and not sources & kept_out


def test_tuning_split_selects_by_split_value_not_by_position(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "split.tsv").write_text(
        "id\tjurisdiction\tsplit\n001\t甲县\ttuning\n002\t乙县\theldout\n003\t丙县\tfresh\n004\t丁县\ttuning\n005\t戊县\tfresh2\n006\t己县\tfresh3\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(train, "CORPUS", tmp_path)
    assert train.tuning_split() == [("001", "甲县"), ("004", "丁县")]


def test_retraining_gives_the_same_model_and_predictions(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    train.build(out)
    shipped, rebuilt = classifier.MODEL.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")
    fresh = classifier.Model.from_json(json.loads(rebuilt))
    model = classifier.load()
    assert model is not None
    examples = train.corpus_examples() + train.seed_examples()
    ctxs = [e.ctx for e in examples]
    assert [p[0] for p in fresh.predict(ctxs)] == [p[0] for p in model.predict(ctxs)]
    assert np.allclose([p[1] for p in fresh.predict(ctxs)], [p[1] for p in model.predict(ctxs)], atol=1e-3)
    assert json.loads(rebuilt)["labels"] == json.loads(shipped)["labels"]
    assert json.loads(rebuilt)["ranker"] == json.loads(shipped)["ranker"]  # ranker.py: the learnt choice among the candidates
    assert json.loads(rebuilt)["groups"] == json.loads(shipped)["groups"]  # the group classifier the ranker asks


def test_scoring_a_whole_report_at_once_equals_scoring_each_figure_alone() -> None:
    model = classifier.load()
    assert model is not None
    report = _seed("003_3df3524417f8c2a8")
    ctxs = classifier.contexts(report.text, report.figures)
    together = model.scores(ctxs)
    alone = np.vstack([model.scores([c]) for c in ctxs])
    assert np.allclose(together, alone)


def test_every_figure_has_a_confidence_and_the_dict_carries_it() -> None:
    report = _seed("004_857e671b3a9549fe")
    assert report.figures
    for f in report.figures:
        assert f.metric and f.metric_confidence is not None and 0.0 <= f.metric_confidence <= 1.0
        assert f.as_dict()["metric_confidence"] == f.metric_confidence
        assert f.low_confidence == (f.metric_confidence < LOW_CONFIDENCE)


def test_the_classifier_labels_a_figure_no_rule_knows_from_its_context() -> None:
    # 政府信息公开 statistics: no rule of metrics.yaml covers them; the corpus's tuning split does
    report = read_text("二、主动公开政府信息情况\n本年度共主动公开政府信息1520条，其中发布政策解读信息85条。", with_checks=False)
    by_quote = {f.quote: f for f in report.figures}
    assert by_quote["1520条"].metric == "主动公开政府信息条数"
    assert by_quote["1520条"].metric_confidence is not None


FALLBACK = {"rule": 0.1, "rule_backed": 0.7, "agree": 0.75}


@pytest.mark.parametrize(
    "predicted, probability, rule, definition, d_probability, expected",
    [
        ("甲", 0.9, "甲", "丙", 0.5, ("甲", 0.7, "rule")),  # a rule backed by the classifier: its label, the backed rules' precision
        ("甲", 0.05, "乙", "乙", 0.3, ("乙", 0.7, "rule")),  # a rule backed by the definition scorer
        ("甲", 0.05, "乙", "丙", 0.08, ("乙", 0.1, "rule")),  # a rule alone, nothing surer than a rule alone
        ("甲", 0.05, "乙", "丙", 0.6, ("丙", 0.6, "definition")),  # a rule alone, a surer definition overrides it
        ("甲", 0.2, None, "甲", 0.3, ("甲", 0.75, "agree")),  # no rule, both agree: the agreements' precision
        ("甲", 0.8, None, "丙", 0.9, ("甲", 0.8, "classifier")),  # no rule, the classifier sure enough (cut 0.7)
        ("甲", 0.4, None, "丙", 0.3, ("甲", 0.4, "classifier")),  # no rule, the classifier likelier right
        ("甲", 0.2, None, "丙", 0.3, ("丙", 0.3, "definition")),  # no rule, the definition scorer likelier right
        (None, 0.0, None, None, 0.0, (None, 0.0, "none")),  # nothing to say
    ],
)
def test_how_rules_classifier_and_definition_scorer_are_combined(
    predicted: str | None, probability: float, rule: str | None, definition: str | None, d_probability: float, expected: tuple[str | None, float, str]
) -> None:
    assert classifier.combine(predicted, probability, rule, definition, d_probability, 0.7, FALLBACK) == expected


def test_a_low_confidence_label_is_marked_in_chinese_on_the_page() -> None:
    report = read_text("全年受理案件31件，办结29件。", with_checks=False)
    first, second = report.figures
    first.metric, first.metric_confidence = "行政复议受理数", 0.2
    second.metric, second.metric_confidence = "行政复议审结数", 0.9
    html = str(annotated_html(report))
    assert html.count(LOW_CONFIDENCE_NOTE) == 1
    assert f'行政复议受理数</sup><small class="low-confidence">{LOW_CONFIDENCE_NOTE}</small>' in html
    assert "行政复议审结数</sup>" in html
    assert "（置信度 20%）" in html and "（置信度 90%）" in html


def test_without_a_model_file_the_rules_and_the_guess_label_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from fazhi.reader import labels

    monkeypatch.setattr(classifier, "load", lambda path=None: None)
    text = "全年受理行政复议案件31件。"
    figures = [Figure(10, 13, "31件", 31, "件", False, 10, 12)]
    labels.label_all(text, figures)
    assert figures[0].metric == "行政复议受理数" and figures[0].metric_confidence is None
