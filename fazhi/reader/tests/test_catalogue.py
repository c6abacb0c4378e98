"""The definition scorer (issue 25, part 3): labels the classifier never saw, found from their
definitions; the unit as a hard filter; low confidence reported as such."""

from __future__ import annotations

from fazhi.reader import catalogue, classifier
from fazhi.reader.classifier import FigureContext
from fazhi.reader.document import read_text
from fazhi.reader.figures import LOW_CONFIDENCE


def _scorer() -> catalogue.DefinitionScorer:
    model = classifier.load()
    assert model is not None
    return catalogue.scorer(model.definition_platt)


def _entry(name: str) -> catalogue.Entry:
    return next(e for e in catalogue.load_catalogue() if e.name == name)


def test_the_catalogue_holds_labels_md_and_the_added_labels_with_groups_and_definitions() -> None:
    entries = {e.name: e for e in catalogue.load_catalogue()}
    assert entries["行政复议受理数"].group == "行政复议、行政诉讼/应诉"  # LABELS.md
    assert entries["政府信息公开申请办结数"].group == "政府信息公开"  # LABELS_ADDED.md
    assert all(e.definition for e in entries.values())
    assert "受理" in entries["行政复议受理数"].keywords  # a rule of metrics.yaml names it


def test_a_label_never_in_training_is_found_from_its_definition() -> None:
    model = classifier.load()
    assert model is not None
    name = "旁听庭审人数"  # defined in LABELS.md, absent from every annotation the classifier was trained on
    assert name not in model.labels
    ctx = FigureContext("组织领导干部旁听庭审", "组织领导干部旁听庭审#人次", "一、学法用法", "人次")
    label, probability, top, lead = _scorer().predict([ctx])[0]
    assert label == name and top > 0 and lead > 0 and probability >= LOW_CONFIDENCE
    (figure,) = read_text("一、学法用法\n组织领导干部旁听庭审120人次。", with_checks=False).figures
    assert figure.metric == name and not figure.low_confidence
    # the same words counted in 次 are the other label, 旁听庭审次数 (a count of sittings, not of people)
    (figure,) = read_text("一、学法用法\n组织领导干部旁听庭审3次。", with_checks=False).figures
    assert figure.metric == "旁听庭审次数"


def test_the_unit_filter_refuses_a_label_of_another_kind() -> None:
    scorer = _scorer()
    names = scorer.names
    # a rate's words, but a count of cases: the rate label is never proposed
    ctx = FigureContext("行政复议纠错率", "行政复议纠错率#", "", "件")
    scores = scorer.scores([ctx])[0]
    assert scores[names.index("行政复议纠错率")] < -1e8
    assert scorer.predict([ctx])[0][0] != "行政复议纠错率"
    # the same words as a share: the rate label is found
    assert scorer.predict([FigureContext("行政复议纠错率", "行政复议纠错率#", "", "%")])[0][0] == "行政复议纠错率"
    # people, days and sums of money only get labels counting them, and the other way round
    assert not catalogue.unit_compatible(_entry("法治培训人次"), "天")
    assert catalogue.unit_compatible(_entry("法治培训人次"), "人次")
    assert not catalogue.unit_compatible(_entry("审批办理时限"), "件")
    assert catalogue.unit_compatible(_entry("审批办理时限"), "个工作日")
    assert not catalogue.unit_compatible(_entry("行政复议受理数"), "人")
    assert not catalogue.unit_compatible(_entry("兑现政策资金"), "件") and catalogue.unit_compatible(_entry("兑现政策资金"), "万元")
    assert catalogue.unit_compatible(_entry("行政复议案件占比(按复议机关)"), "%")  # a bracketed breakdown keeps the kind
    # a measure word of things never counts people; 个 and a bare number may
    assert not catalogue.unit_compatible(_entry("述法人数"), "家") and not catalogue.unit_compatible(_entry("法治培训人次"), "场")
    assert catalogue.unit_compatible(_entry("述法人数"), "个") and catalogue.unit_compatible(_entry("述法人数"), "")
    assert catalogue.unit_compatible(_entry("述法单位数"), "家")


def test_a_context_that_says_little_gets_a_low_confidence() -> None:
    scorer = _scorer()
    vague = FigureContext("共计", "共计#", "", "个")
    clear = FigureContext("全年共收到行政赔偿申请", "全年共收到行政赔偿申请#件", "", "件")
    (_v_label, v_p, _, _), (c_label, c_p, _, _) = scorer.predict([vague, clear])
    assert c_label == "行政赔偿申请数" and c_p >= LOW_CONFIDENCE
    assert v_p < LOW_CONFIDENCE < c_p
    # through the whole reader: the figure is marked as low confidence
    (figure,) = read_text("共计12个。", with_checks=False).figures
    assert figure.metric_confidence is not None and figure.metric_confidence < LOW_CONFIDENCE and figure.low_confidence
    # a context sharing nothing with any label gets no label from the scorer at all
    assert scorer.predict([FigureContext("", "#", "", "个")])[0][:2] == (None, 0.0)


def test_scoring_many_figures_at_once_equals_scoring_each_alone() -> None:
    scorer = _scorer()
    ctxs = [
        FigureContext("全年共收到行政赔偿申请", "全年共收到行政赔偿申请#件", "一、行政复议", "件"),
        FigureContext("法治培训", "举办法治培训#人次", "二、学法", "人次"),
        FigureContext("全年共收到行政赔偿申请", "全年共收到行政赔偿申请#件", "一、行政复议", "件"),
    ]
    together = scorer.predict(ctxs)
    alone = [scorer.predict([c])[0] for c in ctxs]
    assert [t[0] for t in together] == [a[0] for a in alone]
    assert all(abs(t[1] - a[1]) < 1e-9 for t, a in zip(together, alone, strict=True))
