"""The type of who acts: the ``actor`` of every service and the ``user`` of every selector.

Views pass ``request.user``, which django-stubs types as the user model or ``AnonymousUser``
(``login_required`` does not narrow it); the commands and the system steps pass ``None`` (the
operator at the command line, or the platform itself), spelled ``Actor | None``. The project uses
Django's ``auth.User``, a subclass of ``AbstractBaseUser``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    Actor: TypeAlias = AbstractBaseUser | AnonymousUser
else:  # annotations only: the models cannot be imported before the app registry is ready
    Actor = Any


if TYPE_CHECKING:
    from django.contrib.auth.models import User


def actor_row(actor: Actor) -> User:
    """The user row a foreign key records as who acted. Django refuses any other value on such a
    key (ValueError); so does this, before the write."""
    from django.contrib.auth.models import User

    if not isinstance(actor, User):
        raise ValueError(f"经办人应为系统用户：{actor!r}")
    return actor


def actor_row_or_none(actor: Actor | None) -> User | None:
    """As :func:`actor_row`, keeping ``None`` (a system step, or the operator at the command line)."""
    return None if actor is None else actor_row(actor)
