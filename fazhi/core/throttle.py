"""Flood limits for public actions that need no login, that hold under parallel requests.

The client is its address as the proxy saw it: ``REMOTE_ADDR``, or, when that is one of
``FAZHI_TRUSTED_PROXIES`` (the nginx in front, see ``deploy/``), the last address in
``X-Forwarded-For`` that is not a trusted proxy (a client can prepend anything to that header, but
not what the proxy appends). Limits count per address and per network (/24 for IPv4, /48 for
IPv6), so that one address range exhausts its own allowance and never locks everyone else out;
there is no global cap an attacker could fill (the proxy's own rate limit protects the server).

The count and the insert run under one lock (PostgreSQL: a transaction-level advisory lock per
scope; SQLite: the IMMEDIATE transaction every write takes), in the caller's transaction, so that
twenty parallel posts cannot all pass a limit of five, and a request that fails validation and is
rolled back is not counted. Only keyed digests of the address and the network are stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from fazhi.core.models import ChallengeUse, ThrottleHit


@dataclass(frozen=True)
class Limit:
    per_client: int
    per_network: int
    window: dt.timedelta


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(getattr(settings, "FAZHI_TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def client_network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _digest(scope: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{scope}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def _lock(scope: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x46415A48, zlib.crc32(scope.encode()) & 0x7FFFFFFF])


def throttle_take(scope: str, request: HttpRequest, limit: Limit) -> str:
    """Count one request of ``scope`` for this client, unless a limit is reached: returns "" when
    taken, "client" or "network" when refused. Must run inside the transaction of the action."""
    assert connection.in_atomic_block, "throttle_take runs inside the action's transaction"
    _lock(scope)
    address = client_address(request)
    client, network = _digest(scope, address), _digest(scope, client_network(address))
    now = timezone.now()
    recent = ThrottleHit.objects.filter(scope=scope, created_at__gte=now - limit.window)
    if recent.filter(client=client).count() >= limit.per_client:
        return "client"
    if recent.filter(network=network).count() >= limit.per_network:
        return "network"
    ThrottleHit.objects.create(scope=scope, client=client, network=network, created_at=now)
    throttle_prune(max(2 * limit.window, dt.timedelta(days=1)))  # what no limit looks at any more
    return ""


def challenge_spend(nonce: str) -> bool:
    """Mark a challenge as used; False when it was used before (a replay)."""
    try:
        with transaction.atomic():
            ChallengeUse.objects.create(nonce=nonce, used_at=timezone.now())
    except IntegrityError:
        return False
    return True


def throttle_prune(older_than: dt.timedelta) -> int:
    """Drop the counts, and the spent challenges (long expired: a challenge lives 30 minutes), older than that."""
    cutoff = timezone.now() - older_than
    n, _ = ThrottleHit.objects.filter(created_at__lt=cutoff).delete()
    m, _ = ChallengeUse.objects.filter(used_at__lt=cutoff).delete()
    return n + m
