"""Session idle time-out, and no caching of what a signed-in user sees."""

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
