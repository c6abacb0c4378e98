"""Login in two steps for users with an authenticator, and the account page (账户) where a user
turns the second factor on or off and an administrator resets another user's.

After a correct password, a user with a confirmed authenticator is NOT signed in: the session only
remembers who passed the password (for a few minutes), and the code page signs them in once the
code is right. A wrong code counts toward the same lock-out as a wrong password (django-axes).
"""

from __future__ import annotations

import time
from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core.errors import FazhiError
from fazhi.core.selectors import user_is_admin
from fazhi.core.twofactor import (
    otp_check,
    otp_device_for,
    otp_disable,
    otp_enrolment_confirm,
    otp_enrolment_device,
    otp_enrolment_start,
    otp_qr_svg,
    otp_required_for,
    otp_reset,
    otp_resettable_users,
    otp_secret,
)

PENDING = "_fazhi_otp_pending"  # who passed the password: user, backend, when, where to go next
PENDING_SECONDS = 300
ENROLLING = "_fazhi_otp_enrolling"  # the unconfirmed device being set up in this session


class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=12,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
        error_messages={"required": "请输入身份验证器上显示的 6 位数字。"},
    )


class PasswordThenCodeLoginView(LoginView):
    """Django's login form; for a user with an authenticator the password only opens the code step."""

    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        self.request.session.pop(PENDING, None)  # an earlier password step in this browser ends here
        if otp_device_for(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": int(time.time()), "next": self.get_success_url()}  # type: ignore[attr-defined]
        return redirect("login_code")


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=int(pending["user"]), is_active=True).first()
    return (user, pending) if user is not None else None


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the 6-digit code of the user's authenticator."""
    found = _pending_user(request)
    if found is None:
        messages.info(request, "请先输入用户名和密码。")
        return redirect("login")
    user, pending = found
    device = otp_device_for(user)
    credentials = {"username": user.get_username()}
    if device is None:  # reset by an administrator meanwhile: start again with the password
        request.session.pop(PENDING, None)
        messages.info(request, "您的两步验证已被重置，请重新登录。")
        return redirect("login")
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING, None)
        return get_lockout_response(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp_check(device=device, code=form.cleaned_data["code"])
        if result.ok:
            request.session.pop(PENDING, None)
            login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            return redirect(pending.get("next") or "home")
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return get_lockout_response(request, None, credentials)
        form.add_error("code", result.message)
    return render(request, "registration/login_code.html", {"form": form, "username": user.get_username()})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """账户: the user's own second factor, and for an administrator the people they may reset."""
    device = otp_device_for(request.user)
    resettable = otp_resettable_users(request.user).prefetch_related("memberships__unit") if user_is_admin(request.user) else None
    return render(
        request,
        "web/account.html",
        {
            "device": device,
            "required": otp_required_for(request.user),
            "disable_form": CodeForm(auto_id="disable_%s"),
            "resettable": resettable,
        },
    )


def _enrol_page(request: HttpRequest, device: Any, form: CodeForm) -> HttpResponse:
    qr = mark_safe(otp_qr_svg(device))  # segno writes the SVG from the device's own address
    return render(request, "web/account_enrol.html", {"form": form, "secret": otp_secret(device), "qr": qr})


@login_required
@require_POST
def account_otp_enrol(request: HttpRequest) -> HttpResponse:
    """启用两步验证: ``start`` shows a new secret as a QR code; ``confirm`` saves it once a code from
    it is right."""
    if request.POST.get("step") != "confirm":
        device = otp_enrolment_start(user=request.user)
        request.session[ENROLLING] = device.pk
        return _enrol_page(request, device, CodeForm())
    device = otp_enrolment_device(user=request.user, device_id=request.session.get(ENROLLING))
    if device is None:
        messages.error(request, "设置已失效，请重新点击“启用两步验证”。")
        return redirect("account")
    form = CodeForm(request.POST)
    if form.is_valid():
        result = otp_enrolment_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
        if result.ok:
            request.session.pop(ENROLLING, None)
            django_otp.login(request, device)
            messages.success(request, "两步验证已启用。今后登录时，输入密码后还需输入身份验证器上的动态验证码。")
            return redirect("account")
        form.add_error("code", result.message)
    return _enrol_page(request, device, form)


@login_required
@require_POST
def account_otp_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请输入身份验证器上当前显示的 6 位数字，才能停用两步验证。")
        return redirect("account")
    try:
        result = otp_disable(user=request.user, code=form.cleaned_data["code"])
    except FazhiError as exc:
        messages.error(request, exc.message)
        return redirect("account")
    if result.ok:
        messages.success(request, "两步验证已停用。")
    else:
        messages.error(request, "未停用：" + result.message)
    return redirect("account")


@login_required
@require_POST
def account_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=pk)
    try:
        otp_reset(user=user, actor=request.user)
    except FazhiError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置{user.first_name or user.get_username()}的两步验证，该人员下次登录只需密码，并可重新启用。")
    return redirect("account")
