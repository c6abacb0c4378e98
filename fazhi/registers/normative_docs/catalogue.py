"""The one authoritative list (现行有效规范性文件目录), read from the documents' recorded events.

What was in force on any day is reproduced from the events dated on or before it: published
(公布) and not yet repealed, declared invalid, replaced or lapsed, and within its validity. A
document past its 有效期 is shown as lapsed on that day even where nobody recorded the lapse.
Publishing the list seals the rows of the day with their SHA-256 and an audit leaf.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import ValidationFailed
from fazhi.core.models import Role, Unit
from fazhi.core.selectors import require_role
from fazhi.core.types import Actor, actor_row
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.normative_docs.models import CatalogueSnapshot, NormativeDocument

IN_FORCE = "in_force"
STATUS = {
    IN_FORCE: "现行有效",
    "not_yet": "已公布，尚未施行",
    "repealed": "已废止",
    "declared_invalid": "已宣布失效",
    "superseded": "已修改（由新文件替代）",
    "expired": "已失效（有效期届满）",
}
ENDING = {"clean_repeal": "repealed", "clean_invalidate": "declared_invalid", "supersede": "superseded", "lapse": "expired"}
# What each step means on the public list (steps not named here are internal to drafting).
HISTORY = {
    "publish": "公布",
    "file": "报送备案",
    "record_filing_review": "备案审查",
    "request_correction": "备案审查要求纠正",
    "correct": "纠正",
    "evaluate": "评估",
    "clean_continue": "清理：继续有效",
    "clean_amend": "清理：决定修改",
    "clean_repeal": "清理：废止",
    "clean_invalidate": "清理：宣布失效",
    "supersede": "修改后重新公布",
    "lapse": "有效期届满失效",
}


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass
class Entry:
    """One document as it stood on a day."""

    doc: NormativeDocument
    status: str
    doc_number: str
    published_on: dt.date
    effective_on: dt.date | None
    valid_until: dt.date | None
    filed_on: dt.date | None
    history: list[tuple[dt.date, str]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS[self.status]

    def row(self) -> dict[str, Any]:
        """The row as sealed in a published list (and exported)."""
        return {
            "文号": self.doc_number,
            "文件名称": self.doc.title,
            "制定机关": self.doc.issuing_body,
            "公布日期": self.published_on.isoformat(),
            "施行日期": self.effective_on.isoformat() if self.effective_on else "",
            "有效期至": self.valid_until.isoformat() if self.valid_until else "",
            "报送备案日期": self.filed_on.isoformat() if self.filed_on else "",
            "状态": self.status_label,
        }


def entry_on(doc: NormativeDocument, events: list[MatterEvent], day: dt.date) -> Entry | None:
    """The document as of ``day`` from its events (None if not yet published then)."""
    seen = [e for e in events if e.event_date <= day]
    publish = next((e for e in seen if e.transition == "publish"), None)
    if publish is None:
        return None
    after = publish.after
    published = _day(after.get("published_on")) or publish.event_date
    effective, until = _day(after.get("effective_on")), _day(after.get("valid_until"))
    filed = next((e.event_date for e in seen if e.transition == "file"), None)
    status = IN_FORCE
    for e in seen:
        if e.transition in ENDING:
            status = ENDING[e.transition]
            break
    else:
        if until is not None and day > until:
            status = "expired"
        elif effective is not None and day < effective:
            status = "not_yet"
    history = [(e.event_date, HISTORY[e.transition]) for e in seen if e.transition in HISTORY]
    if effective is not None and effective <= day:
        history.append((effective, "施行"))
    if status == "expired" and not any(e.transition == "lapse" for e in seen) and until is not None:
        history.append((until + dt.timedelta(days=1), "有效期届满失效"))
    history.sort(key=lambda h: h[0])
    return Entry(
        doc=doc,
        status=status,
        doc_number=str(after.get("doc_number") or doc.doc_number),
        published_on=published,
        effective_on=effective,
        valid_until=until,
        filed_on=filed,
        history=history,
    )


def published_documents(unit: Unit | None = None) -> QuerySet[NormativeDocument]:
    qs = NormativeDocument.objects.filter(published_on__isnull=False)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def catalogue(day: dt.date, *, unit: Unit | None = None, issuing_body: str = "", year: int | None = None, status: str = "", query: str = "") -> list[Entry]:
    """The list as of ``day``: every published document with its status that day, filtered."""
    docs = published_documents(unit).filter(published_on__lte=day)
    if issuing_body:
        docs = docs.filter(issuing_body=issuing_body)
    if year:
        docs = docs.filter(published_on__year=year)
    by_doc: dict[int, list[MatterEvent]] = defaultdict(list)
    doc_list = list(docs.order_by("issuing_body", "published_on", "id"))
    events = MatterEvent.objects.filter(register="normative_docs", object_id__in=[d.pk for d in doc_list], event_date__lte=day).order_by("id")
    for e in events:
        by_doc[e.object_id].append(e)
    out = []
    q = query.strip()
    for doc in doc_list:
        entry = entry_on(doc, by_doc[doc.pk], day)
        if entry is None or (status and entry.status != status):
            continue
        if q and q not in doc.title and q not in entry.doc_number:
            continue
        out.append(entry)
    return out


def rows_digest(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_bytes(rows)).hexdigest()


@transaction.atomic
def catalogue_publish(*, unit: Unit, actor: Actor, as_of: dt.date | None = None, note: str = "") -> CatalogueSnapshot:
    """Seal the list of documents in force in ``unit``'s area (a staff step of the rule-of-law office)."""
    require_role(actor, unit, [Role.RULE_OF_LAW_OFFICE], "发布规范性文件目录")
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationFailed({"as_of": ["目录截止日期不能晚于今天"]})
    rows = [e.row() for e in catalogue(as_of, unit=unit, status=IN_FORCE)]
    snapshot = CatalogueSnapshot.objects.create(
        unit=unit,
        as_of=as_of,
        rows=rows,
        count=len(rows),
        sha256=rows_digest(rows),
        published_by=actor_row(actor),
        published_at=timezone.now(),
        note=note.strip()[:200],
    )
    audit_append(source="normative_catalogue", source_id=snapshot.pk, data=snapshot_leaf_bytes(snapshot))
    return snapshot


def snapshot_leaf_bytes(snapshot: CatalogueSnapshot) -> bytes:
    """The audit leaf of a published list: its unit, day, count and the digest of its rows as
    stored now (so a changed row no longer matches the leaf)."""
    leaf = {
        "snapshot": snapshot.pk,
        "unit": snapshot.unit.code,
        "as_of": snapshot.as_of.isoformat(),
        "count": snapshot.count,
        "sha256": rows_digest(snapshot.rows),
        "stored_sha256": snapshot.sha256,
    }
    return json.dumps(leaf, sort_keys=True, ensure_ascii=False).encode()


def snapshot_reencode(ids: list[int]) -> dict[int, bytes]:
    return {s.pk: snapshot_leaf_bytes(s) for s in CatalogueSnapshot.objects.filter(pk__in=ids).select_related("unit")}
