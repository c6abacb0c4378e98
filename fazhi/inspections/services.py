"""Plans, the draw, results and their publication.

The steps, their roles and the states are declared in ``definitions/workflows/inspection_plan.yaml``;
every step (announcing the plan with its items, the draw with its assignments, each result, the
publication) is a workflow event with its audit leaf. The draw's published document is besides an
audit leaf of its own (source ``inspection_draw``), which anyone can re-run.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fazhi.audit.services import audit_append
from fazhi.core.canonical import canonical_bytes
from fazhi.core.errors import ValidationFailed
from fazhi.core.models import Unit
from fazhi.core.selectors import user_has_role
from fazhi.core.types import Actor, actor_row
from fazhi.inspections.draw import FORMAT, DrawError, input_hashes, run_draw, sha256
from fazhi.inspections.models import Assignment, ConflictDeclaration, Draw, Finding, InspectionItem, InspectionPlan, InspectionSubject
from fazhi.law.clocks import clock_compute
from fazhi.registers.enforcement.models import Officer
from fazhi.registers.framework.definition import CREATE
from fazhi.registers.framework.workflow import workflow_check, workflow_get, workflow_record, workflow_require

WORKFLOW = "inspection_plan"  # definitions/workflows/inspection_plan.yaml: states, steps, roles
PUBLICATION_RULE = "random_inspection.publication"


def step_roles(action: str) -> frozenset[str]:
    """The roles the definition gives a step (the pages offer the step to them)."""
    return frozenset(workflow_get(WORKFLOW).definition.step(action).roles)


def may(user: Any, plan: InspectionPlan, action: str) -> bool:
    """Whether the user may take the step on the plan now (its state and the user's roles)."""
    t = workflow_get(WORKFLOW).definition.step(action)
    return plan.state in t.sources and user_has_role(user, plan.unit, t.roles, admin=t.admin)


def plan_create(*, unit: Unit, actor: Actor, items: list[tuple[str, str]], **fields: Any) -> InspectionPlan:
    workflow_check(WORKFLOW, InspectionPlan(unit=unit), CREATE, actor)
    fields = workflow_require(WORKFLOW, CREATE, fields)
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
    with transaction.atomic():
        plan.save()
        rows = [InspectionItem.objects.create(plan=plan, name=n.strip(), legal_basis=b.strip()) for n, b in items]
        workflow_record(WORKFLOW, plan, CREATE, actor=actor, label=f"制定并公布抽查计划：{plan.name}", rows=rows)
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
def draw_execute(*, plan: InspectionPlan, actor: Actor, seed_value: str, on: dt.date | None = None) -> Draw:
    locked = InspectionPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    workflow_check(WORKFLOW, locked, "draw", actor)
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
        plan=locked, seed_value=seed_value.strip(), drawn_at=timezone.now(), drawn_by=actor_row(actor), document=data, document_sha256=sha256(json.loads(data))
    )
    assignments = []
    for position, pick in enumerate(result["selected"], start=1):
        a = Assignment.objects.create(draw=draw, subject_id=pick["subject"], position=position)
        a.inspectors.set(pick["inspectors"])
        assignments.append(a)
    audit_append(source="inspection_draw", source_id=draw.pk, data=data)
    workflow_record(
        WORKFLOW,
        locked,
        "draw",
        actor=actor,
        on=on,
        label=f"执行随机抽取：抽中 {len(assignments)} 户",
        text=f"随机种子值 {draw.seed_value}",
        rows=[draw, *assignments],
    )
    plan.state = locked.state
    return draw


@transaction.atomic
def result_record(*, assignment: Assignment, actor: Actor, inspected_on: dt.date, finding: str, remarks: str = "") -> Assignment:
    plan = InspectionPlan.objects.select_for_update().select_related("unit").get(draw__assignments=assignment)
    workflow_check(WORKFLOW, plan, "record", actor)
    if finding not in Finding.values:
        raise ValidationFailed({"finding": ["请选择检查结果"]})
    if not (plan.starts_on <= inspected_on <= min(plan.ends_on, timezone.localdate())):
        raise ValidationFailed({"inspected_on": [f"检查日期应在计划的检查期间内（{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}），且不晚于今天"]})
    assignment.inspected_on, assignment.finding, assignment.remarks = inspected_on, finding, remarks
    assignment.full_clean()
    assignment.save()
    # the subject by its draw position: an 个体工商户's name may be its operator's (personal data)
    workflow_record(
        WORKFLOW,
        plan,
        "record",
        actor=actor,
        on=inspected_on,
        label=f"登记检查结果：第{assignment.position}户，{Finding(finding).label}",
        text=remarks,
        rows=[assignment],
    )
    return assignment


def publication_due(plan: InspectionPlan) -> dt.date | None:
    return clock_compute(PUBLICATION_RULE, plan.ends_on, explain=False).due


@transaction.atomic
def results_publish(*, plan: InspectionPlan, actor: Actor, published_on: dt.date) -> InspectionPlan:
    locked = InspectionPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    workflow_check(WORKFLOW, locked, "publish", actor)
    workflow_require(WORKFLOW, "publish", {"results_published_on": published_on})
    missing = Assignment.objects.filter(draw__plan=locked, finding="").count()
    if missing:
        raise ValidationFailed({"published_on": [f"还有 {missing} 个抽查对象未登记检查结果"]})
    if published_on < locked.ends_on:
        raise ValidationFailed({"published_on": ["公示日期不能早于检查结束日期"]})
    locked.results_published_on = published_on
    locked.save(update_fields=["results_published_on"])
    workflow_record(WORKFLOW, locked, "publish", actor=actor, on=published_on)
    return locked


def draw_leaf_source(ids: list[int]) -> dict[int, bytes]:
    return {pk: bytes(doc) for pk, doc in Draw.objects.filter(pk__in=ids).values_list("pk", "document")}
