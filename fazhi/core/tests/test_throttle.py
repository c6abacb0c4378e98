"""Flood limits that hold under parallel requests, per address and per network, behind a proxy;
a challenge good for one request."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from fazhi.core.models import ThrottleHit
from fazhi.core.throttle import client_address, client_network
from fazhi.registers.disclosure.models import DisclosureRequest
from fazhi.registers.disclosure.tests.test_disclosure import _form  # one valid request form for the portal's tests


def test_the_client_is_the_address_the_trusted_proxy_saw(settings: Any) -> None:
    rf = RequestFactory()
    spoofed = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_address(spoofed) == "203.0.113.9"  # no proxy trusted: the header is ignored
    settings.FAZHI_TRUSTED_PROXIES = ["127.0.0.1"]
    behind = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7")
    assert client_address(behind) == "198.51.100.7"  # what the client wrote before the proxy's own entry is not believed
    assert client_address(spoofed) == "203.0.113.9"
    assert client_network("198.51.100.7") == "198.51.100.0/24" and client_network("2001:db8:1:2::9") == "2001:db8:1::/48"


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_posts_from_one_address_pass_a_limit_of_five_exactly_five_times(org: Any, settings: Any) -> None:
    settings.FAZHI_PORTAL_PER_CLIENT_PER_HOUR = 5
    forms = [_form(Client(), org) for _ in range(20)]
    codes: list[int] = []
    start = threading.Barrier(20)

    def post(data: dict[str, Any]) -> None:
        try:
            start.wait()
            codes.append(Client().post("/gongkai/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(f,)) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 5 + [429] * 15
    assert DisclosureRequest.objects.count() == 5 == ThrottleHit.objects.count()


def test_one_network_exhausts_its_own_allowance_not_everyones(org: Any, settings: Any) -> None:
    settings.FAZHI_PORTAL_PER_CLIENT_PER_HOUR = 5
    settings.FAZHI_PORTAL_PER_NETWORK_PER_HOUR = 3
    for host in range(1, 4):
        client = Client(REMOTE_ADDR=f"192.0.2.{host}")
        assert client.post("/gongkai/", _form(client, org)).status_code == 200
    neighbour = Client(REMOTE_ADDR="192.0.2.200")
    refused = neighbour.post("/gongkai/", _form(neighbour, org))
    assert refused.status_code == 429 and "所在网络" in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="198.51.100.1")
    assert elsewhere.post("/gongkai/", _form(elsewhere, org)).status_code == 200
    assert DisclosureRequest.objects.count() == 4


def test_a_challenge_is_good_for_one_request(org: Any) -> None:
    client = Client()
    data = _form(client, org)
    assert client.post("/gongkai/", data).status_code == 200
    replay = client.post("/gongkai/", data)
    assert replay.status_code == 400 and "已经使用过" in replay.content.decode()
    assert DisclosureRequest.objects.count() == 1


def test_old_counts_and_spent_challenges_are_dropped(org: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from fazhi.core.models import ChallengeUse

    old = timezone.now() - dt.timedelta(days=3)
    ThrottleHit.objects.create(scope="portal.request", client="x", network="y", created_at=old)
    ChallengeUse.objects.create(nonce="old", used_at=old)
    client = Client()
    assert client.post("/gongkai/", _form(client, org)).status_code == 200
    assert ThrottleHit.objects.count() == 1 and not ChallengeUse.objects.filter(nonce="old").exists()
