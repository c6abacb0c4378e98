"""Scoring sheets of 案卷评查, loaded from ``definitions/casefile_review/*.yaml``."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.strictyaml import check_keys, load_strict


@dataclass(frozen=True)
class SheetItem:
    key: str
    label: str
    points: int
    section: str


@dataclass(frozen=True)
class Sheet:
    key: str
    label: str
    pass_score: int
    excellent_score: int
    veto: dict[str, str]
    sections: tuple[tuple[str, str, int], ...]  # key, label, points
    items: tuple[SheetItem, ...]

    @property
    def total(self) -> int:
        return sum(i.points for i in self.items)

    def score(self, points: dict[str, object], vetoes: list[str]) -> tuple[decimal.Decimal, dict[str, list[str]]]:
        """Total of a scored file; a veto item makes it 0 (不合格) whatever the points."""
        errors: dict[str, list[str]] = {}
        total = decimal.Decimal(0)
        for item in self.items:
            raw = points.get(item.key)
            try:
                value = decimal.Decimal(str(raw))
            except (decimal.InvalidOperation, ValueError):
                errors[item.key] = [f"“{item.label}”应填写 0 至 {item.points} 分"]
                continue
            if not (0 <= value <= item.points):
                errors[item.key] = [f"“{item.label}”应在 0 至 {item.points} 分之间"]
            total += value
        for v in vetoes:
            if v not in self.veto:
                errors.setdefault("vetoes", []).append(f"未知的否决项 {v}")
        return (decimal.Decimal(0) if vetoes else total), errors


@cache
def sheets() -> dict[str, Sheet]:
    out = {}
    for path in sorted((Path(settings.FAZHI_DEFINITIONS_DIR) / "casefile_review").glob("*.yaml")):
        raw = check_keys(
            load_strict(path),
            allowed={"key", "label", "pass_score", "excellent_score", "veto", "sections"},
            required={"key", "label", "pass_score", "sections"},
            filename=str(path),
            where="sheet",
        )
        items, sections = [], []
        for s in raw["sections"]:
            sec = check_keys(s, allowed={"key", "label", "items"}, required={"key", "label", "items"}, filename=str(path), where="section")
            sec_items = [SheetItem(str(i["key"]), str(i["label"]), int(i["points"]), str(sec["key"])) for i in sec["items"]]
            items += sec_items
            sections.append((str(sec["key"]), str(sec["label"]), sum(i.points for i in sec_items)))
        keys = [i.key for i in items]
        if len(keys) != len(set(keys)):
            raise DefinitionError(f"{path}: 评分项的 key 重复")
        sheet = Sheet(
            str(raw["key"]),
            str(raw["label"]),
            int(raw["pass_score"]),
            int(raw.get("excellent_score", 90)),
            dict(raw.get("veto") or {}),
            tuple(sections),
            tuple(items),
        )
        if sheet.key in out:
            raise DefinitionError(f"{path}: 评查标准 {sheet.key} 重复")
        out[sheet.key] = sheet
    return out
