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


def todo(user: Any, limit: int = 50) -> list[tuple[Lead, str]]:
    """(lead, what to do) for the user's units: the unit's letters to answer (by due date), and
    for the supervisors the leads to check and the reports to close out."""
    supervising = user_scope_paths(user, SUPERVISORS)
    answering = user_scope_paths(user, SUPERVISED)
    q = Q(pk__in=[])
    if answering:
        q |= unit_scope_q(answering, "unit__path") & Q(state=State.NOTICED)
    if supervising or user_is_admin(user):
        scope = Q() if user_is_admin(user) and not supervising else unit_scope_q(supervising, "organiser__path")
        q |= scope & Q(state__in=[State.OPEN, State.REPORTED])
    what = {State.NOTICED: "报送整改情况", State.OPEN: "核查线索", State.REPORTED: "审核整改情况并销号"}
    leads = Lead.objects.filter(q).select_related("unit").order_by("due_on", "raised_on", "pk")[:limit]
    return [(lead, what[State(lead.state)]) for lead in leads]
