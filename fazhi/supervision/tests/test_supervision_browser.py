"""The supervision journey in headless Chromium: a rule raises a lead, a letter, the unit's report, 销号."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from conftest import do
from fazhi.web.tests.conftest import login, nav_to


def test_a_correcting_reconsideration_decision_goes_from_lead_to_closure(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, make_case: Any
) -> None:
    case = make_case(received_on=dt.date(2025, 3, 3), respondent_unit=org.dept)
    do(case, "accept", org.bob, accepted_on="2025-03-04", procedure="ordinary")
    do(case, "decide", org.bob, decided_on="2025-04-20", outcome="set_aside")
    today = dt.date.today()
    office = browser.new_page()
    login(office, live_server.url, "dave")
    nav_to(office, "督察")
    office.click("#scan")
    expect(office.locator(".alert")).to_contain_text("行政复议纠错 1 条")
    office.click("#leads tr[data-source='reconsideration'] a")
    expect(office.locator("#lead-summary")).to_contain_text("撤销")
    find = office.locator("form[data-action='find']")
    find.locator("[name=founded]").select_option("1")
    find.locator("[name=text]").fill("原处罚决定认定事实不清")
    find.locator("button").click()
    expect(office.locator("#lead-state")).to_have_text("经核查属实，待发函")
    notice = office.locator("form[data-action='notice']")
    notice.locator("[name=kind]").select_option("supervision")
    notice.locator("[name=due_on]").fill((today + dt.timedelta(days=30)).isoformat())
    notice.locator("[name=text]").fill("请于期限内整改并报送整改情况")
    notice.locator("button").click()
    expect(office.locator("#lead-state")).to_have_text("已发函，整改中")
    url = office.url

    unit = browser.new_page()
    login(unit, live_server.url, "erin")
    unit.goto(url)
    expect(unit.locator("body")).to_contain_text("督办函")
    expect(unit.locator("form[data-action='close']")).to_have_count(0)
    report = unit.locator("form[data-action='report']")
    report.locator("[name=text]").fill("已重新调查，组织全员培训")
    report.locator("button").click()
    expect(unit.locator("#lead-state")).to_have_text("已报送整改情况，待销号")
    unit.close()

    office.reload()
    office.locator("form[data-action='close'] button").click()
    expect(office.locator("#lead-state")).to_have_text("已销号，待回头看")
    expect(office.locator("#events")).to_contain_text("报送整改情况")
    office.close()
