"""The demo district's evaluation: the example scheme for the demo year, scored, manual items
entered by the evaluators with evidence, not yet published (the office publishes it)."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from fazhi.evaluation import services
from fazhi.evaluation.models import Scheme


def build(org: Any, rng: random.Random, today: dt.date) -> Scheme:
    year = today.year if today.month >= 7 else today.year - 1
    path = Path(settings.FAZHI_DEFINITIONS_DIR) / "evaluation" / "2025.yaml"
    text = re.sub(r"(?m)^year: \d{4}", f"year: {year}", path.read_text(encoding="utf-8")).replace("2025年度", f"{year}年度")
    scheme = services.scheme_load_text(unit=org.district, text=text, filename=str(path))
    evaluator = get_user_model().objects.get(username="evaluator")
    spec = services.spec_of(scheme)
    for unit in services.evaluated_units(scheme, spec):
        for item in spec.items:
            if item.manual:
                points = min(item.points, round(float(item.points) * rng.uniform(0.7, 1.0) * 2) / 2)
                evidence = (f"{unit.short_name or unit.name}-{item.code}-佐证材料.txt", f"{unit.name}{year}年度{item.name}工作台账（演示）".encode())
                services.manual_score_enter(
                    scheme=scheme,
                    unit=unit,
                    item_code=item.code,
                    points=points,
                    vetoed=False,
                    note="按佐证材料评分（演示）",
                    actor=evaluator,
                    evidence=evidence,
                )
    services.scheme_compute(scheme)
    return scheme
