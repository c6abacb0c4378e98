"""Who sees and who keeps the 普法 tables: the 普法责任清单, the 法律明白人 and the 民主法治示范村
of the units a user reaches; the clerks, reviewers and heads of a unit keep them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import Unit
from fazhi.core.selectors import unit_scope_q, user_has_role, user_scope_paths
from fazhi.registers.legal_publicity.models import DutyList, LegalLiaison, ModelVillage

EDIT_ROLES = {"clerk", "reviewer", "head"}


def can_edit(user: Any, unit: Unit) -> bool:
    """The user keeps the unit's tables (or is an administrator)."""
    return user_has_role(user, unit, EDIT_ROLES, admin=True)


def _scoped(qs: QuerySet[Any], user: Any, field: str) -> QuerySet[Any]:
    return qs.filter(unit_scope_q(user_scope_paths(user), f"{field}__path"))


def lists_visible_to(user: Any) -> QuerySet[DutyList]:
    return _scoped(DutyList.objects.select_related("unit"), user, "unit")


def liaisons_visible_to(user: Any) -> QuerySet[LegalLiaison]:
    return _scoped(LegalLiaison.objects.select_related("unit"), user, "unit")


def villages_visible_to(user: Any) -> QuerySet[ModelVillage]:
    return _scoped(ModelVillage.objects.select_related("unit"), user, "unit")
