"""The second factor of a login (django-otp, TOTP): enrolment, disabling, an administrator's reset.

A user holds at most one confirmed authenticator (``TOTPDevice``). Enrolment creates an unconfirmed
device whose secret the user scans; only a correct code from it confirms it. Every change is written
to the admin log (``LogEntry`` on the user, as the admin does for account changes), in the same
transaction as the change. Replayed codes are refused by django-otp itself (a code's time step must
be after the last one accepted), and repeated wrong codes are slowed down by its throttle.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhi.core.errors import FazhiError, PermissionDenied
from fazhi.core.models import Membership, Role
from fazhi.core.selectors import unit_scope_q, user_is_admin, user_roles, user_scope_paths
from fazhi.core.types import Actor, actor_row

DEVICE_NAME = "身份验证器"


def otp_device_for(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def otp_required_roles() -> set[str]:
    return {r for r in settings.FAZHI_OTP_REQUIRED_ROLES if r in Role.values}


def otp_required_for(user: Any) -> bool:
    """Whether the user's roles oblige them to use a second factor (FAZHI_OTP_REQUIRED_ROLES)."""
    required = otp_required_roles()
    if not required:
        return False
    roles = user_roles(user)
    if Role.ADMIN in required and getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return bool(roles & required)


def _log(*, actor: Actor, user: Any, message: str) -> None:
    LogEntry.objects.log_actions(user_id=actor_row(actor).pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str = ""


def _throttled(device: TOTPDevice) -> str:
    """Why django-otp refuses to check a code now (too many wrong ones just before), or ""."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return ""
    until = (info or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return f"尝试过于频繁，请 {seconds} 秒后再输入。"


WRONG_CODE = "验证码不正确或已使用过，请输入身份验证器上当前显示的 6 位数字。"


def _clean(code: str) -> str:
    return "".join(code.split())


def otp_check(*, device: TOTPDevice, code: str) -> CheckResult:
    """Verify one code against a device, under a row lock so that two requests cannot both use it."""
    code = _clean(code)
    if not (code.isdigit() and len(code) == device.digits):
        return CheckResult(False, f"请输入 {device.digits} 位数字的验证码。")
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        throttled = _throttled(locked)
        if locked.verify_token(code):
            return CheckResult(True)
        return CheckResult(False, throttled or WRONG_CODE)


@transaction.atomic
def otp_enrolment_start(*, user: Any) -> TOTPDevice:
    """A new unconfirmed authenticator for the user (an earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def otp_enrolment_device(*, user: Any, device_id: int | None) -> TOTPDevice | None:
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user_id=user.pk, confirmed=False).first()


def otp_enrolment_confirm(*, user: Any, device: TOTPDevice, code: str) -> CheckResult:
    """Confirm the new authenticator with one of its codes; it then replaces any earlier one."""
    with transaction.atomic():
        result = otp_check(device=device, code=code)
        if not result.ok:
            return result
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        _log(actor=user, user=user, message="启用两步验证")
    return result


def otp_disable(*, user: Any, code: str) -> CheckResult:
    """The user turns the second factor off, proving it with a current code."""
    device = otp_device_for(user)
    if device is None:
        raise FazhiError("您尚未启用两步验证。")
    if otp_required_for(user):
        raise PermissionDenied("您的角色要求使用两步验证，不能停用；更换手机请重新启用，或请系统管理员重置。")
    with transaction.atomic():
        result = otp_check(device=device, code=code)
        if result.ok:
            TOTPDevice.objects.filter(user_id=user.pk).delete()
            _log(actor=user, user=user, message="停用两步验证")
    return result


def otp_resettable_users(actor: Actor) -> QuerySet[Any]:
    """The users with an authenticator whose second factor this administrator may reset: those
    with a role in a unit within the administrator's units (a superuser: everyone)."""
    user_model = get_user_model()
    with_device = user_model.objects.filter(pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
    if getattr(actor, "is_superuser", False):
        return with_device.order_by("username")
    if not user_is_admin(actor):
        return with_device.none()
    paths = user_scope_paths(actor, {Role.ADMIN})
    members = Membership.objects.filter(unit_scope_q(paths, "unit__path")).values("user_id")
    return with_device.filter(pk__in=members, is_superuser=False).order_by("username")


def otp_reset(*, user: Any, actor: Actor) -> None:
    """An administrator removes another user's authenticator (a lost or replaced phone): the user
    then signs in with the password alone, and enrols again."""
    if not otp_resettable_users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("该人员不在您管理的单位内，或尚未启用两步验证。")
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        _log(actor=actor, user=user, message="系统管理员重置两步验证")


def otp_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in (base32, in groups of four)."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def otp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment address as an inline SVG QR code (no script, no external image)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff")
    return svg.replace("<svg ", '<svg role="img" aria-label="用身份验证器扫描此二维码" ', 1)
