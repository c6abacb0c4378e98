"""Reference rows read once per ledger import instead of once per step.

While a ledger import checks a file, its thousands of steps read the same few reference rows
again and again (the officers a row names, the power item, the row behind a foreign key). Inside
:func:`rows_memoized` such a read is made once and reused; outside (every online step) it is made
each time, so a clerk's step always sees the current row. The import holds the memo only while
it plans; the rows it reads are the reference data of the file (officers, items, units), not the
matters it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_MEMO: ContextVar[dict[Hashable, Any] | None] = ContextVar("rows_memoized", default=None)


@contextmanager
def rows_memoized() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoized(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or inside :func:`rows_memoized` what it returned the first time for ``key``."""
    memo = _MEMO.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    value: T = memo[key]
    return value
