"""The matter events' values, with the personal ones encrypted at rest (fazhi/core/fieldcrypt.py),
and the re-encryption of everything a register stores encrypted (``fazhi keys rotate``, and the
migration that encrypted what was written before)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models, transaction

from fazhi.audit.appendonly import updates_lifted
from fazhi.core.fieldcrypt import FieldKeyError, decrypt, encrypt, encrypted_fields, is_encrypted, reencrypt_rows


def event_context(key: str) -> str:
    return f"event.{key}"


@cache
def personal_keys() -> frozenset[str]:
    """The names any register declares personal: the values an event records under them are
    encrypted (a name personal in one register is personal in all)."""
    from fazhi.registers.framework.registry import REGISTRY

    return frozenset(n for reg in REGISTRY.values() for n in reg.definition.personal_data)


def event_value_read(key: str, value: Any) -> Any:
    if not is_encrypted(value):
        return value
    try:
        return decrypt(value, event_context(key))
    except FieldKeyError:
        if key in personal_keys():
            raise
        return value  # text that merely looks like a stored value, in a field never encrypted


class EventValuesField(models.JSONField):
    """The before/after values of a matter event, the personal ones encrypted (see personal_keys).
    The audit leaf is made of the values as read (events.py digests the personal ones), so the
    leaves do not depend on the encryption, nor on the key."""

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            personal = personal_keys()
            value = {k: encrypt(v, event_context(k)) if k in personal and isinstance(v, str) and v else v for k, v in value.items()}
        return super().get_prep_value(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, dict):
            return {k: event_value_read(k, v) for k, v in value.items()}
        return value


def events_reencrypt(event_model: Any, registers: list[str], *, batch: int = 2000, progress: Any = None) -> int:
    """Write the events of these registers again (their personal values under the current key).
    The events' table refuses UPDATE: the refusal is lifted for each batch's transaction only;
    the values, hence the audit leaves, do not change."""
    table = event_model._meta.db_table
    done, last = 0, 0
    while True:
        rows = list(event_model._default_manager.filter(register__in=registers, pk__gt=last).order_by("pk").values_list("pk", "before", "after")[:batch])
        if not rows:
            return done
        objs = [event_model(pk=pk, before=before, after=after) for pk, before, after in rows]
        with transaction.atomic(), updates_lifted(table):
            event_model._default_manager.bulk_update(objs, ["before", "after"], batch_size=500)
        done += len(rows)
        last = rows[-1][0]
        if progress:
            progress(len(rows))


def registers_reencrypt(apps: Any = None, *, progress: Any = None) -> dict[str, int]:
    """Everything a register stores encrypted, written again under the current key: the
    personal fields of every register's matters, and their events. ``apps``: a migration's
    historical registry. Returns rows written per table."""
    from fazhi.registers.framework.registry import REGISTRY

    written: dict[str, int] = {}
    personal = [reg for reg in REGISTRY.values() if reg.definition.personal_data]
    for reg in personal:
        model = apps.get_model(reg.model._meta.app_label, reg.model._meta.model_name) if apps else reg.model
        names = [f.name for f in encrypted_fields(model)]
        if names:
            written[model._meta.db_table] = reencrypt_rows(model, names, progress=progress)
    event_model = apps.get_model("framework", "MatterEvent") if apps else _event_model()
    written[event_model._meta.db_table] = events_reencrypt(event_model, [reg.name for reg in personal], progress=progress)
    return written


def _event_model() -> Any:
    from fazhi.registers.framework.models import MatterEvent

    return MatterEvent
