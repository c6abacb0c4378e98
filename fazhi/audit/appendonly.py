"""Database-level refusal of UPDATE and DELETE on log rows (migrations use this).

PostgreSQL refuses both with a row trigger. SQLite refuses UPDATE; DELETE stays possible there
because Django's test flush on SQLite deletes rows (on PostgreSQL it truncates, which row
triggers do not see). Tampering is still detected by ``fazhi audit verify`` on both.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION fazhi_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql;
"""


def _forward(tables: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(PG_FUNCTION, params=None)
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION fazhi_refuse_change()"
                )
            elif vendor == "sqlite":
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END"
                )

    return run


def _backward(tables: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")

    return run


def append_only(*tables: str) -> migrations.RunPython:
    return migrations.RunPython(_forward(list(tables)), _backward(list(tables)))
