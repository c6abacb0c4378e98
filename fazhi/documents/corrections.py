"""Correcting an issued document: a new document that names the one it replaces.

An issued document is never changed (its row is append-only, its DOCX stored by content and bound
by its audit leaf). A correction is issued as a new document of the same template and series,
with the next number of the unit's series for the year, the corrected text and a first paragraph
naming the document it replaces and why; the old one then verifies as "已被更正，以…为准".
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.errors import ValidationFailed
from fazhi.core.files import file_store
from fazhi.core.selectors import require_role
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.documents import services
from fazhi.documents.definition import templates
from fazhi.documents.delivery import staff_roles
from fazhi.documents.models import IssuedDocument

REASON_MAX = 200


def _contacts(old: IssuedDocument) -> tuple[str, str]:
    """The party's e-mail and phone the template sends the document to, read from the matter."""
    from fazhi.registers.framework.registry import REGISTRY

    t = templates().get(old.template)
    reg = REGISTRY.get(old.register)
    if t is None or reg is None or not (t.email or t.sms):
        return "", ""
    matter = reg.model.objects.filter(pk=old.object_id).first()
    if matter is None:
        return "", ""
    email = str(getattr(matter, t.email, "") or "").strip() if t.email else ""
    phone = str(getattr(matter, t.sms, "") or "").strip() if t.sms else ""
    return email, phone


@transaction.atomic
def document_correct(document: IssuedDocument, paragraphs: list[str], actor: Actor, reason: str, *, on: dt.date | None = None) -> IssuedDocument:
    """Issue the corrected document replacing ``document``: its text is ``paragraphs`` (in full,
    the remedy sentence included), preceded by the paragraph naming the replaced document."""
    require_role(actor, document.unit, staff_roles(document), "更正文书")
    old = IssuedDocument.objects.select_for_update().select_related("unit").get(pk=document.pk)
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    body = [str(p).strip() for p in (paragraphs or []) if str(p).strip()]
    reason = (reason or "").strip()
    if not body:
        errors["paragraphs"] = ["请填写更正后的正文"]
    if not reason:
        errors["reason"] = ["请填写更正事由"]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"更正事由不能超过 {REASON_MAX} 个字"]
    if on < old.issued_on:
        errors["on"] = [f"更正日期 {on.isoformat()} 早于原文书出具日期 {old.issued_on.isoformat()}"]
    later = IssuedDocument.objects.filter(replaces=old).first()
    if later is not None:
        errors["__all__"] = [f"文书 {old.number} 已被 {later.number} 更正，请更正最新的文书"]
    if errors:
        raise ValidationFailed(errors)
    seq, number = services.number_next(old.unit, old.series, on.year)
    note = f"本文书系对{old.number}《{old.title}》的更正，更正事由：{reason.rstrip('。')}。原文书不再有效，以本文书为准。"
    text = [note, *body]
    text_digest = hashlib.sha256("\n".join([old.title, *text]).encode("utf-8")).hexdigest()
    doc = IssuedDocument(
        template=old.template,
        title=old.title,
        number=number,
        series=old.series,
        year=on.year,
        sequence=seq,
        register=old.register,
        object_id=old.object_id,
        case_number=old.case_number,
        event_id=None,
        step=old.step,
        unit=old.unit,
        addressee=old.addressee,
        issued_on=on,
        issued_at=timezone.now(),
        issued_by=actor_row_or_none(actor),
        paragraphs=text,
        basis=old.basis,
        code=services.code_for(number, text_digest),
        replaces=old,
    )
    doc.docx_sha256 = file_store(services.docx_render(doc))
    doc.save()
    audit_append(source=services.LEAF, source_id=doc.pk, data=services.document_leaf_bytes(doc))
    from fazhi.documents.notify import notify_on_commit

    email, phone = _contacts(old)
    notify_on_commit(doc, email=email, phone=phone)
    return doc
