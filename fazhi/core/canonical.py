"""Canonical byte encoding used for audit leaves and published artefacts.

The encoding is JSON with keys sorted by code point, no insignificant white space, non-ASCII
characters written as UTF-8 (not escaped), and only these value types: ``None``, ``bool``,
``int``, ``str``, lists and string-keyed dicts. Dates, datetimes and decimals are turned into
strings by :func:`to_canonical_value` first; floats are refused because their text form is not
unique across implementations.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
from typing import Any


def to_canonical_value(value: Any, *, floats: bool = False) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if floats:
            return value
        raise TypeError("floats have no canonical encoding; use Decimal or int")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetimes have no canonical encoding")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"dict keys must be strings, got {key!r}")
            out[key] = to_canonical_value(item, floats=floats)
        return out
    if isinstance(value, (list, tuple)):
        return [to_canonical_value(item, floats=floats) for item in value]
    raise TypeError(f"no canonical encoding for {type(value).__name__}")


def canonical_bytes(value: Any, *, floats: bool = False) -> bytes:
    """``floats=True`` lets floats through as Python writes them: only for JSON already stored with
    floats (a report version's hand-typed 2021 table amounts, a JSON column bound by its digest),
    whose stored hashes must not change; new encodings keep floats out."""
    return json.dumps(to_canonical_value(value, floats=floats), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def keyed_digest(*parts: object) -> str:
    """HMAC-SHA256 under ``FAZHI_AUDIT_KEY`` of the parts joined by U+001F: what an audit leaf holds
    for a natural person's data, binding the leaf to the value without disclosing it."""
    from django.conf import settings

    msg = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return "hmac-sha256:" + hmac.new(settings.FAZHI_AUDIT_KEY.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def _stored_default(value: Any) -> Any:
    if type(value) is dt.datetime and value.tzinfo is dt.UTC:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, (dt.date, decimal.Decimal)):
        return to_canonical_value(value)
    raise TypeError(f"no canonical encoding for {type(value).__name__}")


def canonical_bytes_stored(value: Any) -> bytes:
    """The bytes :func:`canonical_bytes` gives, for re-encoding stored rows when the log is
    verified, without its walk over the value in Python (several times faster): the same bytes
    for every value canonical_bytes accepts; a value it refuses (a float someone wrote into a
    row) is encoded instead of refused, so it shows as a changed row, not as a crash."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_stored_default).encode("utf-8")
