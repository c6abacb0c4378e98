"""Search over the fields a clerk remembers: one row per matter in ``SearchEntry``.

The row holds the matter's case number and its register's ``search`` fields, normalised
(NFKC, case-folded, whitespace collapsed) and joined by a separator no query can contain. Every
write of matters (the services, the bulk writer, hence the ledger import) refreshes it through
the write observer; the city generator, which copies rows without the services, writes their
rows with the same functions (search_values' order, search_parts, search_join), one COPY per
batch, and indexes them once at the end (search_index_deferred).

Substring search, fast on large tables:

- PostgreSQL: ``text LIKE '%q%'`` on a trigram GIN index (pg_trgm, a trusted extension since
  PostgreSQL 13: the database owner may create it).
- SQLite: an FTS5 table with the trigram tokenizer (SQLite >= 3.34), queried with a phrase.

A trigram index cannot answer a query of fewer than three characters (a two-character name,
"张伟"): such a query reads the register's rows of the search table with LIKE (measured in
bench/results/search.txt).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from fazhi.registers.framework.models import Matter, SearchEntry
from fazhi.registers.framework.registry import Register

SEPARATOR = " | "  # normalised queries never contain "|": see search_normalise
FTS_TABLE = "framework_searchentry_fts"
MIN_INDEXED = 3  # trigram


def search_normalise(value: str) -> str:
    """The form both the stored text and a query take: NFKC (full-width digits and brackets
    become ASCII), case-folded, runs of whitespace as one space, no "|"."""
    text = unicodedata.normalize("NFKC", value).casefold().replace("|", " ")
    return re.sub(r"\s+", " ", text).strip()


def search_parts(values: Iterable[Any]) -> list[str]:
    """The normalised non-blank values, in order. Element by element, so the parts of a list
    are the parts of its pieces, concatenated (a bulk copy normalises a repeated tail once)."""
    return [search_normalise(str(v)) for v in values if v is not None and str(v).strip()]


def search_join(parts: Iterable[str]) -> str:
    return SEPARATOR.join(parts)


def search_values(reg: Register, matter: Any) -> list[Any]:
    """What a matter's search row is made of: its case number, then its register's ``search``
    fields in their declared order."""
    return [matter.case_number, *(getattr(matter, name, None) for name in reg.definition.search)]


def search_text_of(values: Iterable[Any]) -> str:
    """The stored text of a search row from its values (see search_values)."""
    return search_join(search_parts(values))


def search_text(reg: Register, matter: Matter) -> str:
    return search_text_of(search_values(reg, matter))


def search_index(reg: Register, matters: Iterable[Matter]) -> None:
    """Write (or rewrite) the search rows of these matters."""
    texts = {m.pk: search_text(reg, m) for m in matters}
    if not texts:
        return
    ids = list(texts)
    if len(ids) == 1:
        pk = ids[0]
        SearchEntry.objects.update_or_create(register=reg.name, matter_id=pk, defaults={"text": texts[pk]})
        return
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        current = dict(SearchEntry.objects.filter(register=reg.name, matter_id__in=chunk).values_list("matter_id", "text"))
        stale = [pk for pk in chunk if pk in current and current[pk] != texts[pk]]
        SearchEntry.objects.filter(register=reg.name, matter_id__in=stale).delete()
        SearchEntry.objects.bulk_create(
            [SearchEntry(register=reg.name, matter_id=pk, text=texts[pk]) for pk in chunk if pk not in current or pk in stale], batch_size=900
        )


def on_matters_written(reg: Register, pairs: list[tuple[Any, Any]]) -> None:
    """Write observer: a matter whose searched text changed gets its row rewritten."""
    changed = [after for before, after in pairs if before is None or search_text(reg, before) != search_text(reg, after)]
    search_index(reg, changed)


def search_rebuild(reg: Register, *, batch: int = 5000, model: Any = None) -> int:
    """Rewrite the whole register's search rows from its matters (after a bulk copy, or to
    repair). ``model``: the historical model in a data migration."""
    model = model or reg.model
    present = {f.name for f in model._meta.concrete_fields}
    names = ["case_number", *(n for n in reg.definition.search if n in present)]
    SearchEntry.objects.filter(register=reg.name).delete()
    rows: list[SearchEntry] = []
    written = 0
    for pk, *values in model._default_manager.order_by("pk").values_list("pk", *names).iterator(chunk_size=batch):
        rows.append(SearchEntry(register=reg.name, matter_id=pk, text=search_text_of(values)))
        if len(rows) >= batch:
            SearchEntry.objects.bulk_create(rows, batch_size=900)
            written += len(rows)
            rows = []
    SearchEntry.objects.bulk_create(rows, batch_size=900)
    return written + len(rows)


def search_matches(reg: Register, query: str) -> QuerySet[SearchEntry]:
    """The search rows of the register that contain the normalised query (empty: none)."""
    q = search_normalise(query)
    entries = SearchEntry.objects.filter(register=reg.name)
    if not q:
        return entries.none()
    if connection.vendor == "sqlite" and len(q) >= MIN_INDEXED:
        phrase = '"' + q.replace('"', '""') + '"'
        return entries.filter(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (phrase,)))
    # PostgreSQL: LIKE on the trigram index; SQLite below 3 characters: LIKE over the register's rows
    return entries.filter(text__contains=q)


def matters_search(qs: QuerySet[Any], reg: Register, query: str) -> QuerySet[Any]:
    """Narrow a queryset of the register's matters (already limited to what the user may see)
    to those whose searched fields contain the query."""
    return qs.filter(pk__in=search_matches(reg, query).values("matter_id"))


@contextmanager
def search_index_deferred() -> Iterator[None]:
    """One transaction that writes many search rows (the city copy) and indexes them once at
    the end instead of row by row. PostgreSQL: the trigram index is dropped and built again
    (one sorted build of a GIN index against millions of inserts into it; the DROP locks the
    table until the commit). SQLite: the insert trigger is dropped and the new rows enter the
    FTS table in one INSERT ... SELECT. A failure rolls the whole back, index included."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP[0])
            yield
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(POSTGRESQL_TRGM_INDEX)
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS framework_searchentry_ai")
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM framework_searchentry")
            (before,) = cursor.fetchone()
            yield
            cursor.execute(f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT id, text FROM framework_searchentry WHERE id > %s", [before])
            cursor.execute(SQLITE_INSERT_TRIGGER)
        else:
            yield


# SQL that creates the index the search needs, per database (used by the migration).
POSTGRESQL_TRGM_INDEX = "CREATE INDEX IF NOT EXISTS framework_searchentry_trgm ON framework_searchentry USING gin (text gin_trgm_ops)"
SQLITE_INSERT_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS framework_searchentry_ai AFTER INSERT ON framework_searchentry BEGIN
        INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END"""
SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(text, content='framework_searchentry', content_rowid='id', tokenize='trigram')",
    SQLITE_INSERT_TRIGGER,
    f"""CREATE TRIGGER IF NOT EXISTS framework_searchentry_ad AFTER DELETE ON framework_searchentry BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END""",
    f"""CREATE TRIGGER IF NOT EXISTS framework_searchentry_au AFTER UPDATE ON framework_searchentry BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS framework_searchentry_ai",
    "DROP TRIGGER IF EXISTS framework_searchentry_ad",
    "DROP TRIGGER IF EXISTS framework_searchentry_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRESQL_CREATE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm", POSTGRESQL_TRGM_INDEX]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS framework_searchentry_trgm"]
