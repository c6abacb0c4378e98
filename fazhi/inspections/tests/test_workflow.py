"""双随机 plans on the audited workflow: every step one event and one audit leaf (the draw keeps its
own leaf as well), the steps refused out of order or to the wrong people, and rows changed or deleted
behind the steps found by audit verify. The directories (subjects, conflicts) are not part of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.inspections.models import Assignment, InspectionItem, InspectionPlan, InspectionSubject
from fazhi.inspections.services import WORKFLOW, draw_execute, plan_create, result_record, results_publish
from fazhi.inspections.tests.test_draw import plan
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency
from fazhi.registers.framework.models import WorkflowEvent

pytestmark = pytest.mark.django_db
LEAF = "workflow_event"


@pytest.fixture
def agency(org: Org) -> Agency:
    a = make_agency(org)
    for i in range(20):
        InspectionSubject.objects.create(unit=a.unit, name=f"东湖第{i}食品店", credit_code=f"92420102MA{i:08d}", subject_type="enterprise", category="食品销售")
    return a


def events(p: InspectionPlan) -> list[str]:
    return list(WorkflowEvent.objects.filter(workflow=WORKFLOW, object_id=p.pk).order_by("id").values_list("action", flat=True))


def drawn(agency: Agency) -> tuple[InspectionPlan, list[Assignment]]:
    p = plan(agency, ratio=Decimal("0.2"))
    draw = draw_execute(plan=p, actor=agency.head, seed_value="3347.49", on=dt.date(2025, 3, 3))
    return p, list(Assignment.objects.filter(draw=draw).order_by("position"))


def test_every_step_is_one_event_and_one_leaf_and_verify_passes(agency: Agency, org: Org) -> None:
    before = AuditLeaf.objects.filter(source=LEAF).count()
    p, assignments = drawn(agency)
    assert len(assignments) == 4
    for a in assignments:
        result_record(assignment=a, actor=agency.clerk, inspected_on=dt.date(2025, 3, 20), finding="no_issue")
    results_publish(plan=p, actor=agency.head, published_on=dt.date(2025, 4, 3))
    assert events(p) == ["register", "draw", *["record"] * 4, "publish"]
    assert AuditLeaf.objects.filter(source=LEAF).count() == before + 7
    draw = p.draw
    # the draw keeps its own leaf (its published document) and is recorded as the draw step's child
    assert AuditLeaf.objects.filter(source="inspection_draw", source_id=draw.pk).count() == 1
    step = WorkflowEvent.objects.get(workflow=WORKFLOW, object_id=p.pk, action="draw")
    rows = {(r["model"], r["id"]) for r in step.values["rows"]}
    assert ("inspections.draw", draw.pk) in rows and {("inspections.assignment", a.pk) for a in assignments} <= rows
    assert step.values["rows"][0]["fields"]["document_sha256"] == draw.document_sha256
    created = WorkflowEvent.objects.get(workflow=WORKFLOW, object_id=p.pk, action="register")
    assert [r["model"] for r in created.values["rows"]] == ["inspections.inspectionitem"]
    p.refresh_from_db()
    assert p.state == "published" and p.results_published_on == dt.date(2025, 4, 3)
    checkpoint_take()
    assert audit_verify().ok
    c = Client()
    c.force_login(agency.head)
    page = c.get(f"/choucha/{p.pk}/").content.decode()
    assert 'id="events"' in page and "执行随机抽取" in page and "公示检查结果" in page


def test_steps_out_of_order_are_refused_and_write_nothing(agency: Agency) -> None:
    p = plan(agency)
    with pytest.raises(TransitionNotAllowed):
        results_publish(plan=p, actor=agency.head, published_on=dt.date(2025, 4, 3))  # nothing drawn
    p, assignments = drawn(agency)
    with pytest.raises(TransitionNotAllowed):
        draw_execute(plan=p, actor=agency.head, seed_value="1", on=dt.date(2025, 3, 4))  # drawn once only
    with pytest.raises(ValidationFailed, match="请选择检查结果"):
        result_record(assignment=assignments[0], actor=agency.clerk, inspected_on=dt.date(2025, 3, 20), finding="")
    for a in assignments:
        result_record(assignment=a, actor=agency.clerk, inspected_on=dt.date(2025, 3, 20), finding="no_issue")
    results_publish(plan=p, actor=agency.head, published_on=dt.date(2025, 4, 3))
    n = len(events(p))
    with pytest.raises(TransitionNotAllowed):  # published: the results stand
        result_record(assignment=assignments[0], actor=agency.clerk, inspected_on=dt.date(2025, 3, 21), finding="corrected")
    with pytest.raises(TransitionNotAllowed):
        results_publish(plan=p, actor=agency.head, published_on=dt.date(2025, 4, 4))
    assignments[0].refresh_from_db()
    assert assignments[0].finding == "no_issue" and len(events(p)) == n


def test_wrong_roles_are_refused(agency: Agency, org: Org) -> None:
    with pytest.raises(PermissionDenied):  # a clerk does not make plans
        plan_create(
            unit=agency.unit,
            actor=agency.clerk,
            items=[("食品经营许可情况", "《食品安全法》第一百一十条")],
            name="x",
            year=2025,
            category="食品销售",
            ratio=Decimal("0.1"),
            starts_on=dt.date(2025, 3, 1),
            ends_on=dt.date(2025, 3, 31),
            seed_source="x",
        )
    assert not InspectionPlan.objects.exists()
    p = plan(agency)
    for actor in (agency.clerk, org.frank, org.dave):
        with pytest.raises(PermissionDenied):
            draw_execute(plan=p, actor=actor, seed_value="1", on=dt.date(2025, 3, 3))
    assert events(p) == ["register"]
    p, assignments = drawn(agency)
    with pytest.raises(PermissionDenied):  # another district's staff
        result_record(assignment=assignments[0], actor=org.frank, inspected_on=dt.date(2025, 3, 20), finding="no_issue")
    for a in assignments:
        result_record(assignment=a, actor=agency.clerk, inspected_on=dt.date(2025, 3, 20), finding="no_issue")
    with pytest.raises(PermissionDenied):  # the clerk records results but does not publish them
        results_publish(plan=p, actor=agency.clerk, published_on=dt.date(2025, 4, 3))
    assert events(p)[-1] == "record"


def _problems(*needles: str) -> list[str]:
    return [p for p in audit_verify().problems if all(n in p for n in needles)]


def test_a_changed_inspection_result_is_found_by_audit_verify(agency: Agency) -> None:
    _p, assignments = drawn(agency)
    for a in assignments:
        result_record(assignment=a, actor=agency.clerk, inspected_on=dt.date(2025, 3, 20), finding="case_opened")
    checkpoint_take()
    assert audit_verify().ok
    Assignment.objects.filter(pk=assignments[0].pk).update(finding="no_issue")
    found = _problems(f"抽查任务 #{assignments[0].pk}", "检查结果", "未经流程")
    assert found and not any("no_issue" in x for x in found)


def test_changed_plan_items_and_rows_without_a_step_are_found(agency: Agency) -> None:
    p, assignments = drawn(agency)
    item = InspectionItem.objects.get(plan=p)
    InspectionItem.objects.filter(pk=item.pk).update(legal_basis="无")
    InspectionPlan.objects.filter(pk=p.pk).update(ratio=Decimal("0.5"))
    stray = InspectionPlan.objects.create(
        unit=agency.unit,
        name="未经流程的计划",
        year=2025,
        category="食品销售",
        ratio=Decimal("0.1"),
        starts_on=dt.date(2025, 5, 1),
        ends_on=dt.date(2025, 5, 31),
        seed_source="x",
    )
    Assignment.objects.filter(pk=assignments[1].pk).delete()
    assert _problems(f"抽查事项 #{item.pk}", "检查依据")
    assert _problems(f"随机抽查计划 #{p.pk}", "抽查比例")
    assert _problems(f"随机抽查计划 #{stray.pk}", "没有任何步骤记录")
    assert _problems(f"抽查任务 #{assignments[1].pk}", "已被删除")


def test_the_directories_stay_outside_the_workflow(agency: Agency, settings: Any) -> None:
    """Subjects and conflict declarations are directories, edited outside any plan's steps."""
    drawn(agency)
    InspectionSubject.objects.create(unit=agency.unit, name="新开业食品店", credit_code="92420102MA99999999", subject_type="enterprise", category="食品销售")
    checkpoint_take()
    assert audit_verify().ok


def test_an_inspector_swapped_after_the_draw_is_found_by_audit_verify(agency: Agency) -> None:
    _p, assignments = drawn(agency)
    checkpoint_take()
    assert audit_verify().ok
    a = assignments[0]
    drawn_ids = set(a.inspectors.values_list("pk", flat=True))
    other = next(o for o in type(a.inspectors.first()).objects.all() if o.pk not in drawn_ids)  # type: ignore[union-attr]
    a.inspectors.set([other])
    assert _problems(f"抽查任务 #{a.pk}", "未经流程")
