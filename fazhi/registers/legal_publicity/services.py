"""The tables of 普法: the 普法责任清单 and its items, the 法律明白人 and the 民主法治示范村（社区）.

Every write is one ``TableChange`` row (the record as written) and an audit leaf, in the same
transaction. The field checks here are the ones the staff forms and the spreadsheet imports share,
so a refused value reads the same in both (the import adds the row number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role
from fazhi.core.tabular import parse_date
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.legal_publicity.models import DutyItem, DutyList, LegalLiaison, ModelVillage, TableChange, VillageLevel
from fazhi.registers.legal_publicity.selectors import EDIT_ROLES

SOURCE = "legal_publicity_table"


# ---------------------------------------------------------------- audit


def change_bytes(change: TableChange) -> bytes:
    return canonical_bytes(
        {
            "v": 1,
            "legal_publicity_change": change.pk,
            "table": change.table,
            "record": change.record_id,
            "action": change.action,
            "data": change.data,
            "actor": change.actor_id,
        }
    )


def change_reencode(ids: list[int]) -> dict[int, bytes]:
    return {c.pk: change_bytes(c) for c in TableChange.objects.filter(pk__in=ids)}


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _record(table: str, obj: models.Model, action: str, actor: Actor | None, fields: list[str]) -> TableChange:
    data = {f: _json(getattr(obj, f)) for f in fields}
    change = TableChange.objects.create(table=table, record_id=obj.pk, action=action, data=data, actor=actor_row_or_none(actor), occurred_at=timezone.now())
    audit_append(source=SOURCE, source_id=change.pk, data=change_bytes(change))
    return change


def _require(actor: Actor | None, unit: Unit, what: str) -> None:
    """The actor's role over the unit; ``None`` is the operator at the command line (``fazhi import``)."""
    if actor is not None:
        require_role(actor, unit, EDIT_ROLES, what, admin=True)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(errors)


# ---------------------------------------------------------------- 普法责任清单

LIST_FIELDS = ["unit", "year", "title", "issued_on", "year_starts_on"]
ITEM_FIELDS = ["duty_list", "code", "number", "content", "target_groups", "planned_activities", "timing", "removed_on"]


def _not_future(on: Any, field: str, what: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(on, dt.date):
        errors.setdefault(field, []).append(f"请填写{what}")
    elif on > timezone.localdate() + dt.timedelta(days=1):
        errors.setdefault(field, []).append(f"{what}不能晚于今天")


@transaction.atomic
def list_create(*, unit: Unit, actor: Actor | None, year: int, issued_on: dt.date, title: str = "") -> DutyList:
    _require(actor, unit, "制定普法责任清单")
    errors: dict[str, list[str]] = {}
    _not_future(issued_on, "issued_on", "印发日期", errors)
    if not 2017 <= year <= timezone.localdate().year + 1:
        errors.setdefault("year", []).append("年度应在2017年（普法责任制意见印发）至明年之间")
    elif DutyList.objects.filter(unit=unit, year=year).exists():
        errors.setdefault("year", []).append(f"{unit.name}已有{year}年度的普法责任清单，请在原清单中增列事项")
    _raise(errors)
    duty_list = DutyList.objects.create(
        unit=unit, year=year, title=title.strip() or f"{unit.name}{year}年度普法责任清单", issued_on=issued_on, year_starts_on=dt.date(year, 1, 1)
    )
    _record("duty_list", duty_list, "created", actor, LIST_FIELDS)
    return duty_list


def item_errors(content: str, target_groups: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not content.strip():
        errors.setdefault("content", []).append("请填写普法内容（宣传的法律法规或主题）")
    if not target_groups.strip():
        errors.setdefault("target_groups", []).append("请填写普法对象")
    return errors


@transaction.atomic
def item_add(*, duty_list: DutyList, actor: Actor | None, content: str, target_groups: str, planned_activities: str = "", timing: str = "") -> DutyItem:
    _require(actor, duty_list.unit, "维护普法责任清单")
    _raise(item_errors(content, target_groups))
    number = (duty_list.items.aggregate(n=models.Max("number"))["n"] or 0) + 1
    item = DutyItem.objects.create(
        duty_list=duty_list,
        code=f"{duty_list.unit.code}-{duty_list.year}-{number:02d}",
        number=number,
        content=content.strip(),
        target_groups=target_groups.strip(),
        planned_activities=planned_activities.strip(),
        timing=timing.strip(),
    )
    _record("duty_item", item, "created", actor, ITEM_FIELDS)
    return item


@transaction.atomic
def item_remove(*, item: DutyItem, actor: Actor, on: dt.date) -> DutyItem:
    _require(actor, item.duty_list.unit, "维护普法责任清单")
    errors: dict[str, list[str]] = {}
    _not_future(on, "removed_on", "移出日期", errors)
    if item.removed_on:
        errors.setdefault("removed_on", []).append(f"该事项已于{item.removed_on:%Y-%m-%d}移出清单")
    _raise(errors)
    item.removed_on = on
    item.save(update_fields=["removed_on"])
    _record("duty_item", item, "removed", actor, ITEM_FIELDS)
    return item


def coverage(duty_list: DutyList) -> tuple[int, int]:
    """(items with at least one activity that counts, items still on the list)."""
    items = [i for i in duty_list.items.all() if i.removed_on is None]
    return sum(1 for i in items if i.first_activity_on), len(items)


# ---------------------------------------------------------------- 法律明白人 and 示范村: one column spec for form, import, export


@dataclass(frozen=True)
class Column:
    name: str  # model field
    label: str  # spreadsheet heading (the field's label)
    kind: str  # text | date | int | choice | unit
    required: bool = True
    personal: bool = False  # masked in the 公开版


LIAISON_COLUMNS = (
    Column("unit", "单位编码", "unit"),
    Column("code", "编号", "text"),
    Column("name", "姓名", "text", personal=True),
    Column("phone", "联系电话", "text", required=False, personal=True),
    Column("village", "所在村（社区）", "text"),
    Column("selected_on", "选任日期", "date"),
    Column("trainings", "本年度参加培训（次）", "int", required=False),
    Column("last_trained_on", "最近一次培训日期", "date", required=False),
    Column("left_on", "退出日期", "date", required=False),
)
VILLAGE_COLUMNS = (
    Column("unit", "单位编码", "unit"),
    Column("code", "编号", "text"),
    Column("name", "村（社区）名称", "text"),
    Column("level", "命名级别", "choice"),
    Column("named_year", "命名年度", "int"),
    Column("named_on", "命名日期", "date"),
    Column("revoked_on", "撤销命名日期", "date", required=False),
)


def parse_cell(col: Column, raw: Any, choices: list[tuple[str, str]] | None = None) -> tuple[Any, str]:
    """A cell as typed (form or spreadsheet) -> (value, problem)."""
    text = "" if raw is None else str(raw).strip()
    if isinstance(raw, dt.date | int) and not isinstance(raw, bool):
        text = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    if not text:
        return (None if col.kind in ("date", "int", "unit") else ""), ("不能为空" if col.required else "")
    if col.kind == "date":
        day = parse_date(raw)
        return (day, "") if day else (None, f"无法识别日期“{text}”，请写成 2025-03-01")
    if col.kind == "int":
        try:
            number = int(text)
        except ValueError:
            return None, f"应为整数，而不是“{text}”"
        return (number, "") if number >= 0 else (None, "不能为负数")
    if col.kind == "choice":
        for code, label in choices or []:
            if text in (code, label):
                return code, ""
        if text in ALIASES.get(col.name, {}):
            return ALIASES[col.name][text], ""
        return None, f"无法识别“{text}”，可填 {'、'.join(label for _, label in choices or [])}"
    return text, ""


def liaison_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate() + dt.timedelta(days=1)
    for f in ("selected_on", "last_trained_on", "left_on"):
        if values.get(f) and values[f] > today:
            errors.setdefault(f, []).append("日期不能晚于今天")
    sel = values.get("selected_on")
    for f, what in (("last_trained_on", "最近一次培训日期"), ("left_on", "退出日期")):
        if values.get(f) and sel and values[f] < sel:
            errors.setdefault(f, []).append(f"{what}不能早于选任日期（{sel:%Y-%m-%d}）")
    if (values.get("trainings") or 0) > 0 and not values.get("last_trained_on"):
        errors.setdefault("last_trained_on", []).append("填写了参加培训次数的，请填写最近一次培训日期")
    phone = str(values.get("phone") or "")
    if phone and not phone.replace("-", "").isdigit():
        errors.setdefault("phone", []).append("联系电话只能包含数字和“-”")
    return errors


def village_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate() + dt.timedelta(days=1)
    named, year = values.get("named_on"), values.get("named_year")
    for f in ("named_on", "revoked_on"):
        if values.get(f) and values[f] > today:
            errors.setdefault(f, []).append("日期不能晚于今天")
    if named and year and named.year != year:
        errors.setdefault("named_year", []).append(f"命名年度应与命名日期的年份（{named.year}）一致")
    if values.get("revoked_on") and named and values["revoked_on"] < named:
        errors.setdefault("revoked_on", []).append(f"撤销命名日期不能早于命名日期（{named:%Y-%m-%d}）")
    return errors


TABLES: dict[str, tuple[Any, tuple[Column, ...], Callable[[dict[str, Any]], dict[str, list[str]]], str]] = {
    "legal_liaison": (LegalLiaison, LIAISON_COLUMNS, liaison_errors, "登记法律明白人"),
    "model_village": (ModelVillage, VILLAGE_COLUMNS, village_errors, "登记民主法治示范村（社区）"),
}
CHOICES: dict[str, list[tuple[str, str]]] = {"level": [(str(c), str(label)) for c, label in VillageLevel.choices]}
# what people also write in a spreadsheet for the same level
ALIASES: dict[str, dict[str, str]] = {"level": {"国家级": "national", "全国级": "national", "省": "provincial", "省级示范": "provincial", "市": "municipal"}}


def table_save(table: str, *, actor: Actor | None, values: dict[str, Any], obj: Any = None) -> tuple[Any, str]:
    """Create or change one row ('created' / 'changed' / 'unchanged'); runs in the caller's
    transaction (the import's, all-or-nothing) or its own."""
    model, columns, check, what = TABLES[table]
    with transaction.atomic():
        unit = values["unit"]
        _require(actor, unit, what)
        errors = check(values)
        if obj is None:
            obj = model.objects.filter(code=values["code"]).first()
        if model is ModelVillage:
            same = ModelVillage.objects.filter(name=values.get("name"), level=values.get("level")).exclude(pk=obj.pk if obj is not None else 0).first()
            if same is not None:
                errors.setdefault("name", []).append(f"该村（社区）已作为{same.get_level_display()}示范村（社区）登记，编号 {same.code}")
        _raise(errors)
        fields = [c.name for c in columns]
        if obj is not None:
            _require(actor, obj.unit, what)
        if obj is None:
            obj = model.objects.create(**values)
            _record(table, obj, "created", actor, fields)
            return obj, "created"
        if all(getattr(obj, f) == v for f, v in values.items()):
            return obj, "unchanged"
        for f, v in values.items():
            setattr(obj, f, v)
        obj.save()
        _record(table, obj, "changed", actor, fields)
        return obj, "changed"


def _record_models() -> dict[str, type[models.Model]]:
    return {"duty_list": DutyList, "duty_item": DutyItem} | {table: spec[0] for table, spec in TABLES.items()}


def records_check_all(progress: Any = None) -> tuple[int, list[str]]:
    """Each 清单, 清单事项, 法律明白人 and 示范村 row against its change rows (``fazhi audit verify``)."""
    from fazhi.audit.projection import records_check

    total, problems = 0, list[str]()
    for table, model in _record_models().items():
        changes = TableChange.objects.filter(table=table).order_by("pk").values_list("record_id", "data")
        n, found = records_check(label=str(model._meta.verbose_name), model=model, changes=changes, encode=_json)
        total, problems = total + n, problems + found
        if progress:
            progress(n)
    return total, problems


def records_count() -> int:
    return sum(m._default_manager.count() for m in _record_models().values())
