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

A trigram index cannot answer a query of fewer than three characters: such a query reads the
register's rows of the search table with LIKE (measured in bench/results/search.txt).

Personal data (a searched field the register declares ``personal_data``: a party's name) is not
in the text: it is stored encrypted (fazhi/core/fieldcrypt.py), and the search keeps a keyed
digest of it per matter in ``SearchDigest``. A query finds a matter whose text contains it, or
whose personal value equals it as a whole (normalised, spaces ignored): "张伟" finds the party
张伟 by an indexed equality, "张" does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from fazhi.core.bulkrows import rows_insert
from fazhi.core.fieldcrypt import index_digest
from fazhi.core.masking import party_public
from fazhi.registers.framework.models import Matter, SearchDigest, SearchEntry
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


def search_fields(reg: Register) -> tuple[list[str], list[str]]:
    """The register's searched fields: those kept as text, and the personal ones kept as digests."""
    personal = set(reg.definition.personal_data)
    return [n for n in reg.definition.search if n not in personal], [n for n in reg.definition.search if n in personal]


def search_values(reg: Register, matter: Any) -> list[Any]:
    """What a matter's search text is made of: its case number, then its register's ``search``
    fields that are not personal, in their declared order, then the party's name when the party
    is an organisation (public: found by a part of its name, like any text)."""
    return [matter.case_number, *(getattr(matter, name, None) for name in search_fields(reg)[0]), search_organisation(reg, matter)]


def search_reads(reg: Register) -> list[str]:
    """The fields the search rows are made of, besides the case number."""
    party = reg.definition.party
    return list(dict.fromkeys([*reg.definition.search, *(_party_fields(party) if party else [])]))


def _party_fields(party: str) -> list[str]:
    """The party's type and number fields, by the registers' naming (``party_name``: ``party_type``, ``party_id_number``)."""
    prefix = party.removesuffix("_name")
    return [prefix + "_type", prefix + "_id_number"]


def search_organisation(reg: Register, matter: Any) -> str | None:
    """The party's name when the public may see it (an organisation, by the portal's rule,
    party_public: its type, its credit code or its name; a natural person or a 个体工商户 never)."""
    party = reg.definition.party
    if not party or party not in reg.definition.personal_data:
        return None
    name = str(getattr(matter, party, "") or "")
    kind, number = (str(getattr(matter, f, "") or "") for f in _party_fields(party))
    return name if name and party_public(name, kind, number)[0] == name else None


def search_digests_of(values: Iterable[Any]) -> set[str]:
    """The digests of the non-blank personal values."""
    return {index_digest(str(v)) for v in values if v is not None and str(v).strip()}


def search_digests(reg: Register, matter: Any) -> set[str]:
    return search_digests_of(getattr(matter, name, None) for name in search_fields(reg)[1])


def search_text_of(values: Iterable[Any]) -> str:
    """The stored text of a search row from its values (see search_values)."""
    return search_join(search_parts(values))


def search_text(reg: Register, matter: Any) -> str:
    return search_text_of(search_values(reg, matter))


def search_index(reg: Register, matters: Iterable[Matter]) -> None:
    """Write (or rewrite) the search rows and digests of these matters."""
    search_index_ready(reg, matters)()


def search_index_ready(reg: Register, matters: Iterable[Matter], *, new: Collection[int] = ()) -> Callable[[], None]:
    """The search rows and digests of these matters computed (the text, the digests of personal
    values: no database); returns their writing. ``new``: the ids of matters just created, which
    have no search rows yet (theirs are inserted without looking)."""
    matters = list(matters)
    texts = {m.pk: search_text(reg, m) for m in matters}
    digests = {m.pk: search_digests(reg, m) for m in matters} if search_fields(reg)[1] else {}

    def write() -> None:
        fresh = [pk for pk in texts if pk in new]
        rows_insert(SearchEntry._meta.db_table, ["register", "matter_id", "text"], [(reg.name, pk, texts[pk]) for pk in fresh])
        if digests:
            rows_insert(SearchDigest._meta.db_table, ["register", "matter_id", "digest"], [(reg.name, pk, d) for pk in fresh for d in sorted(digests[pk])])
        ids = [pk for pk in texts if pk not in new]
        if len(ids) == 1:
            SearchEntry.objects.update_or_create(register=reg.name, matter_id=ids[0], defaults={"text": texts[ids[0]]})
        for i in range(0, len(ids), 900) if len(ids) > 1 else ():
            chunk = ids[i : i + 900]
            current = dict(SearchEntry.objects.filter(register=reg.name, matter_id__in=chunk).values_list("matter_id", "text"))
            stale = [pk for pk in chunk if pk in current and current[pk] != texts[pk]]
            if stale:
                SearchEntry.objects.filter(register=reg.name, matter_id__in=stale).delete()
            rows = [(reg.name, pk, texts[pk]) for pk in chunk if pk not in current or pk in stale]
            rows_insert(SearchEntry._meta.db_table, ["register", "matter_id", "text"], rows)
        for i in range(0, len(ids), 900) if digests else ():
            chunk = ids[i : i + 900]
            held: dict[int, set[str]] = {pk: set() for pk in chunk}
            for pk, d in SearchDigest.objects.filter(register=reg.name, matter_id__in=chunk).values_list("matter_id", "digest"):
                held[pk].add(d)
            stale = [pk for pk in chunk if held[pk] != digests[pk]]
            if stale:
                SearchDigest.objects.filter(register=reg.name, matter_id__in=stale).delete()
                rows_insert(SearchDigest._meta.db_table, ["register", "matter_id", "digest"], [(reg.name, pk, d) for pk in stale for d in sorted(digests[pk])])

    return write


def on_matters_written(reg: Register, pairs: list[tuple[Any, Any]]) -> None:
    """Write observer: a matter whose searched values changed gets its row rewritten."""
    search_ready(reg, pairs)()


def search_ready(reg: Register, pairs: list[tuple[Any, Any]]) -> Callable[[], None]:
    """:func:`on_matters_written` made ready without the database (a bulk write's, before its transaction)."""
    hidden = search_fields(reg)[1]

    def personal(m: Any) -> list[Any]:
        return [getattr(m, n, None) for n in hidden]

    changed = [after for before, after in pairs if before is None or search_text(reg, before) != search_text(reg, after) or personal(before) != personal(after)]
    # a matter written for the first time (no state before) has no search rows yet
    return search_index_ready(reg, changed, new={after.pk for before, after in pairs if before is None})


def search_rebuild(reg: Register, *, batch: int = 5000, model: Any = None, apps: Any = None) -> int:
    """Rewrite the whole register's search rows and digests from its matters (after a bulk copy,
    a change of the index key, or to repair). ``model`` and ``apps``: the historical model and
    registry in a data migration."""
    model = model or reg.model
    entry_model = apps.get_model("framework", "SearchEntry") if apps else SearchEntry
    try:
        digest_model = apps.get_model("framework", "SearchDigest") if apps else SearchDigest
    except LookupError:  # a migration before the digests existed
        digest_model = None
    present = {f.name for f in model._meta.concrete_fields}
    names = [n for n in ["case_number", *search_reads(reg)] if n in present]
    hidden = search_fields(reg)[1] if digest_model else []
    entry_model.objects.filter(register=reg.name).delete()
    if digest_model:
        digest_model.objects.filter(register=reg.name).delete()
    rows: list[Any] = []
    digest_rows: list[Any] = []
    written = 0
    for pk, *values in model._default_manager.order_by("pk").values_list("pk", *names).iterator(chunk_size=batch):
        matter = SimpleNamespace(**dict(zip(names, values, strict=True)))
        rows.append(entry_model(register=reg.name, matter_id=pk, text=search_text(reg, matter)))
        if hidden and digest_model:
            digest_rows += [digest_model(register=reg.name, matter_id=pk, digest=d) for d in search_digests(reg, matter)]
        if len(rows) >= batch:
            entry_model.objects.bulk_create(rows, batch_size=900)
            if digest_model:
                digest_model.objects.bulk_create(digest_rows, batch_size=900)
            written += len(rows)
            rows, digest_rows = [], []
    entry_model.objects.bulk_create(rows, batch_size=900)
    if digest_model:
        digest_model.objects.bulk_create(digest_rows, batch_size=900)
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
    to those whose searched text contains the query or whose personal value is the query."""
    found = Q(pk__in=search_matches(reg, query).values("matter_id"))
    if search_fields(reg)[1] and search_normalise(query):
        found |= Q(pk__in=SearchDigest.objects.filter(register=reg.name, digest=index_digest(query)).values("matter_id"))
    return qs.filter(found)


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
