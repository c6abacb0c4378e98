"""Values of pages cached until the next write that changes them.

A cached value is stored under a key that holds the current *version* of what it is computed
from (a counter in the database, :class:`fazhi.core.models.CacheVersion`), so a write that bumps
the version (in the write's own transaction) makes every older entry unreachable in every server
process at once: each process's local-memory cache keeps its own entries, but all of them read
the version from the database (one primary-key query). Nothing is ever served from an entry
written before the last bump.

The key also holds everything else the value depends on (the unit, the period, today's date,
the user's units and roles): a value is never shared between users who would see different
things.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
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


def version(name: str) -> int:
    row = CacheVersion.objects.filter(name=name).values_list("value", flat=True).first()
    return int(row or 0)


def bump(name: str) -> None:
    """Invalidate every value cached under ``name`` (call it in the transaction of the write)."""
    if not CacheVersion.objects.filter(name=name).update(value=F("value") + 1):
        CacheVersion.objects.get_or_create(name=name, defaults={"value": 1})


def versions(names: tuple[str, ...]) -> tuple[int, ...]:
    """The versions of several names, read in one query."""
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
