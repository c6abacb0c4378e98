"""The production server (gunicorn, static files by WhiteNoise) with production settings: it
refuses published keys and wildcard hosts, serves HTTPS-only behind the proxy with the security
headers, locks out a guessed password, and a user's journey passes through it in Chromium."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from playwright.sync_api import Browser, expect

from conftest import PASSWORD, Org

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAZHI_", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    return env | {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)} | extra


def _field_keys(folder: Path) -> str:
    """A key file of personal data at rest (a production server refuses the development keys)."""
    from fazhi.core.fieldcrypt import keyring_write, new_key

    path = folder / "field-keys.json"
    if not path.exists():
        keyring_write(path, "k1", {"k1": new_key()}, new_key())
    return str(path)


def _production(static_root: Path, port: int) -> dict[str, str]:
    return _env(
        # the browser below speaks plain HTTP to the server (nginx would speak TLS to it): its origin is trusted here
        CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        SECRET_KEY=secrets.token_urlsafe(48),
        FAZHI_AUDIT_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        FAZHI_HTTPS="1",
        FAZHI_TRUSTED_PROXIES="127.0.0.1",
        FAZHI_STATIC_ROOT=str(static_root),
        DATABASE_URL=_database_url(),
        FAZHI_CHECKPOINT_KEY_FILE=str(static_root.parent / "no-key.pem"),
        FAZHI_FIELD_KEYS_FILE=_field_keys(static_root.parent),
    )


def test_a_server_refuses_to_start_with_the_published_keys_or_a_wildcard_host(tmp_path: Path) -> None:
    start = [sys.executable, "-c", "import config.wsgi"]
    unsafe = subprocess.run(
        start, env=_env(ALLOWED_HOSTS="*", FAZHI_FIELD_KEYS_FILE=str(tmp_path / "none.json")), cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert unsafe.returncode != 0
    assert "拒绝以不安全的配置启动" in unsafe.stderr
    assert "SECRET_KEY" in unsafe.stderr and "FAZHI_AUDIT_KEY" in unsafe.stderr and "ALLOWED_HOSTS" in unsafe.stderr
    assert "个人信息加密密钥文件" in unsafe.stderr
    good = _env(
        SECRET_KEY=secrets.token_urlsafe(48),
        FAZHI_AUDIT_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="fazhi.example.gov.cn",
        FAZHI_FIELD_KEYS_FILE=_field_keys(tmp_path),
    )
    assert subprocess.run(start, env=good, cwd=ROOT, capture_output=True, text=True, timeout=120).returncode == 0
    short = subprocess.run(start, env=good | {"FAZHI_AUDIT_KEY": "short"}, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert short.returncode != 0 and "FAZHI_AUDIT_KEY" in short.stderr and "SECRET_KEY" not in short.stderr
    # the demo on loopback accepts them
    assert subprocess.run(start, env=_env(FAZHI_DEMO="1"), cwd=ROOT, capture_output=True, text=True, timeout=120).returncode == 0


def test_the_deploy_check_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    env = _env(
        SECRET_KEY=secrets.token_urlsafe(48),
        FAZHI_AUDIT_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="fazhi.example.gov.cn",
        FAZHI_HTTPS="1",
        FAZHI_FIELD_KEYS_FILE=_field_keys(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.fixture
def server(transactional_db: Any, org: Org, tmp_path: Path, settings: Any) -> Iterator[str]:
    # the tests hash passwords fast (MD5); the server checks them with the production hashers
    for user in (org.alice, org.erin):
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
        user.save(update_fields=["password"])
    static_root = tmp_path / "static"
    # the test binds the listening socket and hands it to gunicorn (fd://): a request made before
    # a worker is ready waits in the socket's queue, so no polling and no sleeping is needed
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    port = int(listener.getsockname()[1])
    env = _production(static_root, port)
    settings.FAZHI_FIELD_KEYS_FILE = env["FAZHI_FIELD_KEYS_FILE"]  # this process reads what the server encrypted
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    proc = subprocess.Popen(
        [str(GUNICORN), "config.wsgi:application", "--bind", f"fd://{listener.fileno()}", "--workers", "2", "--timeout", "120"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        pass_fds=(listener.fileno(),),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            urllib.request.urlopen(urllib.request.Request(f"{base}/login/", headers={"X-Forwarded-Proto": "https"}), timeout=180)
        except OSError as exc:
            proc.terminate()
            raise AssertionError(proc.communicate(timeout=30)[0]) from exc
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        listener.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _open(url: str, data: dict[str, str] | None = None, cookies: dict[str, str] | None = None, https: bool = True, forwarded_for: str = "") -> Any:
    headers = {"X-Forwarded-Proto": "https"} if https else {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    if body is not None:
        headers["Referer"] = url.replace("http://", "https://")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=30)
    except urllib.error.HTTPError as exc:
        return exc


def _cookies(response: Any) -> dict[str, str]:
    out = {}
    for raw in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = raw.partition("=")
        out[name] = rest.split(";", 1)[0]
    return out


def _login(base: str, username: str, password: str, client: str) -> Any:
    page = _open(f"{base}/login/", forwarded_for=client)
    cookies = _cookies(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token is not None
    data = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password, "next": ""}
    return _open(f"{base}/login/", data=data, cookies=cookies, forwarded_for=client)


def test_the_production_server_serves_https_only_with_headers_static_files_and_login_lockout(server: str) -> None:
    plain = _open(f"{server}/login/", https=False)
    assert plain.status == 301 and plain.headers["Location"].startswith("https://")
    page = _open(f"{server}/login/")
    assert page.status == 200
    headers = page.headers
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Secure" in " ".join(page.headers.get_all("Set-Cookie") or [])
    css = _open(f"{server}/static/vendor/bootstrap/css/bootstrap.min.css")
    assert css.status == 200 and "text/css" in css.headers["Content-Type"]
    # a password guessed five times locks that account on that client; the right one is refused then
    for _ in range(4):
        assert _login(server, "erin", "wrong-password", "203.0.113.5").status == 200
    assert _login(server, "erin", "wrong-password", "203.0.113.5").status == 429  # the fifth locks
    locked = _login(server, "erin", PASSWORD, "203.0.113.5")
    assert locked.status == 429 and "暂时无法登录" in locked.read().decode()
    # the same account from another client, and the signed-in pages are not cached
    ok = _login(server, "erin", PASSWORD, "198.51.100.20")
    assert ok.status == 302
    session = next(c for c in ok.headers.get_all("Set-Cookie") if c.startswith("sessionid="))
    assert "Secure" in session and "HttpOnly" in session
    home = _open(f"{server}/", cookies=_cookies(ok), forwarded_for="198.51.100.20")
    assert home.status == 200 and "待办事项" in home.read().decode()
    assert "no-store" in home.headers["Cache-Control"]


def test_a_clerks_journey_passes_through_the_production_server(server: str, browser: Browser, org: Org) -> None:
    context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
    page = context.new_page()
    page.goto(f"{server}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("待办事项")
    page.goto(f"{server}/r/reconsideration/")
    expect(page.locator("h1")).to_contain_text("行政复议")
    page.goto(f"{server}/gongkai/")
    expect(page.locator("h1")).to_be_visible()
    context.close()
