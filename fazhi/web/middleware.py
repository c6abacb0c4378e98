"""Session idle time-out, no caching of what a signed-in user sees, and the second factor."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SEEN = "_fazhi_seen"


class SessionIdleMiddleware:
    """A session unused for FAZHI_SESSION_IDLE_MINUTES ends: the next request signs out and asks
    to sign in again. The time of use is written at most once a minute (not on every request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN)
            if seen is not None and now - int(seen) > settings.FAZHI_SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, f"您已超过 {settings.FAZHI_SESSION_IDLE_MINUTES} 分钟未操作，为保护数据已自动退出，请重新登录。")
                return redirect(f"{reverse('login')}?next={request.path}")
            if seen is None or now - int(seen) >= 60:
                request.session[SEEN] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for a signed-in user (case files with personal data) are never stored by a browser
    or a proxy cache; downloads too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


class SecondFactorMiddleware:
    """A session signed in by a password alone is refused to a user with an authenticator (any
    way in that skipped the code: it signs out and asks to sign in again); a user whose role needs
    a second factor (FAZHI_OTP_REQUIRED_ROLES) reaches only the enrolment until they have one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from fazhi.core.twofactor import otp_device_for, otp_required_for

        user = request.user
        if user.is_authenticated and getattr(user, "otp_device", None) is None:
            if otp_device_for(user) is not None:
                logout(request)
                messages.info(request, "请重新登录，并输入身份验证器上的动态验证码。")
                return redirect(f"{reverse('login')}?next={request.path}")
            if otp_required_for(user) and request.path not in _enrolment_paths():
                messages.warning(request, "按本单位的安全要求，您的账号须先启用两步验证，才能使用本平台。")
                return redirect("account")
        return self.get_response(request)


def _enrolment_paths() -> set[str]:
    return {reverse(name) for name in ("account", "account_otp_enrol", "logout", "login", "login_code")}
