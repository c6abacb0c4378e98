"""The access log of personal data: written where a page or an export shows natural persons'
data to a user, read by the rule-of-law office of the units whose data it is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fazhi.core.models import AccessKind, PersonalDataAccess, Role, Unit
from fazhi.core.selectors import unit_scope_q, user_is_admin, user_scope_paths

SUPERVISORS = (Role.RULE_OF_LAW_OFFICE,)


def personal_access_record(
    *,
    user: Any,
    kind: AccessKind,
    register: str,
    unit: Unit | None,
    object_id: int | None = None,
    case_number: str = "",
    rows: int | None = None,
    filters: str = "",
) -> PersonalDataAccess:
    """One INSERT: ``user`` was shown the personal data of ``register`` (a record, or ``rows``
    records selected by ``filters``, a description without the personal values)."""
    return PersonalDataAccess.objects.create(
        user=user,
        username=user.get_username(),
        at=timezone.now(),
        kind=kind,
        register=register,
        object_id=object_id,
        case_number=case_number[:80],
        unit=unit,
        rows=rows,
        filters=filters[:300],
    )


def common_unit(units: Iterable[Unit]) -> Unit | None:
    """The narrowest unit that holds all of these units (one of them, or a query for an ancestor)."""
    by_path = {u.path: u for u in units}
    if not by_path:
        return None
    paths = iter(by_path)
    prefix = next(paths)
    for p in paths:
        while not p.startswith(prefix):
            prefix = prefix[: prefix.rstrip(".").rfind(".") + 1]
    if prefix in by_path:
        return by_path[prefix]
    return Unit.objects.filter(path=prefix).first() if prefix else None


def access_log_readable(user: Any) -> bool:
    return user_is_admin(user) or bool(user_scope_paths(user, SUPERVISORS))


def access_log_visible_to(user: Any) -> QuerySet[PersonalDataAccess]:
    """An administrator reads the whole log; the rule-of-law office the accesses to the data of
    its units (a user's own accesses are no reason to read others')."""
    qs = PersonalDataAccess.objects.select_related("user", "unit")
    if user_is_admin(user):
        return qs
    return qs.filter(unit_scope_q(user_scope_paths(user, SUPERVISORS), "unit__path"))
