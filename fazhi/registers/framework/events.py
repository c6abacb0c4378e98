"""The canonical encoding of a matter event: the data of its audit leaf."""

from __future__ import annotations

import binascii
import hmac
from functools import cache
from types import SimpleNamespace
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import connection

from fazhi.core.canonical import canonical_bytes, canonical_bytes_stored, keyed_digest
from fazhi.core.fieldcrypt import PREFIX, FieldKeyError, FieldKeyMissing, keyring, ring_decrypt
from fazhi.registers.framework.fields import event_context, personal_keys
from fazhi.registers.framework.models import GeneratedBatch, MatterEvent

PREFIX_BYTES = PREFIX.encode("ascii")


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


def event_reencode_exact(ids: list[int]) -> dict[int, bytes]:
    """The leaf bytes of these events as their rows now give them, read through the model's fields
    (the definition of what a row says). A row that cannot be read (a value that no longer
    decrypts, a date that is no date) gives empty bytes: it no longer matches its leaf."""
    out: dict[int, bytes] = {}
    try:
        for row in rows_by_ids(MatterEvent.objects.all(), ids, _LEAF_COLUMNS):
            e = SimpleNamespace(**dict(zip(_LEAF_COLUMNS, row, strict=True)))
            out[e.pk] = canonical_bytes_stored(event_leaf_value(e))  # type: ignore[arg-type]
        return out
    except (FieldKeyError, ValueError, TypeError):
        pass
    for pk in ids:  # one row at a time, to tell the unreadable ones (only after a failure: rare)
        try:
            out |= event_reencode_exact_one(pk)
        except FieldKeyMissing:
            raise  # the key file, not the row: the verification cannot go on without the key
        except (FieldKeyError, ValueError, TypeError):
            out[pk] = b""
    return out


def event_reencode_exact_one(pk: int) -> dict[int, bytes]:
    return {
        row[0]: canonical_bytes_stored(event_leaf_value(SimpleNamespace(**dict(zip(_LEAF_COLUMNS, row, strict=True)))))
        for row in MatterEvent.objects.filter(pk=pk).values_list(*_LEAF_COLUMNS)
    }


# --- the same bytes at the speed of the database driver (verification reads millions) ----------
#
# The rows are read as the driver gives them (no model fields, no converters): the dates as text
# in the leaf's own form (PostgreSQL's to_char; SQLite's stored text rewritten by position), the
# before/after values parsed and the whole encoded by orjson (the same bytes as json's canonical
# form for every value it accepts: sorted keys, no spaces, UTF-8; it refuses NaN and infinities,
# which json would read), only the personal values decrypted and digested. Equal bytes from this
# path imply equal values (each field written in the leaf's own format), so a row that matches
# here matches through the model's fields; every row that does not is encoded again by
# event_reencode_exact, which decides.


def _fast_select() -> str:
    t = MatterEvent._meta.db_table
    if connection.vendor == "postgresql":
        occurred, day = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", "to_char(event_date, 'YYYY-MM-DD')"
        before, after = "before::text", "after::text"
    else:
        # as text: a column's declared type would have the driver parse it (Django registers converters)
        occurred, day = "CAST(occurred_at AS text)", "CAST(event_date AS text)"
        before, after = "before", "after"
    columns = f"id, register, object_id, case_number, transition, actor_id, unit_id, {occurred}, {day}, state_before, state_after, {before}, {after}, note"
    return f"SELECT {columns} FROM {t}"


def _fast_rows(ids: list[int]) -> list[tuple[Any, ...]]:
    sql = _fast_select()
    with connection.cursor() as cur:
        if max(ids) - min(ids) < 2 * len(ids):
            cur.execute(f"{sql} WHERE id >= %s AND id <= %s", [min(ids), max(ids)])
            wanted = set(ids)
            return [r for r in cur.fetchall() if r[0] in wanted]
        out: list[tuple[Any, ...]] = []
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            cur.execute(f"{sql} WHERE id IN ({','.join(['%s'] * len(part))})", part)
            out += cur.fetchall()
        return out


_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _protect_fast(pk: int, values: dict[str, Any], keys: frozenset[str], mine: frozenset[str], ring: Any, mac_key: bytes) -> None:
    """The personal values of one event's before/after as its leaf holds them, in place: decrypted
    (every name some register declares personal is stored encrypted), then digested if this
    register declares it personal (keyed_digest's HMAC, in one call)."""
    for k in keys:
        v = values[k]
        if isinstance(v, str) and v.startswith(PREFIX):
            key_id, data = v[len(PREFIX) :].split("$", 1)
            raw = binascii.a2b_base64(data.encode("ascii").translate(_URLSAFE) + b"=" * (-len(data) % 4))  # urlsafe_b64decode
            v = ring_decrypt(ring, key_id, raw, event_context(k))
        if k in mine and v not in (None, ""):
            v = "hmac-sha256:" + hmac.digest(mac_key, f"{pk}\x1f{k}\x1f{v}".encode(), "sha256").hex()
        values[k] = v


def event_reencode(ids: list[int]) -> dict[int, bytes]:
    """The leaf bytes of these events as their rows now give them (verification), fast. A row this
    path cannot read, or whose bytes hold text that looks encrypted where nothing is decrypted (the
    model's fields would try to decrypt it), gives empty bytes; every row that does not match its
    leaf is asked again of event_reencode_exact."""
    if not ids:
        return {}
    sqlite = connection.vendor == "sqlite"
    personal = personal_keys()
    ring = keyring()
    mac = settings.FAZHI_AUDIT_KEY.encode("utf-8")
    loads, dumps, sort = orjson.loads, orjson.dumps, orjson.OPT_SORT_KEYS
    out: dict[int, bytes] = {}
    for pk, register, matter, case_number, transition, actor, unit, occurred, day, s_before, s_after, before, after, note in _fast_rows(ids):
        if sqlite and isinstance(occurred, str) and len(occurred) == 26 and occurred[10] == " ":
            occurred = occurred[:10] + "T" + occurred[11:] + "Z"  # Django's stored UTC text, in the leaf's form
        try:
            before, after = loads(before), loads(after)
            if type(before) is dict and type(after) is dict:
                mine = _personal(register)
                if keys := personal.intersection(before):
                    _protect_fast(pk, before, keys, mine, ring, mac)
                if keys := personal.intersection(after):
                    _protect_fast(pk, after, keys, mine, ring, mac)
            value = {
                "v": 1,
                "event": pk,
                "register": register,
                "matter": matter,
                "case_number": case_number,
                "transition": transition,
                "actor": actor,
                "unit": unit,
                "occurred_at": occurred,
                "event_date": day,
                "state_before": s_before,
                "state_after": s_after,
                "before": before,
                "after": after,
                "note": note,
            }
            data = dumps(value, option=sort)
        except (ValueError, TypeError, InvalidTag, FieldKeyError):  # orjson's errors are ValueError/TypeError
            data = b""
        out[pk] = b"" if PREFIX_BYTES in data else data
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
