"""The cross-validation's split of its figures into known and unknown labels (train.py)."""

from __future__ import annotations

from fazhi.reader import train
from fazhi.reader.classifier import FigureContext

CTX = FigureContext("", "", "", "件")


def _example(label: str, group: str) -> train.Example:
    return train.Example(CTX, label, group, None, group)


def test_a_label_is_known_only_where_another_jurisdiction_or_the_seeds_have_it() -> None:
    examples = [_example("甲数", "A"), _example("甲数", "A"), _example("乙数", "A"), _example("乙数", "B"), _example("丙数", "C")]
    seeds = [_example("丙数", "seed 000")]
    # 甲数 only in A's own fold: unknown; 乙数 in A and B: known to each; 丙数 in the seeds: known
    assert train.known_labels(examples, seeds) == [False, False, True, True, True]
    assert train.known_labels(examples, []) == [False, False, True, True, False]


def test_known_and_unknown_accuracies_are_weighted_as_the_held_out_split() -> None:
    line = train.known_unknown([True, False, True, False], [True, True, False, False])
    assert "known labels 0.500 (1/2), unknown labels 0.500 (1/2)" in line
    assert line.endswith("weighted 170:58 as the held-out split 0.500")
    line = train.known_unknown([True, True, False], [True, True, False])
    expected = train.HELDOUT_KNOWN / (train.HELDOUT_KNOWN + train.HELDOUT_UNKNOWN)
    assert line.endswith(f"{expected:.3f}")


def test_accuracy_is_split_by_where_the_label_is_defined() -> None:
    added = train.added_labels()
    assert "述法测评次数" in added and "行政复议纠错率" not in added  # LABELS_ADDED.md's, LABELS.md's
    labels = ["行政复议纠错率", "述法测评次数", "行政复议纠错率", "述法测评次数", "述法测评次数"]
    line = train.by_origin([True, False, False, True, True], [True, True, False, False, False], labels)
    assert line == (
        "known of LABELS.md 1.000 (1/1), known of LABELS_ADDED.md 0.000 (0/1), unknown of LABELS.md 0.000 (0/1), unknown of LABELS_ADDED.md 1.000 (2/2)"
    )


def test_the_runners_up_count_where_they_hold_the_right_label() -> None:
    ranked: list[tuple[str | None, float]] = [("甲数", 0.9), ("乙数", 0.3), ("乙数", 0.2), (None, 0.0)]
    runners_up = [["乙数"], ["甲数", "丙数"], ["丁数"], []]
    line = train.among_alternatives(ranked, runners_up, ["甲数", "丙数", "甲数", "甲数"])
    assert "all figures 4: the label right 1, the label or a runner-up 2 (0.500)" in line
    assert "the low-confidence ones (under 0.5) 3: the label right 0, the label or a runner-up 1 (0.333)" in line
