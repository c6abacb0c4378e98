"""Rows written in bulk, for every bulk writer (the ledger import's final write, the audit log's
batch append, the city-scale generator): PostgreSQL's COPY, executemany elsewhere.

The values are already as the database takes them (a field's ``get_db_prep_save``); ids are
given by the caller (:func:`ids_take`), so nothing has to be read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, connections, models


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


# Fields whose value, when it is exactly of the type below, goes to the database as it is: their
# get_db_prep_save returns it unchanged. Exact classes only: a subclass (an encrypted text field)
# converts its value and takes the full path.
_AS_IS: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.BooleanField: (bool,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
}


def db_values(fields: Sequence[models.Field[Any, Any]]) -> Callable[[models.Model, bool], tuple[Any, ...]]:
    """A function giving an object's values of ``fields`` as the database takes them (what
    ``field.get_db_prep_save(field.pre_save(obj, add), connection)`` gives, field by field),
    with the field's conversion skipped where it would return the value unchanged: plain text,
    numbers and foreign keys to an integer id (bulk writers convert hundreds of thousands)."""
    conn = connections[connection.alias]  # the wrapper itself: each attribute of the proxy is a lookup
    plans: list[tuple[models.Field[Any, Any], str, tuple[type, ...]]] = []
    samples: dict[type, Any] = {str: "x", int: 1, bool: True}
    for f in fields:
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        kinds = _AS_IS.get(type(target), ()) if not (isinstance(f, models.ForeignKey) and type(f) is not models.ForeignKey) else ()
        # the backend may still wrap the value (PostgreSQL: integers as psycopg's Int2/Int4/Int8)
        kinds = tuple(k for k in kinds if type(f.get_db_prep_save(samples[k], conn)) is k)
        plans.append((f, f.attname, kinds))

    def values(obj: models.Model, add: bool) -> tuple[Any, ...]:
        out = []
        for f, attname, kinds in plans:
            if kinds:
                value = getattr(obj, attname)
                if value is None or type(value) in kinds:
                    out.append(value)
                    continue
            out.append(f.get_db_prep_save(f.pre_save(obj, add), conn))
        return tuple(out)

    return values
