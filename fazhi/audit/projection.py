"""Tables kept with a change log: each row must still hold what its change rows last recorded.

Several apps keep plain tables (the 法律顾问 directory, the 普法 lists and registers, the 学法 and
述法 records) and write, with every change, an append-only change row holding the values as
written, which is an audit leaf. ``records_check`` replays those values per record, in the order
written, and compares each with the row as it is now: a row changed in the database without a
change row, a row deleted while its changes remain, or a row that never had one, is reported.
Messages name the table, the record number and the fields, never a value (names of natural persons
live in some of these tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models


def records_check(
    *, label: str, model: type[models.Model], changes: Iterable[tuple[int, dict[str, Any]]], encode: Callable[[Any], Any]
) -> tuple[int, list[str]]:
    """``changes``: (record id, values recorded) in the order written; ``encode``: how the app turned
    a field's value into what it recorded. Returns (rows checked, problems)."""
    replay: dict[int, dict[str, Any]] = {}
    for record_id, data in changes:
        replay.setdefault(record_id, {}).update(data)
    problems: list[str] = []
    seen: set[int] = set()
    count = 0
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=2000):
        count += 1
        seen.add(obj.pk)
        values = replay.get(obj.pk)
        if values is None:
            problems.append(f"{label} #{obj.pk} 没有任何变更记录（记录未经登记写入）")
            continue
        wrong = [_label(model, k) for k, v in values.items() if encode(getattr(obj, k)) != v]
        if wrong:
            problems.append(f"{label} #{obj.pk}：{'、'.join(wrong)} 与其变更记录不符（记录未经登记被改动）")
    for record_id in sorted(replay.keys() - seen):
        problems.append(f"{label} #{record_id} 已被删除，但其变更记录仍在日志中")
    return count, problems


def _label(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))
