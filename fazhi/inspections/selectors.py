"""Who sees which 双随机 plan: the units a user reaches see their plans; the public sees every
plan once drawn (the draw file), and the results once published."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.selectors import unit_scope_q, user_scope_paths
from fazhi.inspections.models import InspectionPlan, PlanState


def plans_visible_to(user: Any) -> QuerySet[InspectionPlan]:
    """The plans of the units the user reaches."""
    return InspectionPlan.objects.filter(unit_scope_q(user_scope_paths(user), field="unit__path")).select_related("unit")


def plans_public() -> QuerySet[InspectionPlan]:
    """The plans anyone may see on the portal: those drawn (an announced plan is not yet public)."""
    return InspectionPlan.objects.exclude(state=PlanState.ANNOUNCED)
