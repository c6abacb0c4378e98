"""The indicator catalogue, declared once under ``definitions/indicators/``.

An indicator is one of a closed set of types, built from *measures*: a count or a sum of one
register's matters, anchored on one of their dates, with a structured filter (``where``).
Filters are data (field -> value, list, or a small set of operators); they are compiled to ORM
``Q`` objects for the raw rows (traces, checks) and evaluated on a matter in Python to keep
the rollups up to date as steps are recorded. No SQL in YAML.

Types:
- ``count``: matters whose ``date`` falls in the period (and match ``where``);
- ``sum``: the sum of ``field`` over those matters;
- ``ratio``: ``numerator`` (an extra filter) over the ``where`` matters, in per cent;
- ``on_time``: share of the matters whose ``clock`` deadline was kept, among those it ran for;
- ``median_days``: median of ``date`` − ``from`` in calendar days;
- ``open_at``: matters open at the start (carried in) or the end (carried out) of the period:
  received before that day and not yet concluded by any of the ``until`` dates;
- ``yoy``: an indicator of the catalogue this period and the same period a year earlier.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist

from fazhi.core.errors import DefinitionError
from fazhi.core.strictyaml import check_keys, load_strict
from fazhi.registers.framework.registry import REGISTRY

TYPES = ("count", "sum", "mean", "ratio", "on_time", "median_days", "open_at", "yoy")
TABLE_TYPES = ("count", "sum", "mean", "ratio", "open_at", "yoy")  # no clocks, no outcome groups on tables


def source_model(name: str) -> Any:
    """The model behind a register or a non-register table."""
    from fazhi.indicators.tables import TABLES

    return REGISTRY[name].model if name in REGISTRY else TABLES[name].model


def source_label(name: str) -> str:
    from fazhi.indicators.tables import TABLES

    return REGISTRY[name].definition.label if name in REGISTRY else TABLES[name].label


def unit_path(name: str) -> str:
    """The ORM path from a row of the source to its unit."""
    from fazhi.indicators.tables import TABLES

    return "unit" if name in REGISTRY else TABLES[name].unit


def is_table(name: str) -> bool:
    return name not in REGISTRY


OPERATORS = {"not", "in", "not_in", "isnull", "gte", "lte", "gt", "lt"}
SPECIAL = {"outcome_group", "deadline"}  # where-keys that are not fields


@dataclass(frozen=True)
class Measure:
    """One rollup series: a count (and a sum, in cents, when ``field`` is set) of a register's
    matters by unit and day of ``date``; ``since`` makes it a histogram of days between the two
    dates (for medians). ``date`` may name several fields: the earliest one filled counts."""

    register: str
    date: tuple[str, ...]
    where: tuple[tuple[str, Any], ...]
    field: str = ""
    since: str = ""

    @functools.cached_property
    def key(self) -> str:
        raw = json.dumps([self.register, self.date, self.where, self.field, self.since], sort_keys=True, ensure_ascii=False, default=str)
        return self.register[:8] + "-" + hashlib.sha256(raw.encode()).hexdigest()[:12]

    @property
    def where_dict(self) -> dict[str, Any]:
        return {k: _thaw(v) for k, v in self.where}


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in value):
        return {k: _thaw(v) for k, v in value}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    type: str
    register: str
    unit: str
    formula: str
    source: str
    section: str
    variant: str = ""
    measures: dict[str, Measure] = field(default_factory=dict)  # role -> measure
    of: str = ""  # yoy: the indicator compared
    at: str = ""  # open_at: start | end
    min_denominator: int = 0  # ratios: below this many, the value is flagged as unreliable
    table: bool = False  # counted from a non-register table (no rollups)


def _where(raw: Any, reg_name: str, filename: str, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DefinitionError(f"{filename}: {where} 的 where 应为映射")
    from fazhi.indicators.tables import resolve

    model = source_model(reg_name)
    for key, value in raw.items():
        if key in SPECIAL:
            if is_table(reg_name):
                raise DefinitionError(f"{filename}: {where} 的条件 {key} 只适用于登记簿")
            continue
        try:
            resolve(model, key)
        except FieldDoesNotExist:
            raise DefinitionError(f"{filename}: {where} 的条件字段 {key!r} 不是“{source_label(reg_name)}”的字段") from None
        if isinstance(value, dict) and not set(value) <= OPERATORS:
            raise DefinitionError(f"{filename}: {where} 的条件 {key} 含未知的运算 {sorted(set(value) - OPERATORS)}")
    if "outcome_group" in raw:
        groups = {o.group for o in REGISTRY[reg_name].definition.outcomes.values()}
        wanted = raw["outcome_group"] if isinstance(raw["outcome_group"], list) else [raw["outcome_group"]]
        for g in wanted:
            if g not in groups:
                raise DefinitionError(f"{filename}: {where} 的 outcome_group {g!r} 未在登记簿定义中出现（有：{sorted(groups)}）")
    return dict(raw)


def _dates(raw: Any, reg_name: str, filename: str, where: str) -> tuple[str, ...]:
    from fazhi.indicators.tables import resolve

    values = raw if isinstance(raw, list) else [raw]
    model = source_model(reg_name)
    for v in values:
        try:
            f = resolve(model, str(v))
        except FieldDoesNotExist:
            raise DefinitionError(f"{filename}: {where} 的日期字段 {v!r} 不存在") from None
        if f.get_internal_type() != "DateField":
            raise DefinitionError(f"{filename}: {where} 的 {v!r} 不是日期字段")
    return tuple(str(v) for v in values)


def _load_file(path: Path, out: dict[str, Indicator]) -> None:
    filename = str(path)
    from fazhi.indicators.tables import TABLES

    top = check_keys(load_strict(path), allowed={"register", "table", "section", "indicators"}, required={"indicators"}, filename=filename, where="file")
    if ("register" in top) == ("table" in top):
        raise DefinitionError(f"{filename}: 须给出 register（登记簿）或 table（其他数据表）之一")
    reg_name = str(top.get("register") or top.get("table"))
    if "register" in top and reg_name not in REGISTRY:
        raise DefinitionError(f"{filename}: 未知的登记簿 {reg_name!r}")
    if "table" in top and reg_name not in TABLES:
        raise DefinitionError(f"{filename}: 未知的数据表 {reg_name!r}（有：{', '.join(TABLES)}）")
    allowed = {
        "code",
        "name",
        "type",
        "unit",
        "formula",
        "source",
        "variant",
        "date",
        "where",
        "numerator",
        "field",
        "from",
        "clock",
        "of",
        "at",
        "until",
        "min_denominator",
    }
    for raw in top["indicators"]:
        ind = check_keys(raw, allowed=allowed, required={"code", "name", "type", "formula", "source"}, filename=filename, where="indicator")
        code, kind = str(ind["code"]), str(ind["type"])
        where = f"指标 {code}"
        if kind not in TYPES:
            raise DefinitionError(f"{filename}:{ind.line}: {where} 的类型 {kind!r} 不在 {TYPES} 中")
        if is_table(reg_name) and kind not in TABLE_TYPES:
            raise DefinitionError(f"{filename}:{ind.line}: {where} 的类型 {kind} 只适用于登记簿")
        if code in out:
            raise DefinitionError(f"{filename}:{ind.line}: 指标编码 {code} 重复")
        base = _where(ind.get("where"), reg_name, filename, where)
        measures: dict[str, Measure] = {}
        if kind in ("count", "sum", "mean", "ratio", "on_time", "median_days"):
            if "date" not in ind:
                raise DefinitionError(f"{filename}:{ind.line}: {where} 缺少 date")
            date = _dates(ind["date"], reg_name, filename, where)
        if kind == "count":
            measures["value"] = Measure(reg_name, date, _freeze(base))
        elif kind in ("sum", "mean"):
            fname = str(ind.get("field", ""))
            if fname not in {f.name for f in source_model(reg_name)._meta.concrete_fields}:
                raise DefinitionError(f"{filename}:{ind.line}: {where} 的 field {fname!r} 不存在")
            measures["value"] = Measure(reg_name, date, _freeze(base), field=fname)
        elif kind == "ratio":
            extra = _where(ind.get("numerator"), reg_name, filename, where)
            if not extra:
                raise DefinitionError(f"{filename}:{ind.line}: {where} 缺少 numerator 条件")
            measures["denominator"] = Measure(reg_name, date, _freeze(base))
            measures["numerator"] = Measure(reg_name, date, _freeze(base | extra))
        elif kind == "on_time":
            # the clock of the register (its rule as declared there) with every variant it runs
            # under (e.g. 简易程序), or one variant rule alone
            rule = str(ind.get("clock", ""))
            rules: list[str] = []
            for u in REGISTRY[reg_name].definition.clocks:
                if rule == u.rule:
                    rules = [u.rule, *sorted({r for r in u.variants.values() if r != "none" and r != u.rule})]
                elif rule in u.variants.values():
                    rules = [rule]
            if not rules:
                raise DefinitionError(f"{filename}:{ind.line}: {where} 的 clock {rule!r} 不是该登记簿的期限")
            measures["denominator"] = Measure(reg_name, date, _freeze(base | {"deadline": {"rules": rules, "in": ["met", "late"]}}))
            measures["numerator"] = Measure(reg_name, date, _freeze(base | {"deadline": {"rules": rules, "in": ["met"]}}))
        elif kind == "median_days":
            since = _dates(ind.get("from"), reg_name, filename, where)[0]
            measures["value"] = Measure(reg_name, date, _freeze(base), since=since)
        elif kind == "open_at":
            if str(ind.get("at")) not in ("start", "end"):
                raise DefinitionError(f"{filename}:{ind.line}: {where} 的 at 应为 start 或 end")
            until = _dates(ind.get("until"), reg_name, filename, where)
            entered = _dates(ind.get("from", "received_on"), reg_name, filename, where)
            measures["entered"] = Measure(reg_name, entered, _freeze(base))
            measures["left"] = Measure(reg_name, until, _freeze(base))
        out[code] = Indicator(
            code=code,
            name=str(ind["name"]),
            type=kind,
            register=reg_name,
            unit=str(ind.get("unit", "%" if kind in ("ratio", "on_time") else "天" if kind == "median_days" else "件")),
            table=is_table(reg_name),
            formula=str(ind["formula"]),
            source=str(ind["source"]),
            section=str(top.get("section", source_label(reg_name))),
            variant=str(ind.get("variant", "")),
            measures=measures,
            of=str(ind.get("of", "")),
            at=str(ind.get("at", "")),
            min_denominator=int(ind.get("min_denominator", 5 if kind in ("ratio", "on_time") else 0)),
        )


@cache
def catalogue() -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for path in sorted((Path(settings.FAZHI_DEFINITIONS_DIR) / "indicators").glob("*.yaml")):
        _load_file(path, out)
    for ind in out.values():
        if ind.type == "yoy" and ind.of not in out:
            raise DefinitionError(f"指标 {ind.code} 比较的指标 {ind.of!r} 不存在")
    return out


def measures_of(register: str) -> list[Measure]:
    """Every distinct measure of a register (what its rollups hold)."""
    seen: dict[str, Measure] = {}
    for ind in catalogue().values():
        if ind.register == register:
            for m in ind.measures.values():
                seen.setdefault(m.key, m)
    return list(seen.values())


def all_measures() -> dict[str, Measure]:
    """Every measure kept in rollups (those of registers; tables are counted from their rows)."""
    return {m.key: m for ind in catalogue().values() if not ind.table for m in ind.measures.values()}
