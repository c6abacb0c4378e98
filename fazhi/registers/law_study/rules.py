"""The dated settings of ``definitions/law_study/rules.yaml``: minimum 学法 sessions a year, the
pass mark of the 学法考试."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.strictyaml import check_keys, load_strict

KEYS = {"study_minimum": {"per_year"}, "exam_pass": {"pass_score"}}


@dataclass(frozen=True)
class Version:
    since: dt.date
    reference: str
    values: dict[str, Any]


@cache
def _rules() -> dict[str, list[Version]]:
    from fazhi.registers.law_study.models import Body

    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "law_study" / "rules.yaml"
    top = check_keys(load_strict(path), allowed=set(KEYS), required=set(KEYS), filename=str(path), where="rules")
    out: dict[str, list[Version]] = {}
    for key, allowed in KEYS.items():
        raw = top[key]
        if not isinstance(raw, list) or not raw:
            raise DefinitionError(f"{path}: {key} 应为按 since 排列的版本列表")
        versions = []
        for item in raw:
            v = check_keys(item, allowed=allowed | {"since", "reference"}, required=allowed | {"since", "reference"}, filename=str(path), where=key)
            if not isinstance(v["since"], dt.date):
                raise DefinitionError(f"{path}:{v.line_of('since')}: since 应为日期")
            values = {k: v[k] for k in allowed}
            if key == "study_minimum":
                per_year = values["per_year"]
                if not isinstance(per_year, dict) or not set(per_year) <= set(Body.values) or not all(isinstance(n, int) and n >= 0 for n in per_year.values()):
                    raise DefinitionError(f"{path}:{v.line_of('per_year')}: per_year 应为学法形式到每年次数（非负整数）的映射，形式为 {sorted(Body.values)}")
            elif not isinstance(values["pass_score"], int) or not 0 < values["pass_score"] <= 100:
                raise DefinitionError(f"{path}:{v.line_of('pass_score')}: pass_score 应为1至100之间的整数")
            versions.append(Version(v["since"], str(v["reference"]), values))
        if [v.since for v in versions] != sorted(v.since for v in versions):
            raise DefinitionError(f"{path}: {key} 的版本应按 since 先后排列")
        out[key] = versions
    return out


def _in_force(key: str, day: dt.date) -> Version:
    found = None
    for v in _rules()[key]:
        if v.since <= day:
            found = v
    return found or _rules()[key][0]


def pass_score(year: int) -> tuple[decimal.Decimal, str]:
    v = _in_force("exam_pass", dt.date(year, 12, 31))
    return decimal.Decimal(v.values["pass_score"]), v.reference


def study_minimum(year: int) -> tuple[dict[str, int], str]:
    v = _in_force("study_minimum", dt.date(year, 12, 31))
    return dict(v.values["per_year"]), v.reference
