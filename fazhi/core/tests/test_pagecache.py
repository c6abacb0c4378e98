"""The versions cached page parts are keyed by (fazhi/core/pagecache.py): read once a request,
read again after the request's own write."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core import pagecache
from fazhi.core.pagecache import RECORDS, TODO, bump, version, versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request() -> Any:
    # what the request_started and request_finished signals do (sending them here would also
    # close the test's connection: Django's own receivers)
    bump(TODO)  # before the request: both names have a row
    pagecache._request_started()
    yield
    pagecache._request_finished()


def test_a_request_reads_every_version_in_one_query(in_request: Any) -> None:
    pagecache._request_finished()  # outside the request, each read is a query
    records, todo = version(RECORDS), version(TODO)
    pagecache._request_started()
    with CaptureQueriesContext(connection) as ctx:
        assert version(RECORDS) == records and versions((RECORDS, TODO)) == (records, todo) and version(TODO) == todo
    assert len(ctx) == 1


def test_a_request_that_writes_reads_the_versions_after_its_write(in_request: Any) -> None:
    before = versions((RECORDS, TODO))
    bump(RECORDS)
    assert versions((RECORDS, TODO)) == (before[0] + 1, before[1])
    bump(RECORDS)
    bump(TODO)
    assert versions((RECORDS, TODO)) == (before[0] + 2, before[1] + 1)


def test_outside_a_request_every_read_asks_the_database() -> None:
    with CaptureQueriesContext(connection) as ctx:
        version(RECORDS)
        version(RECORDS)
    assert len(ctx) == 2
