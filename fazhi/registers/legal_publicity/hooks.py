"""Checks of the 普法活动 register and the coverage of the 普法责任清单 it feeds."""

from __future__ import annotations

from typing import Any

from django.db.models import Min

from fazhi.core.pagecache import RECORDS, bump
from fazhi.registers.framework.checks import DateOrder, date_errors
from fazhi.registers.framework.definition import CREATE

DATE_ORDER: DateOrder = [
    ("confirmed_on", ("received_on",), "活动日期"),
    ("withdrawn_on", ("received_on",), "活动日期"),
]


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def item_errors(matter: Any, errors: dict[str, list[str]]) -> None:
    """The item must be on the activity's own unit's list for the year the activity was held."""
    item = matter.duty_item
    if item is None:
        return
    duty_list = item.duty_list
    if duty_list.unit_id != matter.unit_id:
        _add(errors, "duty_item", f"该事项属于{duty_list.unit.name}的普法责任清单，不是{matter.unit.name}的；请选择本单位清单中的事项")
    elif matter.received_on and duty_list.year != matter.received_on.year:
        _add(errors, "duty_item", f"该事项属于{duty_list.year}年度的普法责任清单，活动日期在{matter.received_on.year}年；请选择当年清单中的事项")
    elif item.removed_on and matter.received_on and item.removed_on <= matter.received_on:
        _add(errors, "duty_item", f"该事项已于{item.removed_on:%Y-%m-%d}移出普法责任清单")


class PublicityHooks:
    def validate(self, matter: Any, transition: str, data: dict[str, Any]) -> dict[str, list[str]]:
        errors = date_errors(None if transition == CREATE else matter, data, DATE_ORDER)
        if transition == CREATE:
            if data.get("kind") == "other" and not str(data.get("kind_detail") or "").strip():
                _add(errors, "kind_detail", "活动形式为“其他”的，请说明具体形式")
            if data.get("kind") not in (None, "", "other") and str(data.get("kind_detail") or "").strip():
                _add(errors, "kind_detail", "只有活动形式为“其他”时才填写此项")
            item_errors(matter, errors)
        if "participants" in data and (data["participants"] is None or int(data["participants"]) < 1):
            _add(errors, "participants", "参与人次应至少为1；无法逐一统计的，请填写估算数并勾选“人次为估算”")
        if transition == "withdraw" and not str(data.get("withdrawal_reason") or "").strip():
            _add(errors, "withdrawal_reason", "请写明撤销登记的理由（如误登、重复登记）")
        return errors

    def after(self, matter: Any, transition: str, event: Any) -> None:
        if transition in (CREATE, "withdraw") and matter.duty_item_id:
            refresh_coverage(matter.duty_item_id)


def refresh_coverage(item_id: int) -> None:
    """The item's first activity, from the activities that still count (not withdrawn); written
    in the transaction of the step that changed it, whose event is the audited record."""
    from fazhi.registers.legal_publicity.models import DutyItem, PublicityActivity

    first = PublicityActivity.objects.filter(duty_item_id=item_id).exclude(state="withdrawn").aggregate(first=Min("received_on"))["first"]
    DutyItem.objects.filter(pk=item_id).update(first_activity_on=first)
    bump(RECORDS)  # an update sends no post_save: the cached figures count duty items
