"""Evidence files (调查取证), stored by content: the SHA-256 names the file and goes into the
case's event, and so into the audit log (全过程记录, 行政处罚法第四十七条)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.files import EVIDENCE_KINDS, file_check, file_read, file_store
from fazhi.core.types import Actor
from fazhi.registers.enforcement.models import EnforcementCase, EvidenceItem
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.services import _check_role, _write_event

EVIDENCE_STATES = {"investigating", "notified", "hearing_pending"}
EVENT = "add_evidence"


@transaction.atomic
def evidence_add(*, case: EnforcementCase, actor: Actor, content: bytes, file_name: str, description: str, collected_on: dt.date) -> EvidenceItem:
    reg = register_get("enforcement")
    locked = EnforcementCase.objects.select_for_update().get(pk=case.pk)
    _check_role(actor, locked.unit, ("clerk",), "登记证据")
    if locked.state not in EVIDENCE_STATES:
        raise TransitionNotAllowed(f"案件 {locked.case_number} 已进入{reg.definition.states[locked.state].label}阶段，不能再登记证据")
    errors: dict[str, list[str]] = {}
    try:  # type by content, size, no zip bomb: before anything is stored
        file_check(content, name=file_name, label="证据文件", allowed=EVIDENCE_KINDS)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if not description.strip():
        errors["description"] = ["请填写证据名称"]
    if collected_on < locked.received_on or collected_on > dt.date.today() + dt.timedelta(days=1):
        errors["collected_on"] = [f"取证日期应在立案日期（{locked.received_on:%Y-%m-%d}）与今天之间"]
    if errors:
        raise ValidationFailed(errors)
    digest = file_store(content)
    after = {"sha256": digest, "file_name": file_name, "size": len(content), "description": description.strip()}
    event = _write_event(
        reg=reg,
        matter=locked,
        transition=EVENT,
        actor=actor,
        event_date=collected_on,
        state_before=locked.state,
        before={},
        after=after,
        note="",
    )
    return EvidenceItem.objects.create(
        case=locked, collected_on=collected_on, description=description.strip(), file_name=file_name, sha256=digest, size=len(content), event_id=event.pk
    )


def evidence_intact(item: EvidenceItem) -> bool:
    return file_read(item.sha256) is not None
