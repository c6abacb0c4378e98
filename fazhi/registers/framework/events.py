"""The canonical encoding of a matter event: the data of its audit leaf."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any

from fazhi.core.canonical import canonical_bytes, canonical_bytes_stored, keyed_digest
from fazhi.registers.framework.models import GeneratedBatch, MatterEvent


def _digest(event_id: int, field: str, value: Any) -> Any:
    """Keyed digest of a personal value: binds the leaf to the row without disclosing the value."""
    if value in (None, ""):
        return value
    return keyed_digest(event_id, field, value)


def _protect(e: Any, values: dict[str, Any]) -> dict[str, Any]:
    personal = _personal(e.register)
    if not personal:
        return values
    return {k: _digest(e.pk, k, v) if k in personal else v for k, v in values.items()}


@cache
def _personal(register: str) -> frozenset[str]:
    from fazhi.registers.framework.registry import REGISTRY

    reg = REGISTRY.get(register)
    return frozenset(reg.definition.personal_data) if reg else frozenset()


def event_leaf_value(e: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "event": e.pk,
        "register": e.register,
        "matter": e.object_id,
        "case_number": e.case_number,
        "transition": e.transition,
        "actor": e.actor_id,
        "unit": e.unit_id,
        "occurred_at": e.occurred_at,
        "event_date": e.event_date,
        "state_before": e.state_before,
        "state_after": e.state_after,
        "before": _protect(e, e.before),
        "after": _protect(e, e.after),
        "note": e.note,
    }


def event_leaf_bytes(e: MatterEvent) -> bytes:
    return canonical_bytes(event_leaf_value(e))


# the columns a leaf is made of, read as tuples (no model instances: verification reads millions)
_LEAF_COLUMNS = (
    "pk",
    "register",
    "object_id",
    "case_number",
    "transition",
    "actor_id",
    "unit_id",
    "occurred_at",
    "event_date",
    "state_before",
    "state_after",
    "before",
    "after",
    "note",
)


def event_reencode(ids: list[int]) -> dict[int, bytes]:
    """The leaf bytes of these events as their rows now give them (verification)."""
    out: dict[int, bytes] = {}
    for row in rows_by_ids(MatterEvent.objects.all(), ids, _LEAF_COLUMNS):
        e = SimpleNamespace(**dict(zip(_LEAF_COLUMNS, row, strict=True)))
        out[e.pk] = canonical_bytes_stored(event_leaf_value(e))  # type: ignore[arg-type]
    return out


def rows_by_ids(qs: Any, ids: list[int], columns: tuple[str, ...]) -> Any:
    """``columns`` of the rows with these ids: by a range of keys when the ids are nearly
    contiguous (a log appends in key order), by a list otherwise."""
    if ids and max(ids) - min(ids) < 2 * len(ids):
        wanted = set(ids)
        return (r for r in qs.filter(pk__gte=min(ids), pk__lte=max(ids)).values_list(*columns).iterator(chunk_size=2000) if r[0] in wanted)
    return qs.filter(pk__in=ids).values_list(*columns)


def batch_leaf_bytes(b: GeneratedBatch) -> bytes:
    value = {"v": 1, "batch": b.pk, "register": b.register, "first_id": b.first_id, "last_id": b.last_id, "count": b.count}
    return canonical_bytes(value | {"template": b.template, "seed": b.seed, "created_at": b.created_at})


def batch_reencode(ids: list[int]) -> dict[int, bytes]:
    return {b.pk: batch_leaf_bytes(b) for b in GeneratedBatch.objects.filter(pk__in=ids)}
