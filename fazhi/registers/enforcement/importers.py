"""Import of the 权责清单 (powers) and of the 执法人员 directory from xlsx/csv: all-or-nothing,
re-runnable (rows are matched by 事项编码 / 执法证号), messages naming row and column."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

from django.db import transaction

from fazhi.core.errors import ImportFailed, PermissionDenied
from fazhi.core.importers import ImportResult
from fazhi.core.models import Unit
from fazhi.core.selectors import user_has_role, user_is_admin
from fazhi.core.tabular import parse_bool, parse_date, read_table
from fazhi.core.types import Actor
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import ActionKind, Officer, OfficerExam, PowerItem, Sector

POWER_COLUMNS = ["单位编码", "事项编码", "事项名称", "职权类别", "设定依据"]
POWER_OPTIONAL = ["办理程序", "救济途径", "涉刑罪名", "有效", "适用的程序规定"]
OFFICER_COLUMNS = ["单位编码", "姓名", "执法证号", "发证日期", "有效期至"]
OFFICER_OPTIONAL = ["法律职业资格", "在岗", "年度", "考试成绩"]
KINDS = {label: code for code, label in ActionKind.choices} | {"处罚": "penalty", "许可": "licence", "强制": "coercion", "检查": "inspection"}


def _unit_checker(actor: Actor | None) -> Callable[[Unit], bool]:
    if actor is None or user_is_admin(actor):
        return lambda unit: True
    return lambda unit: user_has_role(actor, unit, {"head", "reviewer"})


def _upsert(model: Any, key: str, rows: list[dict[str, Any]], result: ImportResult, progress: Callable[[int], None] | None) -> dict[str, Any]:
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": [r[key] for r in rows]})}
    saved = {}
    for values in rows:
        obj = existing.get(values[key])
        if obj is None:
            obj = model.objects.create(**values)
            result.created += 1
        elif any(getattr(obj, k if k != "unit" else "unit_id") != (v.pk if k == "unit" else v) for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            result.updated += 1
        else:
            result.unchanged += 1
        saved[values[key]] = obj
        if progress:
            progress(1)
    return saved


def _rows(data: bytes, filename: str, required: list[str], actor: Actor | None) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, Unit], list[str]]:
    table = read_table(data, filename, required=required)
    units = {u.code: u for u in Unit.objects.filter(code__in=[str(r["单位编码"]) for _, r in table.rows])}
    allowed = _unit_checker(actor)
    problems = []
    for row, r in table.rows:
        unit = units.get(str(r["单位编码"]))
        if unit is None:
            problems.append(f"第{row}行“单位编码”：找不到单位 {r['单位编码']}")
        elif not allowed(unit):
            raise PermissionDenied(f"第{row}行：您无权维护{unit.name}的权责清单和执法人员")
    return table.rows, units, problems


def powers_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    rows, units, problems = _rows(data, filename, POWER_COLUMNS, actor)
    known_offences = rules.offences()
    by_label = {label: code for code, label in known_offences.items()} | {label.split("（")[0]: code for code, label in known_offences.items()}
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row, r in rows:
        code = str(r["事项编码"])
        for col in ("事项编码", "事项名称", "设定依据"):
            if not str(r[col]):
                problems.append(f"第{row}行“{col}”：不能为空")
        if code in seen:
            problems.append(f"第{row}行“事项编码”：{code} 与第{seen[code]}行重复")
        seen[code] = row
        kind = KINDS.get(str(r["职权类别"]))
        if kind is None:
            problems.append(f"第{row}行“职权类别”：无法识别“{r['职权类别']}”，应为 {'、'.join(label for _, label in ActionKind.choices)}")
        offence_raw = str(r.get("涉刑罪名", "") or "")
        offence = offence_raw if offence_raw in known_offences else by_label.get(offence_raw, "")
        if offence_raw and not offence:
            problems.append(f"第{row}行“涉刑罪名”：无法识别“{offence_raw}”，可填 {'、'.join(label.split('（')[0] for label in known_offences.values())}")
        sector_raw = str(r.get("适用的程序规定", "") or "")
        sector = next((code for code, label in Sector.choices if sector_raw in (code, label)), None) if sector_raw else ""
        if sector is None:
            problems.append(f"第{row}行“适用的程序规定”：无法识别“{sector_raw}”，可填 {'、'.join(label for code, label in Sector.choices if code)} 或留空")
        active = parse_bool(r.get("有效", "是") or "是")
        if active is None:
            problems.append(f"第{row}行“有效”：应填“是”或“否”")
        parsed.append(
            {
                "code": code,
                "unit": units.get(str(r["单位编码"])),
                "name": str(r["事项名称"]),
                "kind": kind,
                "legal_basis": str(r["设定依据"]),
                "procedure": str(r.get("办理程序", "") or ""),
                "remedy": str(r.get("救济途径", "") or ""),
                "offence": offence,
                "sector": sector or "",
                "active": bool(active),
            }
        )
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        _upsert(PowerItem, "code", parsed, result, progress)
    return result


def officers_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    rows, units, problems = _rows(data, filename, OFFICER_COLUMNS, actor)
    parsed: list[dict[str, Any]] = []
    exams: list[tuple[str, int, decimal.Decimal]] = []
    seen: dict[str, int] = {}
    for row, r in rows:
        code = str(r["执法证号"])
        if not code or not str(r["姓名"]):
            problems.append(f"第{row}行“{'执法证号' if not code else '姓名'}”：不能为空")
        if code in seen:
            problems.append(f"第{row}行“执法证号”：{code} 与第{seen[code]}行重复")
        seen[code] = row
        issued, until = parse_date(r["发证日期"]), parse_date(r["有效期至"])
        for col, day in (("发证日期", issued), ("有效期至", until)):
            if day is None:
                problems.append(f"第{row}行“{col}”：无法识别日期“{r[col]}”，请写成 2025-03-01")
        if issued and until and until < issued:
            problems.append(f"第{row}行“有效期至”：不能早于发证日期")
        flags: dict[str, bool] = {}
        for col, default in (("法律职业资格", "否"), ("在岗", "是")):
            flag = parse_bool(r.get(col, default) or default)
            if flag is None:
                problems.append(f"第{row}行“{col}”：应填“是”或“否”")
            flags[col] = bool(flag)
        year_text, score_text = str(r.get("年度", "") or ""), str(r.get("考试成绩", "") or "")
        if year_text or score_text:
            try:
                exams.append((code, int(year_text), decimal.Decimal(score_text)))
            except (ValueError, decimal.InvalidOperation):
                problems.append(f"第{row}行“年度/考试成绩”：应为年份和数字成绩")
        parsed.append(
            {
                "code": code,
                "unit": units.get(str(r["单位编码"])),
                "name": str(r["姓名"]),
                "certificate_issued_on": issued,
                "certificate_valid_until": until,
                "legal_qualification": flags["法律职业资格"],
                "active": flags["在岗"],
            }
        )
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        saved = _upsert(Officer, "code", parsed, result, progress)
        for code, year, score in exams:
            OfficerExam.objects.update_or_create(officer=saved[code], year=year, defaults={"score": score, "passed": score >= 60})
    return result
