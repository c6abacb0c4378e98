"""The leader's dashboard (领导驾驶舱): what it shows, from ``definitions/dashboard.yaml``, and
the figures behind it for one unit and period."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from fazhi.core.errors import DefinitionError
from fazhi.core.models import Unit
from fazhi.core.strictyaml import check_keys, load_strict
from fazhi.indicators.catalogue import Indicator, catalogue
from fazhi.indicators.engine import Computation, Period, Tree, Value


@dataclass(frozen=True)
class Layout:
    key: tuple[str, ...]
    rank: tuple[tuple[str, str], ...]  # (code, "higher" | "lower")
    trend: tuple[str, ...]


@cache
def layout() -> Layout:
    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "dashboard.yaml"
    filename = str(path)
    top = check_keys(load_strict(path), allowed={"key", "rank", "trend"}, required={"key", "rank", "trend"}, filename=filename, where="file")
    cat = catalogue()

    def known(code: Any) -> str:
        if str(code) not in cat:
            raise DefinitionError(f"{filename}: 指标 {code!r} 不在指标目录中")
        return str(code)

    rank = []
    for item in top["rank"]:
        item = check_keys(item, allowed={"code", "better"}, required={"code"}, filename=filename, where="rank")
        code, better = known(item["code"]), str(item.get("better", "higher"))
        if cat[code].type not in ("ratio", "on_time"):
            raise DefinitionError(f"{filename}:{item.line}: 排名只用比例类指标，{code} 是 {cat[code].type}")
        if better not in ("higher", "lower"):
            raise DefinitionError(f"{filename}:{item.line}: better 只能是 higher 或 lower")
        rank.append((code, better))
    return Layout(tuple(known(c) for c in top["key"]), tuple(rank), tuple(known(c) for c in top["trend"]))


@dataclass
class Ranked:
    indicator: Indicator
    better: str
    rows: list[tuple[int | None, Unit, Value]]  # (rank or None when not ranked, unit, value)


def ranking(indicator: Indicator, better: str, units: list[Unit], values: dict[int, Value]) -> Ranked:
    """Units ranked on a share; a unit with no records or a small denominator gets no rank
    (it is listed after the ranked ones), ties share a rank."""
    ranked = [u for u in units if values[u.pk].value is not None and not values[u.pk].small]
    ranked.sort(key=lambda u: (-(values[u.pk].value or 0) if better == "higher" else (values[u.pk].value or 0), u.path))
    rows: list[tuple[int | None, Unit, Value]] = []
    previous: Any = object()
    rank = 0
    for i, u in enumerate(ranked, start=1):
        if values[u.pk].value != previous:
            rank, previous = i, values[u.pk].value
        rows.append((rank, u, values[u.pk]))
    rows += [(None, u, values[u.pk]) for u in units if u not in ranked]
    return Ranked(indicator, better, rows)


def monthly(unit: Unit, year: int, codes: tuple[str, ...], until: dt.date) -> dict[str, list[int | decimal.Decimal | None]]:
    """Each trend indicator month by month in ``year`` up to ``until``'s month (None after)."""
    out: dict[str, list[int | decimal.Decimal | None]] = {c: [] for c in codes}
    tree = Tree()
    for m in range(1, 13):
        if dt.date(year, m, 1) > until:
            for c in codes:
                out[c].append(None)
            continue
        values = Computation(Period.month(year, m), codes, tree=tree, within=unit).values([unit.pk])
        for c in codes:
            out[c].append(values[c][unit.pk].value)
    return out
