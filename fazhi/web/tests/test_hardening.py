"""Login lock-out per (account, client), session idle time-out, no caching of signed-in pages,
password rules."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import PASSWORD, Org
from fazhi.web.middleware import SEEN


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_fifty_wrong_passwords_then_the_right_one_do_not_log_in(org: Org) -> None:
    from axes.models import AccessAttempt

    guesser = Client(REMOTE_ADDR="203.0.113.5")
    codes = [_login(guesser, "erin", f"guess-{i}").status_code for i in range(50)]
    assert codes[:4] == [200] * 4 and set(codes[4:]) == {429}
    refused = _login(guesser, "erin", PASSWORD)
    assert refused.status_code == 429 and "暂时无法登录" in refused.content.decode()
    assert "_auth_user_id" not in guesser.session
    # the lock is the pair's: the clerk at her own desk still signs in, and the admin sees the attempts
    assert _login(Client(REMOTE_ADDR="198.51.100.20"), "erin", PASSWORD).status_code == 302
    attempt = AccessAttempt.objects.get(username="erin")
    assert attempt.failures_since_start >= 5 and attempt.ip_address == "203.0.113.5"
    org.admin.is_staff = org.admin.is_superuser = True  # the demo's system administrator
    org.admin.save()
    admin = Client()
    admin.force_login(org.admin)
    assert "erin" in admin.get("/admin/axes/accessattempt/").content.decode()


def test_a_session_idle_past_the_limit_ends(org: Org, settings: Any) -> None:
    settings.FAZHI_SESSION_IDLE_MINUTES = 30
    client = Client()
    client.force_login(org.alice)
    assert client.get("/").status_code == 200
    session = client.session
    session[SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200  # still within the limit
    session = client.session
    session[SEEN] = int(time.time()) - 31 * 60
    session.save()
    gone = client.get("/r/reconsideration/")
    assert gone.status_code == 302 and gone["Location"].startswith("/login/")
    assert "自动退出" in client.get(gone["Location"]).content.decode()
    assert client.get("/").status_code == 302


def test_signed_in_pages_are_never_cached_and_public_ones_may_be(org: Org) -> None:
    client = Client()
    client.force_login(org.alice)
    assert "no-store" in client.get("/r/reconsideration/")["Cache-Control"]
    assert "no-store" not in Client().get("/gongkai/").get("Cache-Control", "")


@pytest.mark.parametrize("weak", ["12345678901", "password123", "short1"])
def test_weak_passwords_are_refused_in_chinese(weak: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password(weak)
    assert caught.value.messages and not [m for m in caught.value.messages if re.search("[A-Za-z]", m)]


def test_every_page_carries_a_policy_that_allows_no_inline_script(org: Org) -> None:
    client = Client()
    client.force_login(org.alice)
    for response in (client.get("/"), Client().get("/gongkai/")):
        policy = response["Content-Security-Policy"]
        script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_holds_inline_script_or_event_handlers() -> None:
    """What the policy would block must not be written: every behaviour lives in a static file."""
    from pathlib import Path

    from bs4 import BeautifulSoup

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in root.rglob("templates/**/*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            if tag.name == "script" and not tag.get("src") and tag.get("type") not in ("application/json", "application/ld+json"):
                found.append(f"{path.relative_to(root)}: inline <script>")
            found += [f"{path.relative_to(root)}: {a}=" for a in tag.attrs if a.startswith("on")]
    assert found == []
