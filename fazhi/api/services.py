"""System accounts of the REST API: creation, revocation, the token check and the rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fazhi.api.models import ApiClient, ApiRate
from fazhi.core.errors import ValidationFailed
from fazhi.core.models import Role, Unit
from fazhi.core.services import membership_grant, user_create
from fazhi.registers.framework.registry import REGISTRY

TOKEN_PREFIX = "fz_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_client_create(
    *, name: str, units: Iterable[Unit], roles: Iterable[str], registers: Iterable[str] = (), can_write: bool = False, per_minute: int = 600
) -> tuple[ApiClient, str]:
    """A system account holding ``roles`` in ``units`` (and everything below them); returns the
    client and its token, which is shown this once and stored only as a digest."""
    name = name.strip()
    units, roles, registers = list(units), list(roles), sorted(set(registers))
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["请填写接口账号名称"]
    elif ApiClient.objects.filter(name=name).exists():
        errors["name"] = [f"接口账号“{name}”已存在"]
    if not units:
        errors["units"] = ["请至少指定一个单位（接口账号只能访问这些单位及其下级的记录）"]
    unknown_roles = [r for r in roles if r not in Role.values or r == Role.ADMIN]
    if not roles or unknown_roles:
        errors["roles"] = ["请指定角色：" + "、".join(f"{r.value}（{r.label}）" for r in Role if r != Role.ADMIN)]
    unknown = [r for r in registers if r not in REGISTRY]
    if unknown:
        errors["registers"] = [f"没有这些台账：{'、'.join(unknown)}"]
    if per_minute < 1:
        errors["per_minute"] = ["每分钟请求上限至少为 1"]
    if errors:
        raise ValidationFailed(errors)
    user = user_create(username=f"api-{secrets.token_hex(6)}", full_name=f"{name}（接口）")
    for unit in units:
        for role in roles:
            membership_grant(user=user, unit=unit, role=role)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(  # type: ignore[misc]
        name=name, user=user, token_digest=token_digest(token), token_hint=token[:8], registers=registers, can_write=can_write, per_minute=per_minute
    )
    return client, token


@transaction.atomic
def api_client_rotate(client: ApiClient) -> str:
    """A new token for the client; the old one stops working at once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client.token_digest, client.token_hint = token_digest(token), token[:8]
    client.save(update_fields=["token_digest", "token_hint"])
    return token


def api_client_revoke(client: ApiClient) -> None:
    client.active = False
    client.save(update_fields=["active"])


def client_for_token(token: str) -> ApiClient | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    client = ApiClient.objects.select_related("user").filter(token_digest=token_digest(token), active=True).first()
    if client is None or not client.user.is_active:
        return None
    return client


def rate_take(client: ApiClient, now: dt.datetime | None = None) -> int:
    """Count one request in the current minute; returns the seconds to wait when over the limit, else 0.
    The increment is one UPDATE (a row lock on PostgreSQL, the write lock on SQLite), so parallel
    requests cannot all pass."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        if not ApiRate.objects.filter(client=client, minute=minute).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ApiRate.objects.create(client=client, minute=minute, count=1)
            except IntegrityError:
                ApiRate.objects.filter(client=client, minute=minute).update(count=F("count") + 1)
        count = ApiRate.objects.filter(client=client, minute=minute).values_list("count", flat=True).get()
        if count == 1:
            ApiRate.objects.filter(client=client, minute__lt=minute - dt.timedelta(hours=1)).delete()
    if count > client.per_minute:
        return 60 - now.second
    return 0
