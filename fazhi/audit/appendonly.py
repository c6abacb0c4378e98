"""Database-level refusal of UPDATE and DELETE on log rows (migrations use this).

PostgreSQL refuses both with a row trigger. SQLite refuses UPDATE with a trigger, and DELETE with
a trigger whose condition calls ``fazhi_log_maintenance()``, a function this process registers on
each of its connections: it answers 0 except inside :func:`log_maintenance` (Django's test flush
deletes rows on SQLite and runs inside it). Any other client of the file (the ``sqlite3`` shell,
another program) does not have the function, so its DELETE fails as well. Someone who can drop
the triggers can still change the log; ``fazhi audit verify --against`` a checkpoint held outside
the database detects that.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import migrations
from django.db.backends.signals import connection_created
from django.dispatch import receiver

# An UPDATE passes only inside a transaction that named the table (updates_lifted: re-encryption)
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION fazhi_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('fazhi.update_allowed', true) = TG_TABLE_NAME THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql;
"""

_maintenance = 0


@contextlib.contextmanager
def log_maintenance() -> Iterator[None]:
    """Lift the SQLite DELETE guard for this process (test database flushes only)."""
    global _maintenance
    _maintenance += 1
    try:
        yield
    finally:
        _maintenance -= 1


def maintenance_set(on: bool) -> None:
    """For the test session: Django's flush between transactional tests deletes every row."""
    global _maintenance
    _maintenance = 1 if on else 0


@receiver(connection_created)
def _sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("fazhi_log_maintenance", 0, lambda: 1 if _maintenance else 0)


def _sqlite_update_trigger(table: str) -> str:
    refuse = f"SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused')"
    return f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} BEGIN {refuse}; END"


def _sqlite_delete_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_delete BEFORE DELETE ON {table} WHEN fazhi_log_maintenance() = 0 "
        f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: DELETE refused'); END"
    )


def _forward(tables: list[str], *, update: bool = True, delete: bool = True) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql" and update:
                schema_editor.execute(PG_FUNCTION, params=None)
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change()"
                )
            elif vendor == "sqlite":
                if update:
                    schema_editor.execute(_sqlite_update_trigger(table))
                if delete:
                    schema_editor.execute(_sqlite_delete_trigger(table))

    return run


def _backward(tables: list[str], *, update: bool = True, delete: bool = True) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql" and update:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif vendor == "sqlite":
                if update:
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
                if delete:
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")

    return run


@contextlib.contextmanager
def updates_lifted(table: str) -> Iterator[None]:
    """UPDATE allowed on an append-only table inside the caller's transaction, and refused again
    before it commits: for writing stored values again whose meaning, hence audit leaf, does not
    change (re-encryption under a new key). PostgreSQL: a transaction-local setting names the
    table, and the trigger lets its UPDATEs pass (never a DELETE). SQLite: the trigger is dropped
    and created again in the same transaction."""
    from django.db import connection

    if not connection.in_atomic_block:
        raise RuntimeError("updates_lifted needs a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('fazhi.update_allowed', %s, true)", [table])
            yield
            cursor.execute("SELECT set_config('fazhi.update_allowed', '', true)")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
            yield
            cursor.execute(_sqlite_update_trigger(table))
        else:
            yield


def pg_function_replace() -> migrations.RunPython:
    """PostgreSQL: the refusal function as PG_FUNCTION has it now (a migration after a change of it)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(PG_FUNCTION, params=None)

    return migrations.RunPython(forward, migrations.RunPython.noop)


def append_only(*tables: str) -> migrations.RunPython:
    """UPDATE and DELETE refused on both databases."""
    return migrations.RunPython(_forward(list(tables)), _backward(list(tables)))


def append_only_sqlite(*tables: str) -> migrations.RunPython:
    """SQLite only: (re)create both refusals where missing. For tables made append-only before
    SQLite refused DELETE, and after a change SQLite applies by rebuilding the table (which drops
    its triggers)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            _forward(list(tables))(apps, schema_editor)

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            _backward(list(tables), update=False)(apps, schema_editor)

    return migrations.RunPython(forward, backward)
