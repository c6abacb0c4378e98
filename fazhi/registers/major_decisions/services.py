"""The 决策事项目录 (art.3 para.3 of 《重大行政决策程序暂行条例》): compiled by the deciding body,
agreed by the same-level Party committee, published, and adjusted as needed.

Every change is an append-only ``CatalogueEvent`` and an audit leaf in the same transaction;
after the Party committee's agreement an added, changed or removed item is an adjustment
(调整) and needs its date and reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role
from fazhi.core.types import Actor, actor_row
from fazhi.registers.major_decisions.models import CatalogueEvent, CatalogueItem, CatalogueState, Category, DecisionCatalogue, MajorDecision
from fazhi.registers.major_decisions.selectors import APPROVE_ROLES, EDIT_ROLES

LAW = "《重大行政决策程序暂行条例》第三条第三款"
CLOSED_DECISIONS = ("terminated", "not_adopted")


def catalogue_event_bytes(event: CatalogueEvent) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "catalogue_event": event.pk,
            "catalogue": event.catalogue_id,
            "kind": event.kind,
            "event_date": event.event_date.isoformat(),
            "reason": event.reason,
            "data": event.data,
            "actor": event.actor_id,
        }
    )


def catalogue_event_reencode(ids: list[int]) -> dict[int, bytes]:
    return {e.pk: catalogue_event_bytes(e) for e in CatalogueEvent.objects.filter(pk__in=ids)}


def _event(catalogue: DecisionCatalogue, actor: Actor, kind: str, on: dt.date, data: dict[str, Any], reason: str = "") -> CatalogueEvent:
    event = CatalogueEvent.objects.create(
        catalogue=catalogue, kind=kind, event_date=on, reason=reason, data=data, actor=actor_row(actor), occurred_at=timezone.now()
    )
    audit_append(source="decision_catalogue", source_id=event.pk, data=catalogue_event_bytes(event))
    return event


def _day(on: Any, field: str, errors: dict[str, list[str]], what: str) -> dt.date | None:
    if not isinstance(on, dt.date):
        errors.setdefault(field, []).append(f"请填写{what}")
        return None
    if on > timezone.localdate() + dt.timedelta(days=1):
        errors.setdefault(field, []).append(f"{what}不能晚于今天")
    return on


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _locked(catalogue: DecisionCatalogue) -> DecisionCatalogue:
    return DecisionCatalogue.objects.select_for_update().select_related("unit").get(pk=catalogue.pk)


@transaction.atomic
def catalogue_create(*, unit: Unit, actor: Actor, year: int, title: str = "", on: dt.date | None = None) -> DecisionCatalogue:
    require_role(actor, unit, EDIT_ROLES, "编制决策事项目录")
    errors: dict[str, list[str]] = {}
    on = _day(on or timezone.localdate(), "on", errors, "编制日期")
    if not 2019 <= year <= timezone.localdate().year + 1:
        errors.setdefault("year", []).append("年度应在2019年（《重大行政决策程序暂行条例》施行）至明年之间")
    elif DecisionCatalogue.objects.filter(unit=unit, year=year).exists():
        errors.setdefault("year", []).append(f"{unit.name}已有{year}年度的决策事项目录，请在原目录中调整")
    _raise(errors)
    assert on is not None
    catalogue = DecisionCatalogue.objects.create(unit=unit, year=year, title=title.strip() or f"{unit.name}{year}年度重大行政决策事项目录")
    _event(catalogue, actor, "created", on, {"unit": unit.code, "year": year, "title": catalogue.title})
    return catalogue


def _item_data(item: CatalogueItem) -> dict[str, Any]:
    return {
        "item": item.pk,
        "code": item.code,
        "number": item.number,
        "name": item.name,
        "lead_unit": item.lead_unit.code,
        "category": item.category,
        "planned": item.planned,
    }


def _check_item(catalogue: DecisionCatalogue, name: str, lead_unit: Unit | None, category: str, errors: dict[str, list[str]]) -> None:
    if not name.strip():
        errors.setdefault("name", []).append("请填写决策事项名称")
    if lead_unit is None:
        errors.setdefault("lead_unit", []).append("请选择承办单位（《重大行政决策程序暂行条例》第十一条）")
    elif not lead_unit.path.startswith(catalogue.unit.path):
        errors.setdefault("lead_unit", []).append(f"承办单位应为{catalogue.unit.name}或其所属单位")
    if category not in Category.values:
        errors.setdefault("category", []).append("请选择事项类别（《重大行政决策程序暂行条例》第三条第一款）")


def _adjustment_reason(catalogue: DecisionCatalogue, reason: str, errors: dict[str, list[str]]) -> bool:
    """After the Party committee agreed, every change is an adjustment and needs its reason."""
    adjusting = catalogue.state != CatalogueState.DRAFT
    if adjusting and not reason.strip():
        errors.setdefault("reason", []).append(f"目录经同级党委同意后的调整应当说明理由（{LAW}）")
    return adjusting


@transaction.atomic
def item_add(
    *, catalogue: DecisionCatalogue, actor: Actor, name: str, lead_unit: Unit | None, category: str, on: dt.date, planned: str = "", reason: str = ""
) -> CatalogueItem:
    catalogue = _locked(catalogue)
    require_role(actor, catalogue.unit, EDIT_ROLES, "编制、调整决策事项目录")
    errors: dict[str, list[str]] = {}
    day = _day(on, "on", errors, "列入目录日期")
    _check_item(catalogue, name, lead_unit, category, errors)
    adjusting = _adjustment_reason(catalogue, reason, errors)
    if name.strip() and catalogue.items.filter(name=name.strip(), removed_on__isnull=True).exists():
        errors.setdefault("name", []).append("目录中已有同名事项")
    _raise(errors)
    assert day is not None and lead_unit is not None
    number = (catalogue.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    item = CatalogueItem.objects.create(
        catalogue=catalogue,
        code=f"{catalogue.unit.code}-{catalogue.year}-{number:02d}",
        number=number,
        name=name.strip(),
        lead_unit=lead_unit,
        category=category,
        planned=planned.strip(),
        added_on=day,
        added_by_adjustment=adjusting,
    )
    _event(catalogue, actor, "item_added", day, _item_data(item) | {"adjustment": adjusting}, reason.strip())
    return item


def _active_decision(item: CatalogueItem) -> MajorDecision | None:
    return MajorDecision.objects.filter(catalogue_item=item).exclude(state__in=CLOSED_DECISIONS).first()


@transaction.atomic
def item_change(
    *, item: CatalogueItem, actor: Actor, on: dt.date, reason: str, name: str | None = None, lead_unit: Unit | None = None, planned: str | None = None
) -> CatalogueItem:
    catalogue = _locked(item.catalogue)
    item = CatalogueItem.objects.select_for_update().select_related("lead_unit").get(pk=item.pk)
    require_role(actor, catalogue.unit, EDIT_ROLES, "调整决策事项目录")
    errors: dict[str, list[str]] = {}
    day = _day(on, "on", errors, "调整日期")
    _adjustment_reason(catalogue, reason, errors)
    if item.removed_on:
        errors.setdefault("__all__", []).append("该事项已调出目录")
    new_name = name.strip() if name is not None else item.name
    new_unit = lead_unit or item.lead_unit
    _check_item(catalogue, new_name, new_unit, item.category, errors)
    decision = _active_decision(item)
    if decision is not None and new_unit.pk != item.lead_unit_id:
        errors.setdefault("lead_unit", []).append(f"该事项已由{item.lead_unit.name}登记为决策 {decision.case_number}，不能变更承办单位")
    before = _item_data(item)
    item.name, item.lead_unit, item.planned = new_name, new_unit, planned.strip() if planned is not None else item.planned
    after = _item_data(item)
    if before == after:
        errors.setdefault("__all__", []).append("没有任何内容被调整")
    _raise(errors)
    assert day is not None
    item.save()
    _event(catalogue, actor, "item_changed", day, {"before": before, "after": after}, reason.strip())
    return item


@transaction.atomic
def item_remove(*, item: CatalogueItem, actor: Actor, on: dt.date, reason: str) -> CatalogueItem:
    catalogue = _locked(item.catalogue)
    item = CatalogueItem.objects.select_for_update().select_related("lead_unit").get(pk=item.pk)
    require_role(actor, catalogue.unit, EDIT_ROLES, "调整决策事项目录")
    errors: dict[str, list[str]] = {}
    day = _day(on, "on", errors, "调出日期")
    if not reason.strip():
        errors.setdefault("reason", []).append(f"调出目录应当说明理由（{LAW}）")
    if item.removed_on:
        errors.setdefault("__all__", []).append("该事项已调出目录")
    decision = _active_decision(item)
    if decision is not None:
        errors.setdefault("__all__", []).append(f"该事项已登记为决策 {decision.case_number}，请先终止决策程序再调出目录")
    if day and day < item.added_on:
        errors.setdefault("on", []).append(f"不能早于列入目录日期（{item.added_on:%Y-%m-%d}）")
    _raise(errors)
    assert day is not None
    item.removed_on, item.removal_reason = day, reason.strip()
    item.save(update_fields=["removed_on", "removal_reason"])
    _event(catalogue, actor, "item_removed", day, _item_data(item), reason.strip())
    return item


@transaction.atomic
def catalogue_agree(*, catalogue: DecisionCatalogue, actor: Actor, on: dt.date, agreement: str) -> DecisionCatalogue:
    catalogue = _locked(catalogue)
    require_role(actor, catalogue.unit, APPROVE_ROLES, "记录同级党委同意决策事项目录")
    if catalogue.state != CatalogueState.DRAFT:
        raise TransitionNotAllowed("该目录已经同级党委同意")
    errors: dict[str, list[str]] = {}
    day = _day(on, "on", errors, "党委同意日期")
    if not agreement.strip():
        errors.setdefault("agreement", []).append("请填写同级党委同意的会议或文件")
    if not catalogue.items.filter(removed_on__isnull=True).exists():
        errors.setdefault("__all__", []).append("目录中还没有决策事项")
    first = catalogue.events.order_by("event_date").values_list("event_date", flat=True).first()
    if day and first and day < first:
        errors.setdefault("on", []).append(f"不能早于目录编制日期（{first:%Y-%m-%d}）")
    _raise(errors)
    assert day is not None
    catalogue.state, catalogue.party_agreed_on, catalogue.party_agreement = CatalogueState.AGREED, day, agreement.strip()
    catalogue.save(update_fields=["state", "party_agreed_on", "party_agreement"])
    items = [_item_data(i) for i in catalogue.items.filter(removed_on__isnull=True).select_related("lead_unit")]
    _event(catalogue, actor, "agreed", day, {"agreement": catalogue.party_agreement, "items": items})
    return catalogue


@transaction.atomic
def catalogue_publish(*, catalogue: DecisionCatalogue, actor: Actor, on: dt.date, channel: str) -> DecisionCatalogue:
    catalogue = _locked(catalogue)
    require_role(actor, catalogue.unit, APPROVE_ROLES, "公布决策事项目录")
    if catalogue.state == CatalogueState.DRAFT:
        raise TransitionNotAllowed(f"决策事项目录经同级党委同意后方可向社会公布（{LAW}）")
    if catalogue.state == CatalogueState.PUBLISHED:
        raise TransitionNotAllowed("该目录已经公布")
    errors: dict[str, list[str]] = {}
    day = _day(on, "on", errors, "公布日期")
    if not channel.strip():
        errors.setdefault("channel", []).append("请填写公布途径（如政府网站）")
    if day and catalogue.party_agreed_on and day < catalogue.party_agreed_on:
        errors.setdefault("on", []).append(f"不能早于同级党委同意的日期（{catalogue.party_agreed_on:%Y-%m-%d}）")
    _raise(errors)
    assert day is not None
    catalogue.state, catalogue.published_on, catalogue.publication_channel = CatalogueState.PUBLISHED, day, channel.strip()
    catalogue.save(update_fields=["state", "published_on", "publication_channel"])
    items = [_item_data(i) for i in catalogue.items.filter(removed_on__isnull=True).select_related("lead_unit")]
    _event(catalogue, actor, "published", day, {"channel": catalogue.publication_channel, "items": items})
    return catalogue
