"""The foundation journey in headless Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("待办事项")


def test_clerk_registers_accepts_and_sees_it_due_other_district_cannot(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    base = live_server.url
    today = dt.date.today()
    page = browser.new_page()
    login(page, base, "alice")
    page.click("text=行政复议")
    page.click("text=登记复议申请")
    page.select_option("#id_handling_unit", str(org.body.pk))
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_applicant_name", "王五")
    page.select_option("#id_applicant_type", "natural_person")
    page.fill("#id_respondent_name", "东湖区市场监督管理局")
    page.fill("#id_disputed_act", "罚款5000元的行政处罚决定")
    page.select_option("#id_channel", "in_person")
    page.click("button[type=submit]")
    case_number = f"东复〔{today.year}〕1号"
    expect(page.locator("h1")).to_contain_text(case_number)
    detail_url = page.url

    page.click("#actions >> text=受理")
    page.select_option("#id_procedure", "ordinary")
    page.click("button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("受理")
    expect(page.locator("body")).to_contain_text("reconsideration.decision")

    page.click("text=待办")
    expect(page.locator("#due-list")).to_contain_text(case_number)
    expect(page.locator("#due-list")).to_contain_text("作出复议决定（普通程序）")
    page.close()

    other = browser.new_page()
    login(other, base, "frank")
    expect(other.locator("#due-list")).not_to_contain_text(case_number)
    other.click("text=行政复议")
    expect(other.locator("#matter-table")).not_to_contain_text(case_number)
    response = other.goto(detail_url)
    assert response is not None and response.status == 404
    other.close()
