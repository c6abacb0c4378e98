"""Writes to the organisation tree. Services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from fazhi.core.models import PATH_STEP, Kind, Level, Membership, Role, Unit


def _next_path(parent: Unit | None) -> str:
    prefix = parent.path if parent else ""
    siblings = Unit.objects.filter(parent=parent) if parent else Unit.objects.filter(parent__isnull=True)
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    number = int(last[len(prefix) : len(prefix) + PATH_STEP]) + 1 if last else 1
    return f"{prefix}{number:0{PATH_STEP}d}."


@transaction.atomic
def unit_create(
    *,
    name: str,
    short_name: str,
    code: str,
    level: str,
    kind: str,
    parent: Unit | None = None,
    is_rule_of_law_office: bool = False,
    is_reconsideration_body: bool = False,
) -> Unit:
    if level not in Level.values:
        raise ValueError(f"unknown level {level!r}")
    if kind not in Kind.values:
        raise ValueError(f"unknown kind {kind!r}")
    return Unit.objects.create(
        name=name,
        short_name=short_name,
        code=code,
        level=level,
        kind=kind,
        parent=parent,
        path=_next_path(parent),
        is_rule_of_law_office=is_rule_of_law_office,
        is_reconsideration_body=is_reconsideration_body,
    )


def membership_grant(*, user: Any, unit: Unit, role: str) -> Membership:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return membership


def user_create(*, username: str, full_name: str, password: str | None = None) -> AbstractBaseUser:
    user_model = get_user_model()
    user = user_model(username=username, first_name=full_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user
