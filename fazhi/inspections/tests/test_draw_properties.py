"""Properties of the 双随机 draw that must hold for every seed and every directory, not one.

The example tests use one seed; with it the branch that drops a conflicted inspector happened
never to decide anything (replacing the conflict filter by "all inspectors" passed them all).
Here hypothesis draws the directories, the conflicts, the parameters and the seed.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.inspections.draw import DrawError, run_draw


@st.composite
def draws(draw: Any) -> dict[str, Any]:
    n_subjects = draw(st.integers(1, 30))
    subject_ids = draw(st.lists(st.integers(1, 10_000), min_size=n_subjects, max_size=n_subjects, unique=True))
    inspector_ids = draw(st.lists(st.integers(1, 500), min_size=2, max_size=9, unique=True))
    cap = draw(st.integers(1, 3))
    subjects = [{"id": s, "credit_code": f"C{s}", "prior": draw(st.integers(0, cap))} for s in subject_ids]
    pairs = [[i, s] for i in inspector_ids for s in subject_ids]
    conflicts = draw(st.lists(st.sampled_from(pairs), unique_by=lambda p: (p[0], p[1]), max_size=len(pairs))) if pairs else []
    return {
        "parameters": {
            "plan": 1,
            "name": "计划",
            "ratio": str(draw(st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("1")]))),
            "cap_per_subject_per_year": cap,
            "inspectors_per_subject": draw(st.integers(2, 3)),
        },
        "seed": {"source": "测试", "value": draw(st.text(min_size=1, max_size=12))},
        "subjects": subjects,
        "inspectors": [{"id": i, "certificate": f"Z{i}"} for i in inspector_ids],
        "conflicts": conflicts,
    }


@settings(max_examples=300, deadline=None)
@given(draws())
def test_a_draw_never_sends_a_conflicted_inspector_and_keeps_its_counts(inputs: dict[str, Any]) -> None:
    params = inputs["parameters"]
    per_subject, cap = params["inspectors_per_subject"], params["cap_per_subject_per_year"]
    conflicts = {(i, s) for i, s in inputs["conflicts"]}
    inspectors = {i["id"] for i in inputs["inspectors"]}
    eligible = {s["id"] for s in inputs["subjects"] if s["prior"] < cap}
    try:
        result = run_draw(inputs)
    except DrawError:
        # refused only when some subject really lacks free inspectors
        assert any(len([i for i in inspectors if (i, s) not in conflicts]) < per_subject for s in eligible)
        return
    selected = [row["subject"] for row in result["selected"]]
    assert result["eligible"] == len(eligible)
    assert len(selected) == len(set(selected)) == math.ceil(len(eligible) * Decimal(params["ratio"]))
    assert set(selected) <= eligible  # a subject at its yearly cap is never drawn again
    for row in result["selected"]:
        chosen = row["inspectors"]
        assert len(chosen) == len(set(chosen)) == per_subject
        assert set(chosen) <= inspectors
        assert not any((i, row["subject"]) in conflicts for i in chosen)
    assert run_draw(inputs) == result  # anyone re-running it gets the same


@settings(max_examples=100, deadline=None)
@given(draws(), st.data())
def test_when_conflicts_leave_exactly_enough_inspectors_those_are_the_ones_sent(inputs: dict[str, Any], data: Any) -> None:
    """The conflict filter decides: each subject conflicts with every inspector but a chosen few."""
    per_subject = inputs["parameters"]["inspectors_per_subject"]
    ids = [i["id"] for i in inputs["inspectors"]]
    if len(ids) < per_subject + 1:
        ids.extend(range(900_001, 900_001 + per_subject + 1 - len(ids)))
        inputs["inspectors"] = [{"id": i, "certificate": f"Z{i}"} for i in ids]
    free = {s["id"]: set(data.draw(st.lists(st.sampled_from(ids), min_size=per_subject, max_size=per_subject, unique=True))) for s in inputs["subjects"]}
    inputs["conflicts"] = [[i, s] for s, keep in free.items() for i in ids if i not in keep]
    for s in inputs["subjects"]:
        s["prior"] = 0  # every subject eligible: the ratio draws at least one
    result = run_draw(inputs)
    assert result["selected"]
    for row in result["selected"]:
        assert set(row["inspectors"]) == free[row["subject"]]


def test_fewer_free_inspectors_than_required_is_refused_in_words() -> None:
    inputs = {
        "parameters": {"plan": 1, "name": "计划", "ratio": "1", "cap_per_subject_per_year": 1, "inspectors_per_subject": 2},
        "seed": {"source": "测试", "value": "1"},
        "subjects": [{"id": 7, "credit_code": "C7", "prior": 0}],
        "inspectors": [{"id": 1, "certificate": "Z1"}, {"id": 2, "certificate": "Z2"}],
        "conflicts": [[1, 7]],
    }
    with pytest.raises(DrawError, match="不足 2 名"):
        run_draw(inputs)
