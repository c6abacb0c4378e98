"""The API's docs page renders in a browser under the site's Content-Security-Policy (no inline
script, nothing from a CDN): a developer of a neighbouring system reads the operations there."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import browser  # noqa: F401 - the shared fixture


def test_the_docs_page_lists_the_operations_without_breaking_the_csp(browser: Browser, live_server: Any, db: Any) -> None:  # noqa: F811
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{live_server.url}/api/docs/")
    # the schema describes every register's steps (~250 operations, ~0.8 MB): Swagger UI takes a while
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("法治政府建设管理平台接口", timeout=90_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/registers/reconsideration/matters").count() >= 1
    assert violations == [] and failed == []
    page.close()
