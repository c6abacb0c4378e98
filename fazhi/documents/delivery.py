"""Service (送达) of the documents the platform issues, and the remedy clock that runs from it.

Each issued document's service on its addressee is recorded once: the method, the date, who
received it, and the deemed date of service, computed by rule. 行政处罚法 第六十一条, the 行政复议法
and the 行政诉讼法 refer service to the 民事诉讼法 (``definitions/clocks/service.yaml``):

- 直接送达: the day the addressee (or who may sign for them) signs the 送达回证;
- 留置送达: the day the document is left at the addressee's residence;
- 邮寄送达: the day on the 回执 (the day signed for), with the tracking number;
- 电子送达: only with the addressee's recorded consent; the day it reaches their system;
- 公告送达: the day the announcement period ends, counted from the publication date by the dated
  rule ``service.announcement_period`` (六十日, 三十日 since 2022-01-01).

The remedy period the document states (起诉 / 申请复议, the template's first ``{period[RULE]}``)
runs from the deemed date: :func:`remedy_due` computes its last day with the clock engine.
The receiver is a person: shown in full to the issuing unit's staff only, masked on anything the
public sees (:func:`delivery_public`), bound in the audit leaf by a keyed digest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes, keyed_digest
from fazhi.core.errors import ValidationFailed
from fazhi.core.masking import mask_name
from fazhi.core.models import Role
from fazhi.core.selectors import require_role
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.documents.definition import templates
from fazhi.documents.models import Delivery, DeliveryMethod, IssuedDocument
from fazhi.law.clocks import NoRuleInForce, clock_compute, clock_rules

LEAF = "document_delivery"
ANNOUNCEMENT_RULE = "service.announcement_period"
# Who records a service and corrects a document: the issuing unit's staff (through the unit or a
# unit above it); a workflow's letter (督察) is the 依法治区办's own.
STAFF = (Role.CLERK, Role.REVIEWER, Role.HEAD)
WORKFLOW_STAFF = (*STAFF, Role.RULE_OF_LAW_OFFICE)


def staff_roles(document: IssuedDocument) -> tuple[str, ...]:
    from fazhi.registers.framework.registry import REGISTRY

    return STAFF if document.register in REGISTRY else WORKFLOW_STAFF


# The 民事诉讼法 article that fixes the service date of each method (the 公告 period's own
# reference comes from its dated rule). Numbering of the 2021 amendment (in force 2022-01-01, kept by
# the 2023 amendment): 第八十七条 送达回证, 第八十八条 直接, 第八十九条 留置, 第九十条 电子, 第九十一条
# 邮寄; of the 2012 text (in force 2013-01-01): 第八十四条 to 第八十八条. Checked (search, 2026-11-30).
_ARTICLES: tuple[tuple[dt.date, dict[str, str]], ...] = (
    (
        dt.date(2013, 1, 1),
        {
            DeliveryMethod.DIRECT: "《中华人民共和国民事诉讼法》(2012修正) 第八十四条、第八十五条",
            DeliveryMethod.LEFT: "《中华人民共和国民事诉讼法》(2012修正) 第八十六条",
            DeliveryMethod.ELECTRONIC: "《中华人民共和国民事诉讼法》(2012修正) 第八十七条",
            DeliveryMethod.POST: "《中华人民共和国民事诉讼法》(2012修正) 第八十八条",
        },
    ),
    (
        dt.date(2022, 1, 1),
        {
            DeliveryMethod.DIRECT: "《中华人民共和国民事诉讼法》第八十七条、第八十八条",
            DeliveryMethod.LEFT: "《中华人民共和国民事诉讼法》第八十九条",
            DeliveryMethod.ELECTRONIC: "《中华人民共和国民事诉讼法》第九十条",
            DeliveryMethod.POST: "《中华人民共和国民事诉讼法》第九十一条",
        },
    ),
)

_RECEIVER_NEEDED = {
    DeliveryMethod.DIRECT: "直接送达应填写签收人",
    DeliveryMethod.LEFT: "留置送达应填写拒收文书的受送达人或其同住成年家属",
    DeliveryMethod.POST: "邮寄送达应填写回执上的签收人",
}


def _basis(method: str, on: dt.date) -> str:
    chosen = ""
    for since, table in _ARTICLES:
        if since <= on:
            chosen = table[method]
    return chosen or "《中华人民共和国民事诉讼法》关于送达的规定"


def deemed_date(method: str, on: dt.date, announced_on: dt.date | None = None) -> tuple[dt.date, str]:
    """(the deemed date of service, its legal basis) for a service by ``method`` on ``on``."""
    if method == DeliveryMethod.ANNOUNCEMENT:
        if announced_on is None:
            raise ValidationFailed({"announced_on": ["公告送达应填写公告日期"]})
        result = clock_compute(ANNOUNCEMENT_RULE, announced_on, explain=False)
        assert result.due is not None
        return result.due, result.citation
    return on, _basis(method, on)


def _check(
    document: IssuedDocument, method: str, on: dt.date | None, received_by: str, tracking_number: str, consent: bool, announced_on: dt.date | None
) -> None:
    errors: dict[str, list[str]] = {}
    if method not in DeliveryMethod.values:
        errors["method"] = ["请选择送达方式：直接送达、留置送达、邮寄送达、电子送达或公告送达"]
        raise ValidationFailed(errors)
    issued = document.issued_on
    today = timezone.localdate()
    if method == DeliveryMethod.ANNOUNCEMENT:
        pass  # its date is the publication date, checked below
    elif on is None:
        errors["on"] = ["请填写送达日期"]
    elif on < issued:
        errors["on"] = [f"送达日期 {on.isoformat()} 早于文书出具日期 {issued.isoformat()}"]
    elif on > today:
        errors["on"] = [f"送达日期 {on.isoformat()} 晚于今天，请在送达后登记"]
    if method in _RECEIVER_NEEDED and not received_by:
        errors["received_by"] = [_RECEIVER_NEEDED[DeliveryMethod(method)]]
    if len(received_by) > 100:
        errors["received_by"] = ["签收人不能超过 100 个字"]
    if method == DeliveryMethod.POST and not tracking_number:
        errors["tracking_number"] = ["邮寄送达应填写邮件单号"]
    if len(tracking_number) > 60:
        errors["tracking_number"] = ["邮件单号不能超过 60 个字符"]
    if method == DeliveryMethod.ELECTRONIC and not consent:
        errors["consent"] = ["电子送达须经受送达人同意（签订送达地址确认书）；未记录其同意的，不能电子送达"]
    if method == DeliveryMethod.ANNOUNCEMENT:
        if announced_on is None:
            errors["announced_on"] = ["公告送达应填写公告日期"]
        elif announced_on < issued:
            errors["announced_on"] = [f"公告日期 {announced_on.isoformat()} 早于文书出具日期 {issued.isoformat()}"]
        elif announced_on > today:
            errors["announced_on"] = [f"公告日期 {announced_on.isoformat()} 晚于今天，请在公告发出后登记"]
    if errors:
        raise ValidationFailed(errors)


# --- the audit leaf -------------------------------------------------------------------------


def _digest(pk: int, field: str, value: str) -> str:
    """A person's data bound in the leaf without being disclosed."""
    if not value:
        return value
    return keyed_digest("delivery", pk, field, value)


def delivery_leaf_bytes(d: Delivery) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "delivery": d.pk,
            "document": d.document_id,
            "addressee": _digest(d.pk, "addressee", d.addressee),
            "method": d.method,
            "served_on": d.served_on,
            "received_by": _digest(d.pk, "received_by", d.received_by),
            "tracking_number": _digest(d.pk, "tracking_number", d.tracking_number),
            "consent": d.consent,
            "announced_on": d.announced_on,
            "deemed_on": d.deemed_on,
            "basis": d.basis,
            "recorded_at": d.recorded_at,
            "recorded_by": d.recorded_by_id,
        }
    )


def delivery_reencode(ids: list[int]) -> dict[int, bytes]:
    return {d.pk: delivery_leaf_bytes(d) for d in Delivery.objects.filter(pk__in=ids)}


# --- recording ------------------------------------------------------------------------------


@transaction.atomic
def delivery_record(
    document: IssuedDocument,
    method: str,
    on: dt.date | None,
    received_by: str = "",
    tracking_number: str = "",
    consent: bool = False,
    announced_on: dt.date | None = None,
    *,
    actor: Actor,
    addressee: str = "",
) -> Delivery:
    """Record the service of ``document`` on its addressee (or on ``addressee``, another party the
    same document is served on). Refused, naming the field, when the record does not hold."""
    require_role(actor, document.unit, staff_roles(document), "登记文书送达")
    received_by, tracking_number = (received_by or "").strip(), (tracking_number or "").strip()
    addressee = (addressee or "").strip() or document.addressee or document.unit.name
    if method == DeliveryMethod.ANNOUNCEMENT:  # served on the publication date, no one signs
        on, received_by = announced_on, ""
    _check(document, method, on, received_by, tracking_number, consent, announced_on)
    assert on is not None
    if Delivery.objects.filter(document=document, addressee=addressee).exists():
        raise ValidationFailed({"__all__": [f"文书 {document.number} 对该受送达人的送达已经登记，不能重复登记"]})
    deemed, basis = deemed_date(method, on, announced_on)
    d = Delivery(
        document=document,
        addressee=addressee,
        method=method,
        served_on=on,
        received_by=received_by,
        tracking_number=tracking_number if method == DeliveryMethod.POST else "",
        consent=bool(consent),
        announced_on=announced_on if method == DeliveryMethod.ANNOUNCEMENT else None,
        deemed_on=deemed,
        basis=basis,
        recorded_at=timezone.now(),
        recorded_by=actor_row_or_none(actor),
    )
    try:
        with transaction.atomic():
            d.save()
    except IntegrityError:  # recorded meanwhile by another request
        raise ValidationFailed({"__all__": [f"文书 {document.number} 对该受送达人的送达已经登记，不能重复登记"]}) from None
    audit_append(source=LEAF, source_id=d.pk, data=delivery_leaf_bytes(d))
    return d


def deliveries_of(document: IssuedDocument) -> list[Delivery]:
    return list(Delivery.objects.filter(document=document).order_by("id"))


# --- the remedy clock that runs from service ------------------------------------------------

_PERIOD = re.compile(r"\{period\[([^\]]+)\]\}")


def remedy_rule(document: IssuedDocument) -> str:
    """The clock rule of the remedy the document states: the first ``{period[RULE]}`` of its
    template's remedy sentence ('' when it states none)."""
    t = templates().get(document.template)
    if t is None or not t.remedy:
        return ""
    m = _PERIOD.search(t.remedy)
    return m.group(1) if m else ""


def _remedy_label(rule_id: str) -> str:
    if rule_id.startswith("remedy.sue"):
        return "起诉期限"
    if rule_id.startswith("reconsideration.application"):
        return "申请复议期限"
    rule = clock_rules().get(rule_id)
    return rule.label if rule else "救济期限"


@dataclass(frozen=True)
class RemedyDue:
    label: str  # 起诉期限, 申请复议期限
    due: dt.date
    citation: str

    def __str__(self) -> str:
        return f"{self.label}至 {self.due.isoformat()}"


def remedy_due(delivery: Delivery) -> RemedyDue | None:
    """The last day of the remedy period the document states, counted from the deemed date of
    service by the rule in force on that day (None when the document states no remedy)."""
    rule_id = remedy_rule(delivery.document)
    if not rule_id or rule_id not in clock_rules():
        return None
    try:
        result = clock_compute(rule_id, delivery.deemed_on, explain=False)
    except NoRuleInForce:
        return None
    if result.due is None:
        return None
    return RemedyDue(_remedy_label(rule_id), result.due, result.citation)


# --- what the public may see ----------------------------------------------------------------


def delivery_public(d: Delivery) -> dict[str, str]:
    """A service as the public sees it (the applicant's tracking page, the verification page):
    the receiver's name masked, no tracking number."""
    due = remedy_due(d)
    return {
        "method": d.get_method_display(),
        "served_on": d.served_on.isoformat(),
        "received_by": mask_name(d.received_by),
        "deemed_on": d.deemed_on.isoformat(),
        "remedy": str(due) if due else "",
    }
