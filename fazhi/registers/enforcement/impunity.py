"""以罚代刑 detector: penalty cases whose amount reaches a criminal threshold with no transfer.

行政执法机关移送涉嫌犯罪案件的规定 第十一条 forbids replacing a transfer by a penalty. The
thresholds are dated data (definitions/enforcement/criminal_thresholds.yaml), judged on the case's
decision date. In the IP field (第三条第二款, 2020 revision) a reasonable suspicion is enough: the
case is flagged once its amount reaches the screening share of the threshold set in the same file.
A flag is kept, never deleted: a transfer recorded later clears it with the date and reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import EnforcementCase, ImpunityFlag


def _has_transfer(case: EnforcementCase) -> bool:
    # the 两法衔接 register's transfers of this case, through its foreign key's reverse relation
    # (the enforcement register does not import the register built on it)
    return bool(case.transfers.exists()) or case.termination == "transferred"  # type: ignore[attr-defined]


def impunity_check(case: EnforcementCase, *, on: dt.date) -> ImpunityFlag | None:
    """Flag the case if it is a penalty above the threshold of its power item's offence, untransferred."""
    if case.kind != "penalty" or case.outcome != "penalty_imposed" or case.amount_involved is None or not case.power_item.offence:
        return None
    threshold = rules.threshold_for(case.power_item.offence, case.party_type, case.decided_on or on)
    if threshold is None:
        return None
    if case.amount_involved >= threshold.amount:
        limit, citation = threshold.amount, threshold.reference
    elif threshold.suspicion_amount is not None and case.amount_involved >= threshold.suspicion_amount:
        limit = threshold.suspicion_amount
        citation = f"{threshold.suspicion_reference}：知识产权领域存在犯罪合理嫌疑的应当移送（立案追诉标准 {threshold.amount} 元，{threshold.reference}）"
    else:
        return None
    if _has_transfer(case):
        return None
    flag, _ = ImpunityFlag.objects.get_or_create(
        case=case,
        offence=threshold.offence,
        defaults={
            "offence_label": f"{threshold.label}（{threshold.article}）"[:100],
            "threshold": limit,
            "amount": case.amount_involved,
            "citation": citation[:300],
            "flagged_on": on,
        },
    )
    return flag


def impunity_clear(case: EnforcementCase, *, on: dt.date, reason: str) -> int:
    return ImpunityFlag.objects.filter(case=case, cleared_on__isnull=True).update(cleared_on=on, cleared_reason=reason)


def impunity_scan(cases: Iterable[EnforcementCase] | None = None, *, on: dt.date, progress: Callable[[int], None] | None = None) -> int:
    """Check every decided penalty case (or the given ones); returns the number of open flags."""
    qs: Any = cases
    if qs is None:
        qs = (
            EnforcementCase.objects.filter(kind="penalty", outcome="penalty_imposed", amount_involved__isnull=False)
            .exclude(power_item__offence="")
            .select_related("power_item")
            .iterator(chunk_size=2000)
        )
    for case in qs:
        impunity_check(case, on=on)
        if progress:
            progress(1)
    return ImpunityFlag.objects.filter(cleared_on__isnull=True).count()
