"""The optional second factor (TOTP): enrolment, login in two steps, wrong and replayed codes, the
lock-out, roles that must enrol, an administrator's reset. Codes are computed from the device's key
as an authenticator app does (django_otp.oath.totp), at a clock the test holds still."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, Org
from fazhi.core.deploy import otp_settings_problems
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.web.pagecheck import page_problems

START = 1_767_225_600  # 2026-01-01 00:00:00 UTC, the start of a 30-second step


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START + 5, tick=False) as traveller:
        yield traveller


def code(device: TOTPDevice) -> str:
    """The code the user's phone shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def enrolled(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def password_step(client: Client, username: str, password: str = PASSWORD, next_: str = "") -> Any:
    return client.post("/login/" + (f"?next={next_}" if next_ else ""), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolment_shows_a_qr_code_and_saves_the_device_only_after_a_right_code(org: Org, clock: Any) -> None:
    client = Client()
    client.force_login(org.dave)
    assert "未启用" in client.get("/zhanghu/").content.decode()
    page = client.post("/zhanghu/liangbu/qiyong/", {"step": "start"})
    html = page.content.decode()
    assert page.status_code == 200 and '<svg role="img"' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # the QR code is inline SVG, never an inline script
    assert page_problems(html) == []
    device = TOTPDevice.objects.get(user=org.dave)
    assert not device.confirmed
    secret = re.search(r'id="otp-secret" value="([A-Z2-7 ]+)"', html)
    assert secret is not None and len(secret.group(1).replace(" ", "")) == 32
    # a wrong code keeps the device unconfirmed, and login still needs no code
    refused = client.post("/zhanghu/liangbu/qiyong/", {"step": "confirm", "code": wrong(device)})
    assert "验证码不正确" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and password_step(Client(), "dave").status_code == 302 and not LogEntry.objects.exists()
    clock.shift(3)  # past django-otp's throttle after one failure
    done = client.post("/zhanghu/liangbu/qiyong/", {"step": "confirm", "code": code(device)})
    assert done.status_code == 302 and done["Location"] == "/zhanghu/"
    device.refresh_from_db()
    assert device.confirmed
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_id, entry.action_flag, entry.change_message) == (org.dave.pk, str(org.dave.pk), CHANGE, "启用两步验证")
    # the session that enrolled stays signed in; the account page says so
    account = client.get("/zhanghu/").content.decode()
    assert "已启用" in account and page_problems(account) == []
    assert client.get("/").status_code == 200


def test_a_user_without_an_authenticator_signs_in_with_the_password_alone(org: Org) -> None:
    client = Client()
    response = password_step(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/" and signed_in(client)


def test_with_an_authenticator_the_password_opens_only_the_code_step(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    client = Client()
    response = password_step(client, "dave", next_="/r/reconsideration/")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert not signed_in(client)
    for path in ("/", "/r/reconsideration/", "/zhanghu/", "/audit/"):
        assert client.get(path)["Location"].startswith("/login/"), path
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/login/?next=/admin/"
    page = client.get("/login/code/")
    assert page.status_code == 200 and page_problems(page.content.decode()) == []
    done = client.post("/login/code/", {"code": code(device)})
    assert done.status_code == 302 and done["Location"] == "/r/reconsideration/"
    assert signed_in(client) and client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_the_code_step_needs_the_password_first_and_expires(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    client = Client()
    assert client.post("/login/code/", {"code": code(device)})["Location"] == "/login/"
    assert not signed_in(client)
    password_step(client, "dave")
    clock.shift(301)
    assert client.post("/login/code/", {"code": code(device)})["Location"] == "/login/"
    assert not signed_in(client)
    # a password step left half-way ends with the next login in the same browser
    password_step(client, "dave")
    password_step(client, "alice")
    assert client.post("/login/code/", {"code": code(device)})["Location"] == "/login/"
    assert client.session["_auth_user_id"] == str(org.alice.pk)


def test_a_wrong_code_is_refused_in_chinese_and_the_right_one_then_signs_in(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    client = Client()
    password_step(client, "dave")
    for bad, message in ((wrong(device), "验证码不正确"), ("12ab56", "请输入 6 位数字"), ("", "请输入身份验证器")):
        page = client.post("/login/code/", {"code": bad})
        assert page.status_code == 200 and message in page.content.decode() and not signed_in(client)
    page = client.post("/login/code/", {"code": code(device)})  # within a second of the wrong one: throttled
    assert "尝试过于频繁" in page.content.decode() and not signed_in(client)
    clock.shift(5)
    assert client.post("/login/code/", {"code": code(device)}).status_code == 302 and signed_in(client)


def test_wrong_codes_count_toward_the_lockout_like_wrong_passwords(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(3):
        assert password_step(client, "dave", password=f"guess-{i}").status_code == 200
    password_step(client, "dave")
    clock.shift(60)
    assert client.post("/login/code/", {"code": wrong(device)}).status_code == 200  # the 4th failure
    clock.shift(60)
    locked = client.post("/login/code/", {"code": wrong(device)})  # the 5th: locked
    assert locked.status_code == 429 and "动态验证码" in locked.content.decode()
    clock.shift(60)
    assert client.post("/login/code/", {"code": code(device)})["Location"] == "/login/"
    assert password_step(client, "dave").status_code == 429 and not signed_in(client)
    # the lock is the pair's: from another client the password and a right code still sign in
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    password_step(elsewhere, "dave")
    assert elsewhere.post("/login/code/", {"code": code(device)}).status_code == 302 and signed_in(elsewhere)


def test_a_code_is_accepted_once(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    first = Client()
    password_step(first, "dave")
    used = code(device)
    assert first.post("/login/code/", {"code": used}).status_code == 302 and signed_in(first)
    # someone who watched the code typed (or a second tab) cannot use it again
    second = Client()
    password_step(second, "dave")
    replay = second.post("/login/code/", {"code": used})
    assert replay.status_code == 200 and "已使用过" in replay.content.decode() and not signed_in(second)
    clock.shift(30)  # the next step's code
    assert code(device) != used
    assert second.post("/login/code/", {"code": code(device)}).status_code == 302 and signed_in(second)


def test_a_session_that_skipped_the_code_is_signed_out(org: Org) -> None:
    enrolled(org.dave)
    client = Client()
    client.force_login(org.dave)  # as any way in that skips the second step would
    response = client.get("/r/reconsideration/")
    assert response["Location"] == "/login/?next=/r/reconsideration/" and not signed_in(client)


def test_required_roles_must_enrol_before_using_the_site(org: Org, settings: Any, clock: Any) -> None:
    settings.FAZHI_OTP_REQUIRED_ROLES = ["rule_of_law_office", "admin"]
    dave = Client()
    dave.force_login(org.dave)
    for path in ("/", "/r/reconsideration/", "/audit/"):
        assert dave.get(path)["Location"] == "/zhanghu/", path
    account = dave.get("/zhanghu/").content.decode()
    assert "须先启用两步验证" in account and page_problems(account) == []
    alice = Client()  # a clerk: not required
    alice.force_login(org.alice)
    assert alice.get("/").status_code == 200
    dave.post("/zhanghu/liangbu/qiyong/", {"step": "start"})
    device = TOTPDevice.objects.get(user=org.dave)
    assert dave.post("/zhanghu/liangbu/qiyong/", {"step": "confirm", "code": code(device)}).status_code == 302
    assert dave.get("/").status_code == 200
    # the requirement forbids turning it off
    clock.shift(30)
    refused = dave.post("/zhanghu/liangbu/tingyong/", {"code": code(device)}, follow=True)
    assert "不能停用" in refused.content.decode() and TOTPDevice.objects.filter(user=org.dave, confirmed=True).exists()


def test_disabling_needs_a_current_code(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    client = Client()
    password_step(client, "dave")
    client.post("/login/code/", {"code": code(device)})
    clock.shift(30)
    refused = client.post("/zhanghu/liangbu/tingyong/", {"code": wrong(device)}, follow=True)
    assert "未停用" in refused.content.decode() and TOTPDevice.objects.filter(user=org.dave).exists()
    clock.shift(30)
    done = client.post("/zhanghu/liangbu/tingyong/", {"code": code(device)}, follow=True)
    assert "两步验证已停用" in done.content.decode() and not TOTPDevice.objects.filter(user=org.dave).exists()
    assert LogEntry.objects.filter(object_id=str(org.dave.pk), change_message="停用两步验证").exists()
    assert password_step(Client(), "dave")["Location"] == "/"


def test_an_administrator_resets_a_device_of_their_units_only(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    west_admin = get_user_model().objects.create_user(username="wadmin", password=PASSWORD, first_name="西山管理员")
    membership_grant(user=west_admin, unit=org.other_district, role=Role.ADMIN)
    for outsider in (org.frank, west_admin):
        client = Client()
        client.force_login(outsider)
        assert "戴夫" not in client.get("/zhanghu/").content.decode()
        refused = client.post(f"/zhanghu/liangbu/chongzhi/{org.dave.pk}/", follow=True)
        assert "不在您管理的单位内" in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists() and not LogEntry.objects.exists()
    admin = Client()
    admin.force_login(org.admin)
    page = admin.get("/zhanghu/").content.decode()
    assert "重置戴夫的两步验证" in page and page_problems(page) == []
    done = admin.post(f"/zhanghu/liangbu/chongzhi/{org.dave.pk}/", follow=True)
    assert "已重置戴夫的两步验证" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=org.dave).exists()
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_id, entry.change_message) == (org.admin.pk, str(org.dave.pk), "系统管理员重置两步验证")
    # the user signs in with the password alone again
    assert password_step(Client(), "dave")["Location"] == "/"


def test_a_code_step_begun_before_a_reset_starts_again(org: Org, clock: Any) -> None:
    device = enrolled(org.dave)
    client = Client()
    password_step(client, "dave")
    TOTPDevice.objects.filter(pk=device.pk).delete()
    assert client.post("/login/code/", {"code": code(device)})["Location"] == "/login/" and not signed_in(client)


def test_required_roles_must_exist(settings: Any) -> None:
    settings.FAZHI_OTP_REQUIRED_ROLES = ["rule_of_law_office"]
    assert otp_settings_problems() == []
    settings.FAZHI_OTP_REQUIRED_ROLES = ["office"]
    (problem,) = otp_settings_problems()
    assert "office" in problem and "rule_of_law_office" in problem
