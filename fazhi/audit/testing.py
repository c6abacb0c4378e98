"""For tests that play the intruder: switch the append-only guards off, as someone with database
access would before changing a log row. Transaction-scoped on PostgreSQL; on SQLite the dropped
triggers come back with the test's rollback (SQLite DDL is transactional)."""

from __future__ import annotations

from django.db import connection


def append_only_bypass(*tables: str) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")
            return
        for table in tables:
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_delete")
