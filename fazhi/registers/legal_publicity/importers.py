"""Spreadsheet imports of the 普法 tables: the 普法责任清单 items, the 法律明白人 and the 民主法治示范村
（社区）. All-or-nothing; every problem names the row and the column; re-importing the same file
changes nothing (rows are matched by 单位编码+年度+序号 / 编号)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from fazhi.core.errors import ImportFailed, PermissionDenied, ValidationFailed
from fazhi.core.importers import ImportResult
from fazhi.core.models import Unit
from fazhi.core.tabular import parse_date, read_table
from fazhi.core.types import Actor
from fazhi.registers.legal_publicity import selectors, services
from fazhi.registers.legal_publicity.models import DutyItem, DutyList

DUTY_COLUMNS = ["单位编码", "年度", "印发日期", "序号", "普法内容", "普法对象"]
DUTY_OPTIONAL = ["主要措施和活动", "时间安排"]


def _allowed(actor: Actor | None, unit: Unit) -> bool:
    return actor is None or selectors.can_edit(actor, unit)


def _units(rows: list[tuple[int, dict[str, Any]]], actor: Actor | None, problems: list[str]) -> dict[str, Unit]:
    units = {u.code: u for u in Unit.objects.filter(code__in=[str(r.get("单位编码", "")) for _, r in rows])}
    for row, r in rows:
        unit = units.get(str(r.get("单位编码", "")))
        if unit is None:
            problems.append(f"第{row}行“单位编码”：找不到单位 {r.get('单位编码', '')}")
        elif not _allowed(actor, unit):
            raise PermissionDenied(f"第{row}行：您无权维护{unit.name}的普法台账")
    return units


def _field_label(columns: tuple[services.Column, ...], field: str) -> str:
    return next((c.label for c in columns if c.name == field), field)


def table_import(table: str, *, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    _model, columns, check, _what = services.TABLES[table]
    parsed_table = read_table(data, filename, required=[c.label for c in columns if c.required])
    problems: list[str] = []
    units = _units(parsed_table.rows, actor, problems)
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for row, r in parsed_table.rows:
        values: dict[str, Any] = {}
        for col in columns:
            if col.kind == "unit":
                values["unit"] = units.get(str(r.get(col.label, "")))
                continue
            value, problem = services.parse_cell(col, r.get(col.label), services.CHOICES.get(col.name))
            if problem:
                problems.append(f"第{row}行“{col.label}”：{problem}")
            values[col.name] = value if value is not None or col.kind in ("date", "int") else ""
        if values.get("trainings") is None and any(c.name == "trainings" for c in columns):
            values["trainings"] = 0
        code = str(values.get("code") or "")
        if code in seen:
            problems.append(f"第{row}行“编号”：{code} 与第{seen[code]}行重复")
        seen[code] = row
        for field, messages in check(values).items():
            problems += [f"第{row}行“{_field_label(columns, field)}”：{m}" for m in messages]
        parsed.append((row, values))
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        for row, values in parsed:
            try:
                _obj, action = services.table_save(table, actor=actor, values=values)
            except ValidationFailed as exc:
                raise ImportFailed([f"第{row}行“{_field_label(columns, f)}”：{m}" for f, ms in exc.errors.items() for m in ms]) from exc
            result.created += action == "created"
            result.updated += action == "changed"
            result.unchanged += action == "unchanged"
            if progress:
                progress(1)
    return result


def liaisons_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    return table_import("legal_liaison", data=data, filename=filename, actor=actor, progress=progress)


def villages_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    return table_import("model_village", data=data, filename=filename, actor=actor, progress=progress)


def duties_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    """One row per item: the list (单位编码, 年度, 印发日期) is created with its first row."""
    table = read_table(data, filename, required=DUTY_COLUMNS)
    problems: list[str] = []
    units = _units(table.rows, actor, problems)
    parsed: list[tuple[int, Unit, int, Any, int, dict[str, str]]] = []
    seen: dict[tuple[str, int, int], int] = {}
    for row, r in table.rows:
        unit = units.get(str(r.get("单位编码", "")))
        try:
            year, number = int(str(r["年度"])), int(str(r["序号"]))
        except ValueError:
            problems.append(f"第{row}行“年度/序号”：应为整数")
            continue
        issued = parse_date(r["印发日期"])
        if issued is None:
            problems.append(f"第{row}行“印发日期”：无法识别日期“{r['印发日期']}”，请写成 2025-03-01")
        texts = {"content": str(r["普法内容"]), "target_groups": str(r["普法对象"])}
        texts |= {"planned_activities": str(r.get("主要措施和活动", "") or ""), "timing": str(r.get("时间安排", "") or "")}
        for field, messages in services.item_errors(texts["content"], texts["target_groups"]).items():
            problems += [f"第{row}行“{'普法内容' if field == 'content' else '普法对象'}”：{m}" for m in messages]
        key = (str(r.get("单位编码", "")), year, number)
        if key in seen:
            problems.append(f"第{row}行“序号”：与第{seen[key]}行重复")
        seen[key] = row
        if unit is not None:
            parsed.append((row, unit, year, issued, number, texts))
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        for row, unit, year, issued, number, texts in parsed:
            try:
                duty_list = DutyList.objects.filter(unit=unit, year=year).first() or services.list_create(unit=unit, actor=actor, year=year, issued_on=issued)
                existing = DutyItem.objects.filter(duty_list=duty_list, number=number).first()
                if existing is not None:
                    same = all(getattr(existing, k) == v.strip() for k, v in texts.items())
                    if not same:
                        raise ImportFailed([f"第{row}行“序号”：{unit.name}{year}年度清单的第{number}项已有不同内容；调整清单请在清单页面移出原事项后增列"])
                    result.unchanged += 1
                    continue
                if number != (duty_list.items.count() + 1):
                    raise ImportFailed(
                        [f"第{row}行“序号”：{unit.name}{year}年度清单现有{duty_list.items.count()}项，新增事项的序号应为{duty_list.items.count() + 1}"]
                    )
                services.item_add(duty_list=duty_list, actor=actor, **texts)
            except ValidationFailed as exc:
                labels = {"year": "年度", "issued_on": "印发日期", "content": "普法内容", "target_groups": "普法对象"}
                raise ImportFailed([f"第{row}行“{labels.get(f, f)}”：{m}" for f, ms in exc.errors.items() for m in ms]) from exc
            result.created += 1
            if progress:
                progress(1)
    return result
