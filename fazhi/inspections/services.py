"""Plans, the draw, results and their publication. Every draw is an audit leaf."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import require_role
from fazhi.inspections.draw import FORMAT, DrawError, input_hashes, run_draw, sha256
from fazhi.inspections.models import Assignment, ConflictDeclaration, Draw, InspectionItem, InspectionPlan, InspectionSubject, PlanState
from fazhi.law.clocks import clock_compute
from fazhi.registers.enforcement.models import Officer

PLAN_ROLES = {"head", "reviewer"}
RESULT_ROLES = {"clerk", "reviewer", "head"}
PUBLICATION_RULE = "random_inspection.publication"


@transaction.atomic
def plan_create(*, unit: Unit, actor: Any, items: list[tuple[str, str]], **fields: Any) -> InspectionPlan:
    require_role(actor, unit, PLAN_ROLES, "制定抽查计划")
    errors: dict[str, list[str]] = {}
    if not items or any(not name.strip() or not basis.strip() for name, basis in items):
        errors["items"] = ["每个抽查事项都应写明检查依据（没有法律依据不得检查）"]
    if fields.get("inspectors_per_subject", 2) < 2:
        errors["inspectors_per_subject"] = ["每个检查对象至少应有 2 名执法检查人员"]
    if fields["ends_on"] < fields["starts_on"]:
        errors["ends_on"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed(errors)
    plan = InspectionPlan(unit=unit, **fields)
    plan.full_clean()
    plan.save()
    InspectionItem.objects.bulk_create([InspectionItem(plan=plan, name=n.strip(), legal_basis=b.strip()) for n, b in items])
    return plan


def draw_inputs(plan: InspectionPlan, seed_value: str, on: dt.date) -> dict[str, Any]:
    """The snapshots the draw runs on: the plan's category of the subject directory (with this
    year's prior inspections, for the cap), the certified inspectors, their declared conflicts."""
    subjects = InspectionSubject.objects.filter(unit=plan.unit, category=plan.category, active=True).order_by("id")
    prior = dict(
        Assignment.objects.filter(subject__in=subjects, draw__plan__year=plan.year)
        .exclude(draw__plan=plan)
        .values("subject")
        .annotate(n=Count("id"))
        .values_list("subject", "n")
    )
    officers = Officer.objects.filter(unit=plan.unit, active=True, certificate_issued_on__lte=on, certificate_valid_until__gte=on).order_by("id")
    conflicts = ConflictDeclaration.objects.filter(officer__in=officers, subject__in=subjects).order_by("officer_id", "subject_id")
    return {
        "parameters": {
            "plan": plan.pk,
            "unit": plan.unit.code,
            "name": plan.name,
            "year": plan.year,
            "category": plan.category,
            "items": [{"name": i.name, "legal_basis": i.legal_basis} for i in plan.items.all()],
            "ratio": str(plan.ratio),
            "cap_per_subject_per_year": plan.cap_per_subject_per_year,
            "inspectors_per_subject": plan.inspectors_per_subject,
            "draw_date": on.isoformat(),
        },
        "seed": {"source": plan.seed_source, "value": seed_value},
        "subjects": [{"id": s.pk, "credit_code": s.credit_code, "prior": prior.get(s.pk, 0)} for s in subjects],
        "inspectors": [{"id": o.pk, "certificate": o.code} for o in officers],
        "conflicts": [[c.officer_id, c.subject_id] for c in conflicts],
    }


def draw_document(inputs: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "inputs": inputs, **input_hashes(inputs), "result": result, "result_sha256": sha256(result)}


@transaction.atomic
def draw_execute(*, plan: InspectionPlan, actor: Any, seed_value: str, on: dt.date | None = None) -> Draw:
    locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    require_role(actor, locked.unit, PLAN_ROLES, "组织随机抽取")
    if locked.state != PlanState.ANNOUNCED:
        raise TransitionNotAllowed("该计划已经抽取过，不能重复抽取")
    if not seed_value.strip():
        raise ValidationFailed({"seed_value": [f"请填写事先公布的随机种子值（{locked.seed_source}）"]})
    on = on or timezone.localdate()
    inputs = draw_inputs(locked, seed_value.strip(), on)
    try:
        result = run_draw(inputs)
    except DrawError as exc:
        raise ValidationFailed({"seed_value": [str(exc)]}) from exc
    data = canonical_bytes(draw_document(inputs, result))
    draw = Draw.objects.create(
        plan=locked, seed_value=seed_value.strip(), drawn_at=timezone.now(), drawn_by=actor, document=data, document_sha256=sha256(json.loads(data))
    )
    for position, pick in enumerate(result["selected"], start=1):
        a = Assignment.objects.create(draw=draw, subject_id=pick["subject"], position=position)
        a.inspectors.set(pick["inspectors"])
    audit_append(source="inspection_draw", source_id=draw.pk, data=data)
    locked.state = PlanState.DRAWN
    locked.save(update_fields=["state"])
    return draw


@transaction.atomic
def result_record(*, assignment: Assignment, actor: Any, inspected_on: dt.date, finding: str, remarks: str = "") -> Assignment:
    plan = assignment.draw.plan
    require_role(actor, plan.unit, RESULT_ROLES, "登记检查结果")
    if plan.state != PlanState.DRAWN:
        raise TransitionNotAllowed("检查结果已公示，不能再修改")
    if not (plan.starts_on <= inspected_on <= min(plan.ends_on, timezone.localdate())):
        raise ValidationFailed({"inspected_on": [f"检查日期应在计划的检查期间内（{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}），且不晚于今天"]})
    assignment.inspected_on, assignment.finding, assignment.remarks = inspected_on, finding, remarks
    assignment.full_clean()
    assignment.save()
    return assignment


def publication_due(plan: InspectionPlan) -> dt.date | None:
    return clock_compute(PUBLICATION_RULE, plan.ends_on, explain=False).due


@transaction.atomic
def results_publish(*, plan: InspectionPlan, actor: Any, published_on: dt.date) -> InspectionPlan:
    locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    require_role(actor, locked.unit, PLAN_ROLES, "公示抽查结果")
    if locked.state != PlanState.DRAWN:
        raise TransitionNotAllowed("只有已抽取的计划可以公示结果")
    missing = Assignment.objects.filter(draw__plan=locked, finding="").count()
    if missing:
        raise ValidationFailed({"published_on": [f"还有 {missing} 个抽查对象未登记检查结果"]})
    if published_on < locked.ends_on:
        raise ValidationFailed({"published_on": ["公示日期不能早于检查结束日期"]})
    locked.results_published_on = published_on
    locked.state = PlanState.PUBLISHED
    locked.save(update_fields=["results_published_on", "state"])
    return locked


def draw_leaf_source(ids: list[int]) -> dict[int, bytes]:
    return {pk: bytes(doc) for pk, doc in Draw.objects.filter(pk__in=ids).values_list("pk", "document")}
