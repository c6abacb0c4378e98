"""The canonical encoding of a matter event: the data of its audit leaf."""

from __future__ import annotations

from typing import Any

from fazhi.core.canonical import canonical_bytes, keyed_digest
from fazhi.registers.framework.models import GeneratedBatch, MatterEvent


def _digest(event_id: int, field: str, value: Any) -> Any:
    """Keyed digest of a personal value: binds the leaf to the row without disclosing the value."""
    if value in (None, ""):
        return value
    return keyed_digest(event_id, field, value)


def _protect(e: MatterEvent, values: dict[str, Any]) -> dict[str, Any]:
    from fazhi.registers.framework.registry import REGISTRY

    reg = REGISTRY.get(e.register)
    personal = set(reg.definition.personal_data) if reg else set()
    return {k: _digest(e.pk, k, v) if k in personal else v for k, v in values.items()}


def event_leaf_value(e: MatterEvent) -> dict[str, Any]:
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


def event_reencode(ids: list[int]) -> dict[int, bytes]:
    return {e.pk: event_leaf_bytes(e) for e in MatterEvent.objects.filter(pk__in=ids)}


def batch_leaf_bytes(b: GeneratedBatch) -> bytes:
    value = {"v": 1, "batch": b.pk, "register": b.register, "first_id": b.first_id, "last_id": b.last_id, "count": b.count}
    return canonical_bytes(value | {"template": b.template, "seed": b.seed, "created_at": b.created_at})


def batch_reencode(ids: list[int]) -> dict[int, bytes]:
    return {b.pk: batch_leaf_bytes(b) for b in GeneratedBatch.objects.filter(pk__in=ids)}
