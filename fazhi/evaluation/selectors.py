"""Who sees which 考核 scheme and which of its results: the organisers all of them at any time;
once published, the people of a unit their own unit's result and those of the units below."""

from __future__ import annotations

from typing import Any

from fazhi.core.models import Role
from fazhi.core.selectors import user_has_role, user_scope_paths
from fazhi.evaluation.models import Result, Scheme

ORGANISERS = (Role.EVALUATOR, Role.RULE_OF_LAW_OFFICE)


def user_organises(user: Any, scheme: Scheme) -> bool:
    """The user organises the scheme (考核办 or 依法治区办 over its unit, or an administrator)."""
    return user_has_role(user, scheme.unit, ORGANISERS, admin=True)


def results_visible_to(user: Any, scheme: Scheme) -> list[Result] | None:
    """The scheme's results the user sees, ranked; None where the user may not see the scheme at
    all (not an organiser, and not published or no result of theirs in it)."""
    qs = Result.objects.filter(scheme=scheme).select_related("unit").order_by("rank", "unit__path")
    if user_organises(user, scheme):
        return list(qs)
    if scheme.published_at is None:
        return None
    paths = user_scope_paths(user)
    # their own unit's result (also for people of its sections) and the results below their units
    results = [r for r in qs if any(r.unit.path.startswith(p) or p.startswith(r.unit.path) for p in paths)]
    return results or None


def schemes_visible_to(user: Any) -> list[Scheme]:
    """The schemes the user organises, and the published ones with a result the user sees."""
    return [s for s in Scheme.objects.select_related("unit") if results_visible_to(user, s) is not None]
