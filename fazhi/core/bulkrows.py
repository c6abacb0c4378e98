"""Rows written in bulk, for every bulk writer (the ledger import's final write, the audit log's
batch append, the city-scale generator): PostgreSQL's COPY, executemany elsewhere.

The values are already as the database takes them (a field's ``get_db_prep_save``); ids are
given by the caller (:func:`ids_take`), so nothing has to be read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def rows_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 2000) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``."""
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        insert = f"INSERT INTO {q(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        chunk: list[Sequence[Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(insert, chunk)
                chunk = []
        if chunk:
            cursor.executemany(insert, chunk)


def ids_take(model: type[models.Model], n: int) -> list[int]:
    """``n`` new ids of ``model``'s table, in order: from the table's sequence (PostgreSQL), or past
    the highest id ever given (SQLite, whose write lock the caller's transaction must hold)."""
    if n <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("ids are taken inside the transaction that writes the rows")
    table, pk = model._meta.db_table, str(model._meta.pk.column)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [int(r[0]) for r in cur.fetchall()]
        q = connection.ops.quote_name
        cur.execute(f"SELECT MAX({q(pk)}) FROM {q(table)}")
        highest = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(highest, int(row[0]) if row else 0) + 1
        return list(range(start, start + n))
