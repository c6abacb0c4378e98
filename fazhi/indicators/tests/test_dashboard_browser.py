"""The leader's journey in headless Chromium: dashboard → a key figure → its records → one case."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_a_leader_drills_down_from_the_dashboard_to_the_late_request(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, requests: Any
) -> None:
    page = browser.new_page()
    login(page, live_server.url, "dave")
    nav_to(page, "驾驶舱")
    expect(page.locator("h1")).to_contain_text("东湖区人民政府")
    page.fill("#id_year", "2025")
    page.click("#period-form button")
    expect(page.locator("h1")).to_contain_text("2025年")
    # the monthly chart is drawn by the locally served ECharts
    expect(page.locator("#trend-chart[data-rendered='1'] canvas")).to_have_count(1)
    card = page.locator("#key-indicators a[data-code='gk.on_time_rate']")
    expect(card).to_contain_text("66.7%")
    card.click()
    expect(page.locator("#trace-value")).to_contain_text("66.7%")
    late = page.locator("table[data-role='outside'] a")
    expect(late).to_have_count(1)
    expect(late).to_have_text(requests["c"].case_number)
    with page.expect_download() as download:
        page.click("#trace-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    late.click()
    expect(page.locator("h1")).to_contain_text(requests["c"].case_number)
    page.close()
