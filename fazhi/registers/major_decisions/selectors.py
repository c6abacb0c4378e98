"""Who sees which 重大行政决策事项目录, and who compiles and who approves it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.selectors import unit_scope_q, user_has_role, user_scope_paths
from fazhi.registers.major_decisions.models import CatalogueItem, DecisionCatalogue

EDIT_ROLES = {"clerk", "reviewer", "head", "rule_of_law_office"}
APPROVE_ROLES = {"head", "rule_of_law_office"}


def catalogues_visible_to(user: Any) -> QuerySet[DecisionCatalogue]:
    """Catalogues of a deciding body the user reaches, or holding an item a unit of theirs leads."""
    paths = user_scope_paths(user)
    if not paths:
        return DecisionCatalogue.objects.none()
    mine = unit_scope_q(paths, field="unit__path") | Q(pk__in=CatalogueItem.objects.filter(unit_scope_q(paths, field="lead_unit__path")).values("catalogue"))
    return DecisionCatalogue.objects.filter(mine).select_related("unit").distinct()


def can_edit(user: Any, catalogue: DecisionCatalogue) -> bool:
    """The user compiles and adjusts the deciding body's catalogue."""
    return user_has_role(user, catalogue.unit, EDIT_ROLES)


def can_approve(user: Any, catalogue: DecisionCatalogue) -> bool:
    """The user records the party committee's agreement and publishes the catalogue."""
    return user_has_role(user, catalogue.unit, APPROVE_ROLES)
