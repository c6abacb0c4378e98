"""The demo's decisions: the district's catalogue, one decision per item, every one walked
through the services, and the ledger export of them reimports as a no-op."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
import time_machine

from fazhi.core.demo import build_org, build_users
from fazhi.registers.framework.ledger import ledger_export, ledger_import
from fazhi.registers.framework.registry import register_get
from fazhi.registers.major_decisions import demo
from fazhi.registers.major_decisions.hooks import missing_steps
from fazhi.registers.major_decisions.models import CatalogueItem, DecisionCatalogue, MajorDecision

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


@time_machine.travel(dt.datetime(2026, 11, 23, 12), tick=False)
def test_the_demo_catalogue_and_decisions(db: Any) -> None:
    org = build_org(random.Random(1))
    build_users(org, random.Random(1))
    n = demo.build(org, random.Random("major_decisions-1"), TODAY, lambda _: None)
    catalogue = DecisionCatalogue.objects.get()
    assert (catalogue.unit, catalogue.state, catalogue.published_on) == (org.district, "published", dt.date(2026, 1, 24))
    assert CatalogueItem.objects.filter(removed_on__isnull=True).count() == 9
    assert CatalogueItem.objects.filter(added_by_adjustment=True).count() == 1
    decisions = MajorDecision.objects.all()
    assert n == decisions.count() == 9
    assert all(d.catalogue_item is not None and d.catalogue_item.lead_unit_id == d.unit_id for d in decisions)
    decided = decisions.exclude(decided_on=None)
    assert 5 <= decided.count() <= 9
    assert all(d.steps_complete and missing_steps(d) == [] for d in decided)
    assert decisions.filter(comment_short=True).count() == 1
    assert decisions.filter(participation_status="not_required").count() == 1
    assert decisions.filter(state__in=["published", "decided"]).exists()
    # the demo round-trips through the ledger layout
    reg = register_get("major_decisions")
    result = ledger_import(reg=reg, data=ledger_export(reg, list(decisions.order_by("pk"))), filename="x.xlsx", cli=True)
    assert (result.created, result.updated, result.unchanged) == (0, 0, decisions.count())
