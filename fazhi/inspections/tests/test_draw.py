"""双随机: the draw is reproducible from its published inputs, changes when any input changes,
and keeps its constraints (two inspectors, conflicts, caps); the portal publishes it."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import PASSWORD, Org
from fazhi.audit.models import AuditLeaf
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.inspections.draw import run_draw, verify
from fazhi.inspections.models import Assignment, ConflictDeclaration, InspectionSubject
from fazhi.inspections.services import draw_execute, plan_create, result_record, results_publish
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(org: Org) -> Agency:
    a = make_agency(org)
    for i in range(40):
        InspectionSubject.objects.create(
            unit=a.unit, name=f"东湖第{i}食品店", credit_code=f"92420102MA{i:08d}", subject_type="enterprise", category="食品销售", address="东湖区"
        )
    return a


def plan(agency: Agency, **overrides: Any) -> Any:
    fields = {
        "name": "2025年食品销售随机抽查",
        "year": 2025,
        "category": "食品销售",
        "ratio": Decimal("0.1"),
        "cap_per_subject_per_year": 1,
        "inspectors_per_subject": 2,
        "starts_on": dt.date(2025, 3, 1),
        "ends_on": dt.date(2025, 3, 31),
        "seed_source": "抽取日前一交易日上证综指收盘点位",
    } | overrides
    return plan_create(unit=agency.unit, actor=agency.head, items=[("食品经营许可情况", "《食品安全法》第一百一十条")], **fields)


def test_draw_is_published_with_its_inputs_and_verifies_by_re_running(agency: Agency, tmp_path: Any) -> None:
    # the first officer declared a conflict with every subject: whichever subjects the seed draws,
    # the conflict decides (with one subject only, this seed never drew it and the check never ran)
    for subject in InspectionSubject.objects.order_by("id"):
        ConflictDeclaration.objects.create(officer=agency.officers[0], subject=subject, reason="亲属经营", declared_on=dt.date(2025, 2, 1))
    draw = draw_execute(plan=plan(agency), actor=agency.head, seed_value="3347.49", on=dt.date(2025, 3, 3))
    document = json.loads(bytes(draw.document))
    assert verify(document) == []
    assert len(document["result"]["selected"]) == 4  # ceil(40 × 10%)
    assignments = list(Assignment.objects.filter(draw=draw).prefetch_related("inspectors"))
    assert len(assignments) == 4 and all(a.inspectors.count() == 2 for a in assignments)
    for a in assignments:
        assert set(a.inspectors.all()) == set(agency.officers[1:])  # never the conflicted one
    assert AuditLeaf.objects.filter(source="inspection_draw", source_id=draw.pk).exists()
    path = tmp_path / "draw.json"
    path.write_bytes(bytes(draw.document))
    call_command("inspections", "verify-draw", str(path))  # anyone re-runs it: no error
    tampered = copy.deepcopy(document)
    tampered["result"]["selected"][0]["subject"] = 999999
    path.write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(CommandError, match="不一致"):
        call_command("inspections", "verify-draw", str(path))
    # the public portal offers the file
    assert Client().get(f"/gongshi/choucha/{draw.plan.pk}.json").content == bytes(draw.document)


def test_any_changed_input_changes_the_draw(agency: Agency) -> None:
    from fazhi.inspections.services import draw_inputs

    p = plan(agency, ratio=Decimal("0.25"))
    inputs = draw_inputs(p, "3347.49", dt.date(2025, 3, 3))
    base = run_draw(inputs)
    assert run_draw(copy.deepcopy(inputs)) == base  # reproducible
    variants = []
    v = copy.deepcopy(inputs)
    v["seed"]["value"] = "3347.50"
    variants.append(v)
    v = copy.deepcopy(inputs)
    v["subjects"] = v["subjects"][1:]
    variants.append(v)
    v = copy.deepcopy(inputs)
    v["conflicts"] = [[v["inspectors"][0]["id"], v["subjects"][5]["id"]]]
    variants.append(v)
    v = copy.deepcopy(inputs)
    v["parameters"]["name"] = "另一个计划"
    variants.append(v)
    for changed in variants:
        assert run_draw(changed) != base
    # a published file whose snapshot was altered no longer verifies
    from fazhi.inspections.services import draw_document

    document = draw_document(inputs, base)
    document["inputs"]["subjects"][0]["credit_code"] = "X"
    assert any("快照被改动" in p for p in verify(document))


def test_caps_and_inspector_constraints(agency: Agency) -> None:
    first = draw_execute(plan=plan(agency, ratio=Decimal("0.5")), actor=agency.head, seed_value="1", on=dt.date(2025, 3, 3))
    drawn = set(Assignment.objects.filter(draw=first).values_list("subject_id", flat=True))
    second = draw_execute(plan=plan(agency, name="第二批", ratio=Decimal("1")), actor=agency.head, seed_value="2", on=dt.date(2025, 3, 4))
    again = set(Assignment.objects.filter(draw=second).values_list("subject_id", flat=True))
    assert len(drawn) == 20 and not (drawn & again) and len(again) == 20  # once a year each: the cap
    with pytest.raises(ValidationFailed, match="至少"):
        plan(agency, inspectors_per_subject=1)
    crowded = plan(agency, name="第三批", year=2026, inspectors_per_subject=3, ratio=Decimal("1"))
    for o in agency.officers[1:]:
        o.certificate_valid_until = dt.date(2025, 1, 1)
        o.save()
    with pytest.raises(ValidationFailed, match="不足"):
        draw_execute(plan=crowded, actor=agency.head, seed_value="3", on=dt.date(2026, 3, 3))
    with pytest.raises(PermissionDenied):
        draw_execute(plan=crowded, actor=agency.clerk, seed_value="3", on=dt.date(2026, 3, 3))


def test_results_are_recorded_and_published_and_pages_respect_units(agency: Agency, org: Org) -> None:
    p = plan(agency)
    draw = draw_execute(plan=p, actor=agency.head, seed_value="9", on=dt.date(2025, 3, 3))
    with pytest.raises(ValidationFailed, match="未登记"):
        results_publish(plan=p, actor=agency.head, published_on=dt.date(2025, 4, 3))
    for a in Assignment.objects.filter(draw=draw):
        result_record(assignment=a, actor=agency.clerk, inspected_on=dt.date(2025, 3, 20), finding="no_issue")
    results_publish(plan=p, actor=agency.head, published_on=dt.date(2025, 4, 3))
    portal = Client().get("/gongshi/choucha/").content.decode()
    assert "2025年食品销售随机抽查" in portal and "未发现问题" in portal
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    assert "2025年食品销售随机抽查" in client.get(f"/choucha/{p.pk}/").content.decode()
    other = Client()
    assert other.login(username="frank", password=PASSWORD)
    assert other.get(f"/choucha/{p.pk}/").status_code == 404
    assert "2025年食品销售随机抽查" not in other.get("/choucha/").content.decode()
