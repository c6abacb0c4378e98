"""Values of pages cached until the next write that changes them.

A cached value is stored under a key that holds the current *version* of what it is computed
from (a counter in the database, :class:`fazhi.core.models.CacheVersion`), so a write that bumps
the version (in the write's own transaction) makes every older entry unreachable in every server
process at once: each process's local-memory cache keeps its own entries, but all of them read
the version from the database (one query a request: the versions are read together the first
time a request needs one and kept until it ends; a request that bumps one reads them each time
after its write). Nothing is ever served from an entry written before the last bump that preceded
the request.

The key also holds everything else the value depends on (the unit, the period, today's date,
the user's units and roles): a value is never shared between users who would see different
things.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db.models import F
from django.dispatch import receiver
from django.test.signals import setting_changed

from fazhi.core.models import CacheVersion

T = TypeVar("T")

# The records pages are computed from: the registers' matters (bumped by their write observer,
# fazhi/registers/framework/apps.py), the indicator rollups, the non-register tables the
# catalogue counts and the units (fazhi/indicators/apps.py).
RECORDS = "records"
# The workflows' records and what decides who may take their steps: every model of the apps
# that run a workflow or add a to-do section, the workflow events, the memberships and the users
# (fazhi/web/apps.py). The to-do list's part beyond the registers is cached under both names.
TODO = "todo"
TIMEOUT = 3600  # seconds an entry is kept at most (memory), never a staleness bound


@receiver(setting_changed)
def _settings_changed(**_: object) -> None:
    """Cached values are rendered under the settings (e.g. FAZHI_YOY_MAX_CHANGE): a change of
    them (tests only: settings do not change in a running server) forgets every value."""
    cache.clear()


class _Request(threading.local):
    """The versions as read by the request this thread serves: ``read`` once a version was needed,
    ``wrote`` once the request bumped one (it then reads them each time: a bump in a transaction
    that is rolled back must not leave its value behind)."""

    serving = False
    wrote = False
    read: dict[str, int] | None = None


_request = _Request()


@receiver(request_started)
def _request_started(**_: object) -> None:
    _request.serving, _request.wrote, _request.read = True, False, None


@receiver(request_finished)
def _request_finished(**_: object) -> None:
    _request.serving, _request.wrote, _request.read = False, False, None


def version(name: str) -> int:
    return versions((name,))[0]


def bump(name: str) -> None:
    """Invalidate every value cached under ``name`` (call it in the transaction of the write)."""
    _request.wrote, _request.read = True, None
    if not CacheVersion.objects.filter(name=name).update(value=F("value") + 1):
        CacheVersion.objects.get_or_create(name=name, defaults={"value": 1})


def versions(names: tuple[str, ...]) -> tuple[int, ...]:
    """The versions of several names. A request that writes nothing reads every version in one
    query the first time it needs one (the table holds a row per name: a handful) and keeps them
    to its end (the home page needs them three times); a request that wrote, and code outside
    requests (commands, tests between requests), reads them each time."""
    if _request.serving and not _request.wrote:
        if _request.read is None:
            _request.read = dict(CacheVersion.objects.values_list("name", "value"))
        found = _request.read
    else:
        found = dict(CacheVersion.objects.filter(name__in=names).values_list("name", "value"))
    return tuple(int(found.get(n, 0)) for n in names)


def cache_key(name: str | tuple[str, ...], parts: Hashable) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    if isinstance(name, tuple):
        return f"fazhi:{'+'.join(name)}:{'.'.join(map(str, versions(name)))}:{digest}"
    return f"fazhi:{name}:{version(name)}:{digest}"


def cached(name: str | tuple[str, ...], parts: Hashable, compute: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """``compute()``, or the value computed for the same ``parts`` since the last ``bump(name)``
    (of any of the names, given several)."""
    key = cache_key(name, parts)
    hit = cache.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, timeout)
    return value
