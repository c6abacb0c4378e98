"""Login lock-out (django-axes) on every login made through a web request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' check on every login through a web request (the login page, the admin's). An
    ``authenticate()`` without a request has no client to count (Django's test client, a command
    run on the server) and passes on to the password check."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
