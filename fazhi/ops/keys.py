"""The key file of personal data at rest (fazhi/core/fieldcrypt.py): create it, see which key
each stored value uses, rotate (a new current key, every value written again under it) and
retire an old key once nothing needs it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.db import DatabaseError, connection

from fazhi.core.fieldcrypt import DEV_KEY_ID, PREFIX, FieldKeyError, _dev_ring, encrypted_fields, keyring, keyring_write, keys_path, new_key, new_key_id
from fazhi.registers.framework.fields import registers_reencrypt
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import REGISTRY
from fazhi.registers.framework.search import search_fields, search_rebuild


class KeyFileError(Exception):
    """A key operation refused, with the reason in Chinese."""


def _columns() -> list[tuple[str, str, bool]]:
    """(table, column, holds JSON) of every stored encrypted value."""
    out = []
    for model in django_apps.get_models():
        out += [(model._meta.db_table, f.column, False) for f in encrypted_fields(model)]
    out += [(MatterEvent._meta.db_table, c, True) for c in ("before", "after")]
    return out


def _key_ids_in(table: str, column: str, json: bool, key_ids: list[str]) -> Counter[str]:
    q = connection.ops.quote_name
    text = f"CAST({q(column)} AS text)" if json and connection.vendor == "postgresql" else q(column)
    counts: Counter[str] = Counter()
    with connection.cursor() as cursor:
        for kid in key_ids:
            pattern = f"%{PREFIX}{kid}${'%'}" if json else f"{PREFIX}{kid}${'%'}"
            cursor.execute(f"SELECT COUNT(*) FROM {q(table)} WHERE {text} LIKE %s", [pattern])
            counts[kid] += cursor.fetchone()[0]
    return counts


def key_usage(key_ids: list[str] | None = None) -> dict[str, int]:
    """Rows holding a value under each key (an event row with several values counts once per column)."""
    ids = key_ids if key_ids is not None else sorted(set(keyring().keys) | {DEV_KEY_ID})
    total: Counter[str] = Counter({k: 0 for k in ids})
    try:
        for table, column, json in _columns():
            total += _key_ids_in(table, column, json, ids)
    except DatabaseError:  # before the first migration: nothing is stored yet
        return {k: 0 for k in ids}
    return {k: total.get(k, 0) for k in ids}


def keys_init(path: Path | None = None) -> str:
    """Create the key file with a new key (and a new search index key). Values already written
    under the development key (a database migrated before the file existed) stay readable: the
    development key is kept as an old key, to rotate away from and retire; search digests taken
    under the development index key are taken again."""
    path = path or keys_path()
    if path.exists():
        raise KeyFileError(f"密钥文件 {path} 已存在；如需更换密钥请用 fazhi keys rotate")
    kid = new_key_id({})
    keys = {kid: new_key()}
    written_before = key_usage([DEV_KEY_ID])[DEV_KEY_ID] > 0
    if written_before:
        keys[DEV_KEY_ID] = _dev_ring().keys[DEV_KEY_ID]
    keyring_write(path, kid, keys, new_key())
    if written_before:  # the search digests were taken under the development index key
        for reg in REGISTRY.values():
            if search_fields(reg)[1]:
                search_rebuild(reg)
    return kid


def keys_rotate(progress: Any = None) -> tuple[str, dict[str, int]]:
    """A new current key in the file, then every stored value written again under it."""
    ring = keyring()
    if ring.is_development:
        raise KeyFileError(f"密钥文件 {keys_path()} 不存在：请先运行 fazhi keys init")
    kid = new_key_id(ring.keys)
    assert ring.path is not None
    keyring_write(ring.path, kid, {**ring.keys, kid: new_key()}, ring.index_key)
    if keyring().current != kid:
        raise FieldKeyError("新密钥未能生效")
    return kid, registers_reencrypt(progress=progress)


def keys_retire(kid: str) -> None:
    """Drop an old key from the file: refused for the current key, and while any value needs it."""
    ring = keyring()
    if ring.is_development or kid not in ring.keys:
        raise KeyFileError(f"密钥文件中没有密钥“{kid}”")
    if kid == ring.current:
        raise KeyFileError(f"“{kid}”是当前密钥，不能停用；请先 fazhi keys rotate")
    left = key_usage([kid])[kid]
    if left:
        raise KeyFileError(f"仍有 {left} 条记录使用密钥“{kid}”；请先 fazhi keys rotate 完成重新加密")
    assert ring.path is not None
    keyring_write(ring.path, ring.current, {k: v for k, v in ring.keys.items() if k != kid}, ring.index_key)
