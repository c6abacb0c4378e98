"""Opinion documents (审查意见书) of a review, stored by content like the enforcement evidence:
the SHA-256 names the file and goes into the review's event, and so into the audit log."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from fazhi.core.errors import PermissionDenied, TransitionNotAllowed
from fazhi.core.files import DOCUMENT_KINDS, file_check, file_path, file_store
from fazhi.core.types import Actor
from fazhi.registers.contract_review.models import ContractReview, OpinionDocument
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.services import _write_event

EVENT = "add_opinion_document"
ROLES = {"reviewer", "head", "rule_of_law_office"}
MAX_BYTES = 20 * 1024 * 1024


def document_path(sha256: str) -> Path:
    return file_path(sha256)


@transaction.atomic
def document_add(*, review: ContractReview, actor: Actor, content: bytes, file_name: str) -> OpinionDocument:
    from fazhi.core.selectors import user_has_role

    reg = register_get("contract_review")
    locked = ContractReview.objects.select_for_update().select_related("unit").get(pk=review.pk)
    if not user_has_role(actor, locked.unit, ROLES):
        raise PermissionDenied(f"您在{locked.unit.name}没有上传审查意见书的权限")
    if locked.state == "withdrawn":
        raise TransitionNotAllowed(f"{locked.case_number} 已撤回，不能上传审查意见书")
    file_check(content, name=file_name, label="审查意见书", allowed=DOCUMENT_KINDS, max_bytes=MAX_BYTES)
    digest = file_store(content)
    name = (file_name or "审查意见书").strip()[:200]
    event = _write_event(
        reg=reg,
        matter=locked,
        transition=EVENT,
        actor=actor,
        event_date=locked.opinion_on or locked.received_on,
        state_before=locked.state,
        before={},
        after={"sha256": digest, "file_name": name, "size": len(content)},
        note="",
    )
    return OpinionDocument.objects.create(review=locked, file_name=name, sha256=digest, size=len(content), event_id=event.pk)
