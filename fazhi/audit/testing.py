"""For tests that play the intruder: switch the append-only guards off, as someone with database
access would before changing a log row. Transaction-scoped on PostgreSQL; on SQLite the dropped
triggers come back with the test's rollback (SQLite DDL is transactional)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


def append_only_bypass(*tables: str) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")
            return
        for table in tables:
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")


@contextlib.contextmanager
def append_only_bypassed(*tables: str) -> Iterator[None]:
    """The same, in a transaction of its own that commits the intruder's changes with the guards
    back in place (tests whose checks run in other processes, which see only committed data)."""
    from fazhi.audit.appendonly import _sqlite_delete_trigger, _sqlite_update_trigger

    with transaction.atomic():
        append_only_bypass(*tables)
        yield
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                for table in tables:
                    cur.execute(_sqlite_update_trigger(table))
                    cur.execute(_sqlite_delete_trigger(table))
