"""Rows written in bulk, for every bulk writer (the ledger import's final write, the audit log's
batch append, the city-scale generator): PostgreSQL's COPY, executemany elsewhere.

The values are already as the database takes them (a field's ``get_db_prep_save``); ids are
given by the caller (:func:`ids_take`), so nothing has to be read back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction


def rows_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 2000) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``."""
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's errors (IntegrityError for a unique index...), as its own statements raise them
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
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


def values_ready(values: Iterable[Any]) -> tuple[Any, ...]:
    """A row's values (each a field's ``get_db_prep_save``) as the insert sends them, the costly
    part done now, before the write's transaction: on PostgreSQL, JSON values (psycopg's wrappers)
    dumped to their text, which the server reads for a jsonb column (else COPY dumps them row by
    row in the transaction)."""
    if connection.vendor != "postgresql":
        return tuple(values)
    from psycopg.types.json import Json, Jsonb

    return tuple((v.dumps or json.dumps)(v.obj) if isinstance(v, (Json, Jsonb)) else v for v in values)


def ids_take(model: type[models.Model], n: int) -> list[int]:
    """``n`` new ids of ``model``'s table, in order, reserved for the caller: from the table's
    sequence (PostgreSQL, outside any transaction as well), or (SQLite, whose tables count their
    ids in ``sqlite_sequence``: AUTOINCREMENT) past the highest id ever given, with the table's
    counter raised past them in a short write of its own (a savepoint inside the caller's
    transaction). Either way they can be taken before the transaction that writes the rows, so
    that it does not hold the office's locks while they are counted; a write that then fails
    leaves a gap, as PostgreSQL's sequences do."""
    if n <= 0:
        return []
    table, pk = model._meta.db_table, str(model._meta.pk.column)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [int(r[0]) for r in cur.fetchall()]
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT MAX({q(pk)}) FROM {q(table)}")
        highest = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(highest, int(row[0]) if row else 0) + 1
        if row:
            cur.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + n - 1, table])
        else:
            cur.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + n - 1])
    return list(range(start, start + n))
