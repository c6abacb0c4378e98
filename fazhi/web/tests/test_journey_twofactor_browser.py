"""The rule-of-law office turns on two-step verification at a desktop and signs in with it: the
secret is read off the page as a person types it into an authenticator app."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from fazhi.web.tests.conftest import DESKTOP, login, page_ok


def phone_code(secret: str, steps_ahead: int) -> str:
    """What an authenticator app shows for this secret, ``steps_ahead`` 30-second steps from now."""
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def next_code(secret: str, device: TOTPDevice) -> str:
    """The next code the device accepts: a code is accepted once (a step after its last), within
    its tolerance of now as its drift sees it. The enrolment's code may have matched a step off
    (the 30-second boundary crossed between reading the code and checking it), and the device
    then keeps that drift: one step ahead of the clock alone would then be refused."""
    now = int(time.time()) // 30 + device.drift
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, digits=6)
    totp.time = 30 * max(device.last_t + 1, now)
    return f"{totp.token():06d}"


def test_office_enrols_an_authenticator_and_signs_in_with_its_code(browser: Browser, live_server: Any, transactional_db: Any, org: Any, settings: Any) -> None:
    # the journey types a wrong code, then the right one at once: django-otp's delay after a wrong
    # code is off here (test_twofactor.py checks it), so the test waits on the page, never on time
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    page = browser.new_context(viewport=DESKTOP).new_page()  # type: ignore[arg-type]
    login(page, live_server.url, "dave")
    page.click("nav a[href='/zhanghu/']")
    expect(page.locator("h1")).to_have_text("账户")
    expect(page.locator("#otp-status")).to_contain_text("未启用")
    page_ok(page)

    page.click("text=启用两步验证")
    expect(page.locator("h1")).to_have_text("启用两步验证")
    expect(page.locator("svg[role=img]")).to_be_visible()
    page_ok(page)
    secret = page.input_value("#otp-secret")
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", secret)
    page.fill("#id_code", "000000" if phone_code(secret, 0) != "000000" else "111111")
    page.click("text=确认启用")
    expect(page.locator("#id_code + div[role=alert]")).to_contain_text("验证码不正确")
    assert not TOTPDevice.objects.filter(user=org.dave, confirmed=True).exists()
    page.fill("#id_code", phone_code(secret, 0))
    page.click("text=确认启用")
    expect(page.locator(".alert-success")).to_contain_text("两步验证已启用")
    expect(page.locator("#otp-status")).to_contain_text("已启用")
    page_ok(page)

    page.click("text=退出")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("输入动态验证码")
    page_ok(page)
    # between the password and the code, the staff pages stay closed
    page.goto(f"{live_server.url}/r/reconsideration/")
    expect(page.locator("h1")).to_have_text("登录")
    page.goto(f"{live_server.url}/login/code/")
    page.fill("#id_code", next_code(secret, TOTPDevice.objects.get(user=org.dave, confirmed=True)))
    page.click("text=验证并登录")
    expect(page.locator("h1")).to_contain_text("待办事项")
    page_ok(page)
