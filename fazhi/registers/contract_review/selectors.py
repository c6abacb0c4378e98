"""Who sees the 法律顾问和公职律师 of which unit, and who keeps the roll."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import Unit
from fazhi.core.selectors import unit_scope_q, user_has_role, user_is_admin, user_scope_paths
from fazhi.registers.contract_review.models import LegalAdviser

EDIT_ROLES = {"reviewer", "head", "rule_of_law_office"}


def advisers_visible_to(user: Any) -> QuerySet[LegalAdviser]:
    """Advisers of the units the user sees, and those serving a unit above (they serve it too)."""
    qs = LegalAdviser.objects.select_related("unit")
    if user_is_admin(user):
        return qs
    paths = user_scope_paths(user, None)
    above = Q()
    for path in paths:
        above |= Q(unit__path__in=[path[: i + 1] for i in range(len(path)) if path[i] == "."])
    return qs.filter(unit_scope_q(paths, field="unit__path") | above) if paths else qs.none()


def can_edit(user: Any, unit: Unit) -> bool:
    """The user keeps the unit's roll of advisers (or is an administrator)."""
    return user_has_role(user, unit, EDIT_ROLES, admin=True)
