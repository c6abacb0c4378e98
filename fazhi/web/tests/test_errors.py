"""The server's error pages: Chinese, and a write refused because another holds the database
answered 503 "retry later" with nothing written (fazhi/web/errors.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from fazhi.registers.framework.models import SavedFilter
from fazhi.web.errors import BUSY_MESSAGE, ERROR_MESSAGE, server_error


@contextmanager
def database_held_by_another(table: str) -> Iterator[None]:
    """Another connection holds what the next write needs, for real: SQLite's write lock (as a
    ledger import's final write does), or on PostgreSQL the table, with this connection's lock
    wait cut to 0.1 s (instead of SQLite's 30 s busy time-out or PostgreSQL's unlimited wait)."""
    connection.ensure_connection()
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        connection.connection.execute("PRAGMA busy_timeout = 100")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            connection.connection.execute("PRAGMA busy_timeout = 30000")
        return
    import psycopg

    other_pg = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], password=settings["PASSWORD"], dbname=settings["NAME"]
    )
    other_pg.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    with connection.cursor() as cur:
        cur.execute("SET lock_timeout = '100ms'")
    try:
        yield
    finally:
        other_pg.rollback()
        other_pg.close()
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = 0")


def test_a_write_that_finds_the_database_held_gets_a_chinese_retry_page_and_writes_nothing(org: Any, transactional_db: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(org.alice)
    assert client.get(reverse("matter_list", args=["reconsideration"])).status_code == 200  # the session's first use is written now
    with database_held_by_another(SavedFilter._meta.db_table):
        response = client.post(reverse("saved_filter_save", args=["reconsideration"]), {"name": "本周待办", "query": "state=received"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert BUSY_MESSAGE in page and "系统繁忙" in page
    assert "OperationalError" not in page and "locked" not in page
    assert not SavedFilter.objects.exists()
    # the same request once the other write has ended succeeds
    response = client.post(reverse("saved_filter_save", args=["reconsideration"]), {"name": "本周待办", "query": "state=received"})
    assert response.status_code == 302
    assert SavedFilter.objects.get().name == "本周待办"


def test_an_unexpected_error_gets_the_chinese_500_page_and_the_api_json() -> None:
    factory = RequestFactory()
    try:
        raise ValueError("something unforeseen")
    except ValueError:
        page = server_error(factory.get("/fuyi/"))
        api = server_error(factory.get("/api/v1/indicators"))
    assert page.status_code == 500 and "Retry-After" not in page
    text = page.content.decode()
    assert ERROR_MESSAGE in text and "系统错误" in text and "ValueError" not in text and "unforeseen" not in text
    assert api.status_code == 500 and json.loads(api.content) == {"detail": ERROR_MESSAGE}


def test_a_missing_page_and_a_forged_post_get_chinese_pages(org: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.alice)
    missing = client.get("/fuyi/no-such-page/")
    assert missing.status_code == 404
    assert "页面不存在" in missing.content.decode() and "Not Found" not in missing.content.decode()
    # a form posted from another site carries no token: refused, in Chinese, nothing saved
    forged = client.post(reverse("saved_filter_save", args=["reconsideration"]), {"name": "伪造", "query": ""})
    assert forged.status_code == 403
    text = forged.content.decode()
    assert "提交未被接受" in text and "刷新页面" in text and "CSRF" not in text and "Forbidden" not in text
    assert not SavedFilter.objects.exists()
