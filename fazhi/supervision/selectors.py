"""Who sees which supervision lead, who supervises which unit, and what supervision asks of a user
now: rectification to report, reports to close out, leads to check."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import Role, Unit
from fazhi.core.selectors import unit_scope_q, user_has_role, user_is_admin, user_scope_paths
from fazhi.supervision.models import Lead, State

SUPERVISORS = (Role.RULE_OF_LAW_OFFICE,)
SUPERVISED = (Role.HEAD, Role.CLERK, Role.REVIEWER)
INTERNAL = (State.OPEN, State.FOUNDED, State.UNFOUNDED)  # before a letter, a lead is the supervisors' own


def user_supervises(user: Any, unit: Unit) -> bool:
    """The user supervises ``unit`` (依法治区办 over it, or an administrator)."""
    return user_has_role(user, unit, SUPERVISORS, admin=True)


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """The leads a user sees: those their supervising units organise, and, once a letter went out,
    those about the units they reach."""
    if user_is_admin(user):
        return Lead.objects.all()
    supervising = user_scope_paths(user, SUPERVISORS)
    everyone = user_scope_paths(user)
    return Lead.objects.filter(unit_scope_q(supervising, "organiser__path") | (unit_scope_q(everyone, "unit__path") & ~Q(state__in=INTERNAL)))


def organisers_for(user: Any) -> list[Unit]:
    """The units in whose name the user raises and scans leads (the top units for an administrator)."""
    return [u for u in Unit.objects.filter(path__in=user_scope_paths(user, SUPERVISORS))] or (
        list(Unit.objects.filter(parent__isnull=True)) if user_is_admin(user) else []
    )
