"""The canonical encoding of a matter event: the data of its audit leaf."""

from __future__ import annotations

from typing import Any

from fazhi.core.canonical import canonical_bytes
from fazhi.registers.framework.models import MatterEvent


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
        "before": e.before,
        "after": e.after,
        "note": e.note,
    }


def event_leaf_bytes(e: MatterEvent) -> bytes:
    return canonical_bytes(event_leaf_value(e))


def event_reencode(ids: list[int]) -> dict[int, bytes]:
    return {e.pk: event_leaf_bytes(e) for e in MatterEvent.objects.filter(pk__in=ids)}
