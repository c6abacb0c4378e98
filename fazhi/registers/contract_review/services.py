"""The adviser directory (法律顾问 and 公职律师): created, changed and imported only here; every
change is an append-only ``AdviserChange`` and an audit leaf in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import ImportFailed, PermissionDenied, ValidationFailed
from fazhi.core.importers import ImportResult
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role
from fazhi.core.tabular import parse_date, read_table
from fazhi.core.types import Actor, actor_row_or_none
from fazhi.registers.contract_review.models import AdviserChange, AdviserKind, LegalAdviser
from fazhi.registers.contract_review.selectors import EDIT_ROLES, can_edit

FIELDS = ["name", "kind", "licence_number", "organisation", "term_start", "term_end", "appointment_reference"]
COLUMNS = ["单位编码", "姓名", "类别", "执业证号", "聘任起始日期", "聘用合同或任命文号"]
OPTIONAL = ["所在律师事务所或工作单位", "聘任截止日期"]
KINDS = {label: code for code, label in AdviserKind.choices} | {code: code for code, _ in AdviserKind.choices}


def change_bytes(change: AdviserChange) -> bytes:
    return canonical_bytes(
        {"v": 1, "adviser_change": change.pk, "adviser": change.adviser_id, "kind": change.kind, "data": change.data, "actor": change.actor_id}
    )


def adviser_change_reencode(ids: list[int]) -> dict[int, bytes]:
    return {c.pk: change_bytes(c) for c in AdviserChange.objects.filter(pk__in=ids)}


def advisers_serving(unit: Unit, day: dt.date) -> QuerySet[LegalAdviser]:
    ancestors = [unit.path[: i + 1] for i in range(len(unit.path)) if unit.path[i] == "."]
    return LegalAdviser.objects.filter(unit__path__in=ancestors, term_start__lte=day).filter(Q(term_end__isnull=True) | Q(term_end__gte=day))


def _snapshot(adviser: LegalAdviser) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": adviser.unit_id}
    for f in FIELDS:
        v = getattr(adviser, f)
        out[f] = v.isoformat() if isinstance(v, dt.date) else v
    return out


def _term_over(adviser: LegalAdviser) -> None:
    adviser.term_over_on = adviser.term_end + dt.timedelta(days=1) if adviser.term_end else None


def _record(adviser: LegalAdviser, kind: str, actor: Actor | None) -> None:
    user = actor if getattr(actor, "pk", None) else None
    change = AdviserChange.objects.create(adviser=adviser, kind=kind, data=_snapshot(adviser), actor=actor_row_or_none(user), occurred_at=timezone.now())
    audit_append(source="legal_adviser", source_id=change.pk, data=change_bytes(change))


def _check(values: dict[str, Any], unit: Unit, exclude: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for f, label in (("name", "姓名"), ("licence_number", "执业证号"), ("appointment_reference", "聘用合同或任命文号")):
        if not str(values.get(f) or "").strip():
            errors.setdefault(f, []).append(f"请填写{label}")
    if values.get("kind") not in KINDS.values():
        errors.setdefault("kind", []).append("类别应为法律顾问或公职律师")
    start, end = values.get("term_start"), values.get("term_end")
    if not isinstance(start, dt.date):
        errors.setdefault("term_start", []).append("请填写聘任起始日期")
    if values.get("kind") == "legal_adviser" and not isinstance(end, dt.date):
        errors.setdefault("term_end", []).append("法律顾问应填写聘任截止日期（聘用合同约定的期限）")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors.setdefault("term_end", []).append("聘任截止日期不能早于起始日期")
    number = str(values.get("licence_number") or "").strip()
    same = LegalAdviser.objects.filter(unit=unit, licence_number=number)
    if number and (same.exclude(pk=exclude) if exclude is not None else same).exists():
        errors.setdefault("licence_number", []).append(f"{unit.name}的名录中已有执业证号 {number}")
    return errors


@transaction.atomic
def adviser_save(*, actor: Actor | None, unit: Unit, values: dict[str, Any], adviser: LegalAdviser | None = None) -> LegalAdviser:
    """Create an adviser of ``unit`` or change ``adviser``; refused with the field's message.
    ``actor`` None is the operator (the command line's import)."""
    if actor is not None:
        require_role(actor, unit, EDIT_ROLES, "维护法律顾问和公职律师名录", admin=True)
    if adviser is not None:
        adviser = LegalAdviser.objects.select_for_update().get(pk=adviser.pk)
        if actor is not None:
            require_role(actor, adviser.unit, EDIT_ROLES, "维护法律顾问和公职律师名录", admin=True)
    values = {f: (v.strip() if isinstance(v, str) else v) for f, v in values.items() if f in FIELDS}
    errors = _check(values, unit, adviser.pk if adviser else None)
    if errors:
        raise ValidationFailed(errors)
    if adviser is None:
        adviser = LegalAdviser(unit=unit, **{f: values.get(f) or ("" if f not in ("term_start", "term_end") else None) for f in FIELDS})
        _term_over(adviser)
        adviser.save()
        _record(adviser, "created", actor)
        return adviser
    before = _snapshot(adviser)
    adviser.unit = unit
    for f in FIELDS:
        setattr(adviser, f, values.get(f) or ("" if f not in ("term_start", "term_end") else None))
    _term_over(adviser)
    adviser.save()
    if _snapshot(adviser) != before:
        _record(adviser, "updated", actor)
    return adviser


def advisers_import(*, data: bytes, filename: str, actor: Actor | None = None, progress: Callable[[int], None] | None = None) -> ImportResult:
    """The directory from xlsx/csv: all-or-nothing, re-runnable (a row is matched by 单位编码 and
    执业证号), every message naming row and column."""
    table = read_table(data, filename, required=COLUMNS)
    units = {u.code: u for u in Unit.objects.filter(code__in=[str(r["单位编码"]) for _, r in table.rows])}
    problems: list[str] = []
    parsed: list[tuple[Unit, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    labels = {"name": "姓名", "kind": "类别", "licence_number": "执业证号", "term_start": "聘任起始日期", "term_end": "聘任截止日期"}
    labels |= {"appointment_reference": "聘用合同或任命文号"}
    for row, r in table.rows:
        unit = units.get(str(r["单位编码"]))
        if unit is None:
            problems.append(f"第{row}行“单位编码”：找不到单位 {r['单位编码']}")
            continue
        if actor is not None and not can_edit(actor, unit):
            raise PermissionDenied(f"第{row}行：您无权维护{unit.name}的法律顾问和公职律师名录")
        kind = KINDS.get(str(r["类别"]).strip())
        if kind is None:
            problems.append(f"第{row}行“类别”：无法识别“{r['类别']}”，应为 法律顾问 或 公职律师")
        values: dict[str, Any] = {
            "name": str(r["姓名"]),
            "kind": kind,
            "licence_number": str(r["执业证号"]),
            "organisation": str(r.get("所在律师事务所或工作单位", "") or ""),
            "appointment_reference": str(r["聘用合同或任命文号"]),
        }
        for col, f in (("聘任起始日期", "term_start"), ("聘任截止日期", "term_end")):
            raw = r.get(col, "")
            day = parse_date(raw) if str(raw or "").strip() else None
            if str(raw or "").strip() and day is None:
                problems.append(f"第{row}行“{col}”：无法识别日期“{raw}”，请写成 2025-03-01")
            values[f] = day
        key = (unit.code, values["licence_number"].strip())
        if key in seen:
            problems.append(f"第{row}行“执业证号”：{key[1]} 与第{seen[key]}行重复")
        seen[key] = row
        existing = LegalAdviser.objects.filter(unit=unit, licence_number=key[1]).first()
        if kind is not None:
            for f, messages in _check(values, unit, existing.pk if existing else -1).items():
                problems += [f"第{row}行“{labels.get(f, f)}”：{m}" for m in messages if not (f in ("term_start", "term_end") and "无法识别" in m)]
        parsed.append((unit, values))
    if problems:
        raise ImportFailed(problems)
    result = ImportResult()
    with transaction.atomic():
        for unit, values in parsed:
            existing = LegalAdviser.objects.filter(unit=unit, licence_number=values["licence_number"].strip()).first()
            before = _snapshot(existing) if existing else None
            saved = adviser_save(actor=actor, unit=unit, values=values, adviser=existing)
            if before is None:
                result.created += 1
            elif _snapshot(saved) != before:
                result.updated += 1
            else:
                result.unchanged += 1
            if progress:
                progress(1)
    return result


def _encode(value: Any) -> Any:
    if hasattr(value, "pk"):  # the unit served: recorded by its id
        return value.pk
    return value.isoformat() if isinstance(value, dt.date) else value


def records_check_all(progress: Any = None) -> tuple[int, list[str]]:
    """Each 法律顾问 directory entry against its change rows (``fazhi audit verify``)."""
    from fazhi.audit.projection import records_check

    changes = AdviserChange.objects.order_by("pk").values_list("adviser_id", "data")
    n, problems = records_check(label=str(LegalAdviser._meta.verbose_name), model=LegalAdviser, changes=changes, encode=_encode)
    if progress:
        progress(n)
    return n, problems


def records_count() -> int:
    return LegalAdviser.objects.count()
