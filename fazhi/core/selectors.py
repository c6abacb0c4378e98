"""Who may see and change what: the one place that decides it.

Every view, export, import, API endpoint and command asks these functions. A membership with a
role in a unit reaches that unit and every unit below it (``Unit.path`` prefix). Any role lets a
user see the subtree; what they may change depends on the role a register's definition asks for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core.models import Membership, Role, Unit
from fazhi.core.types import Actor


def _memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_fazhi_memberships", None)
    if cached is None:
        cached = list(Membership.objects.select_related("unit").filter(user=user))
        user._fazhi_memberships = cached
    return cached


def user_memberships(user: Any) -> list[Membership]:
    """The user's memberships (unit and role), read once per request."""
    return _memberships(user)


def user_scope_paths(user: Any, roles: Iterable[str] | None = None) -> list[str]:
    """The unit paths a user reaches, optionally only through the given roles."""
    wanted = set(roles) if roles is not None else None
    paths = []
    for m in _memberships(user):
        if wanted is None or m.role in wanted:
            paths.append(m.unit.path)
    # Drop paths covered by another path in the list.
    paths.sort()
    kept: list[str] = []
    for p in paths:
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept


def user_roles(user: Any) -> set[str]:
    """The roles a user holds in any unit (what the navigation offers depends on them)."""
    return {m.role for m in _memberships(user)}


def unit_scope_q(paths: list[str], field: str = "path") -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def units_visible_to(user: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope_q(user_scope_paths(user)))


def user_roles_for_unit(user: Any, unit: Unit) -> set[str]:
    """The roles a user holds over ``unit`` (through it or an ancestor)."""
    roles = set()
    for m in _memberships(user):
        if unit.path.startswith(m.unit.path):
            roles.add(m.role)
    return roles


def user_can_see_unit(user: Any, unit: Unit) -> bool:
    return bool(user_roles_for_unit(user, unit))


def user_units_with_role(user: Any, roles: Iterable[str]) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope_q(user_scope_paths(user, roles)))


def user_holds_role(user: Any, roles: Iterable[str]) -> bool:
    """The user holds one of ``roles`` in some unit: ``user_units_with_role(user, roles).exists()``
    answered from the memberships already read, without a query."""
    wanted = set(roles)
    return any(m.role in wanted for m in _memberships(user))


def user_is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(m.role == Role.ADMIN for m in _memberships(user))


def user_has_role(user: Any, unit: Unit, roles: Iterable[str], *, admin: bool = False) -> bool:
    """The one role check: the user holds one of ``roles`` over ``unit`` (through it or a unit
    above it), or is an administrator where ``admin`` allows one."""
    return (admin and user_is_admin(user)) or bool(user_roles_for_unit(user, unit) & set(roles))


def role_labels(roles: Iterable[str]) -> str:
    """Roles as a clerk reads them: 经办人、审核人."""
    return "、".join(Role(r).label if r in Role.values else r for r in roles)


def require_role(actor: Actor, unit: Unit, roles: Iterable[str], what: str, *, admin: bool = False) -> None:
    """Refuse (PermissionDenied) unless :func:`user_has_role`."""
    from fazhi.core.errors import PermissionDenied

    if not user_has_role(actor, unit, roles, admin=admin):
        raise PermissionDenied(f"您在{unit.name}没有{what}的权限")
