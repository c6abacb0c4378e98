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
from fazhi.registers.enforcement.models import EnforcementCase, ImpunityFlag, PowerItem


def _transferred(cases: list[EnforcementCase]) -> set[int]:
    """The cases among ``cases`` with a transfer: the 两法衔接 register's rows pointing at them
    (through the foreign key's reverse relation: the enforcement register does not import the
    register built on it), or terminated by a transfer. One query for all of them."""
    rel: Any = EnforcementCase._meta.get_field("transfers")
    ids = [c.pk for c in cases]
    found = set(rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": ids}).values_list(rel.field.attname, flat=True))
    return found | {c.pk for c in cases if c.termination == "transferred"}


def impunity_check(case: EnforcementCase, *, on: dt.date) -> int:
    """Flag the case if it is a penalty above the threshold of its power item's offence,
    untransferred; the number of flags raised (0 or 1)."""
    return impunity_check_many([(case, on)])


def impunity_check_many(decisions: list[tuple[EnforcementCase, dt.date]]) -> int:
    """:func:`impunity_check` for many decisions at once, in a few queries (a ledger import's final
    write): the power items' offences, the transfers and the flags already raised read per batch,
    the new flags inserted together. Returns the number of flags raised."""
    penalties = [(c, on) for c, on in decisions if c.kind == "penalty" and c.outcome == "penalty_imposed" and c.amount_involved is not None]
    if not penalties:
        return 0
    offences = dict(PowerItem.objects.filter(pk__in={c.power_item_id for c, _ in penalties}).values_list("pk", "offence"))
    raised: dict[tuple[int, str], ImpunityFlag] = {}
    for case, on in penalties:
        offence = offences.get(case.power_item_id) or ""
        threshold = rules.threshold_for(offence, case.party_type, case.decided_on or on) if offence else None
        if threshold is None:
            continue
        assert case.amount_involved is not None
        if case.amount_involved >= threshold.amount:
            limit, citation = threshold.amount, threshold.reference
        elif threshold.suspicion_amount is not None and case.amount_involved >= threshold.suspicion_amount:
            limit = threshold.suspicion_amount
            citation = f"{threshold.suspicion_reference}：知识产权领域存在犯罪合理嫌疑的应当移送（立案追诉标准 {threshold.amount} 元，{threshold.reference}）"
        else:
            continue
        raised.setdefault(
            (case.pk, threshold.offence),
            ImpunityFlag(
                case_id=case.pk,
                offence=threshold.offence,
                offence_label=f"{threshold.label}（{threshold.article}）"[:100],
                threshold=limit,
                amount=case.amount_involved,
                citation=citation[:300],
                flagged_on=on,
            ),
        )
    if not raised:
        return 0
    transferred = _transferred([c for c, _ in penalties if c.pk in {pk for pk, _ in raised}])
    flags = [f for (pk, _), f in raised.items() if pk not in transferred]
    kept = set(ImpunityFlag.objects.filter(case_id__in={f.case_id for f in flags}).values_list("case_id", "offence"))
    new = [f for f in flags if (f.case_id, f.offence) not in kept]  # a flag is kept, never raised twice
    ImpunityFlag.objects.bulk_create(new)
    return len(new)


def impunity_clear(case: EnforcementCase, *, on: dt.date, reason: str) -> int:
    return ImpunityFlag.objects.filter(case=case, cleared_on__isnull=True).update(cleared_on=on, cleared_reason=reason)


def impunity_scan(cases: Iterable[EnforcementCase] | None = None, *, on: dt.date, progress: Callable[[int], None] | None = None) -> int:
    """Check every decided penalty case (or the given ones); returns the number of open flags."""
    qs: Any = cases
    if qs is None:
        qs = (
            EnforcementCase.objects.filter(kind="penalty", outcome="penalty_imposed", amount_involved__isnull=False)
            .exclude(power_item__offence="")
            .iterator(chunk_size=2000)
        )
    batch: list[tuple[EnforcementCase, dt.date]] = []
    for case in qs:
        batch.append((case, on))
        if len(batch) == 2000:
            impunity_check_many(batch)
            if progress:
                progress(len(batch))
            batch = []
    impunity_check_many(batch)
    if progress and batch:
        progress(len(batch))
    return ImpunityFlag.objects.filter(cleared_on__isnull=True).count()
