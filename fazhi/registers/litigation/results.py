"""What a lawsuit came to for the agency, instance by instance, and the lawsuit's final result.

One record per instance (一审 / 二审 / 再审); a second instance names the first by its court
case number (``prior_case_number`` = the first's ``court_case_number``), and a first instance
retried after 发回重审 names the second the same way.

- A first instance (or a retrial) is won, lost or other by the kind of its judgment or ruling
  (the outcome's group in the register definition: upheld, corrected, other).
- A second instance depends on the first-instance result and on who appealed (行政诉讼法
  art.89): 驳回上诉、维持原判 and 准许撤回上诉 leave the first-instance result standing; 改判、
  撤销或者变更 turns it in favour of the appellant; 发回重审 (and an order to hear a dismissed suit)
  leaves the lawsuit undecided until the retrial.
- The lawsuit counts by the last instance that decided it: a record whose decision was appealed
  (``appealed_on``) no longer counts; the appeal record does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.registers.framework.registry import REGISTRY
from fazhi.registers.litigation.models import AgencyResult, Appellant, Instance

WON, LOST, OTHER, UNDECIDED = AgencyResult.WON.value, AgencyResult.LOST.value, AgencyResult.OTHER.value, ""
APPEAL_STANDS = {"appeal_dismissed", "appeal_withdrawn"}  # 驳回上诉、维持原裁判; 准许撤回上诉
APPEAL_ONLY = APPEAL_STANDS | {"appeal_varied", "remanded"}
GROUP_RESULT = {"upheld": WON, "corrected": LOST}


def decision_result(outcome: str) -> str:
    """A first-instance (or retrial) decision, by the kind of judgment or ruling."""
    o = REGISTRY["litigation"].definition.outcomes.get(outcome)
    return GROUP_RESULT.get(o.group if o else "", OTHER)


def appeal_result(outcome: str, first: str, appellant: str) -> str | None:
    """A second-instance decision for the agency; None when the record alone cannot tell (改判
    where both sides or a third party appealed)."""
    if outcome in APPEAL_STANDS:
        return first
    if outcome == "remanded":
        return UNDECIDED
    if outcome == "appeal_varied":
        if first == OTHER:
            # a dismissal or refusal set aside on appeal: the suit goes back to be heard
            return UNDECIDED
        if appellant == Appellant.AGENCY:
            return WON
        if appellant == Appellant.PLAINTIFF:
            return LOST
        return None
    return OTHER  # 原审原告撤回起诉、调解、二审撤销原判驳回起诉


def result_for(case: Any, outcome: str, stated: str = "") -> tuple[str, str]:
    """(result, error) of a decision recorded on ``case``; ``stated`` is what the clerk entered."""
    if case.instance != Instance.SECOND:
        derived: str | None = decision_result(outcome)
    else:
        derived = appeal_result(outcome, case.first_instance_result, case.appellant)
    if derived is None:
        if not stated:
            return "", "本机关和对方当事人均上诉（或第三人上诉）且二审改判的，请选择裁判结果（对本机关）"
        return stated, ""
    if outcome == "appeal_varied" and case.appellant == Appellant.AGENCY and stated == LOST:
        return LOST, ""  # 改判 may still find against the agency (e.g. 撤销 changed to 确认违法)
    if stated and stated != derived:
        label = dict(AgencyResult.choices).get(derived, "尚未审结（发回重审或指令继续审理）")
        return "", f"根据一审结果、上诉人和二审裁判方式，本案对本机关的结果应为“{label}”（《行政诉讼法》第八十九条）"
    return derived, ""


def lawsuit_result(first: Any, end: dt.date, records: list[Any]) -> str:
    """The result at ``end`` of the lawsuit that began with ``first`` (won, lost, other or
    pending): the last decision made by then along its chain of instances. ``records``: the
    records that may continue it (those naming a prior case number)."""
    by_prior: dict[str, list[Any]] = {}
    for r in records:
        if r.prior_case_number:
            by_prior.setdefault(r.prior_case_number, []).append(r)
    current, seen = first, {first.pk}
    while True:
        if current.judged_on is None or current.judged_on > end:
            return "pending"
        appealed = current.appealed_on is not None and current.appealed_on <= end
        if not appealed and current.agency_result != UNDECIDED:
            return str(current.agency_result)
        # appealed, or sent back (发回重审): undecided until the next instance decides
        later = [r for r in by_prior.get(current.court_case_number, []) if r.pk not in seen and r.received_on <= end] if current.court_case_number else []
        if not later:
            return "pending"
        current = max(later, key=lambda r: (r.received_on, r.pk))
        seen.add(current.pk)
