"""The four personas' journeys on a phone (390×844) and a desktop (1366×900): a clerk, a reviewer,
a leader and a citizen. On every page: no serious axe-core violation, no sideways scrolling, and the
navigation reached the way a user reaches it (the menu button on a phone)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, application, do
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.web.tests.conftest import DESKTOP, PHONE, login, nav_to, page_ok, portal_nav_to

SIZES = {"phone": PHONE, "desktop": DESKTOP}


def open_page(browser: Browser, size: dict[str, int]) -> Page:
    return browser.new_context(viewport=size).new_page()  # type: ignore[arg-type]


def menu_collapses_on_a_phone(page: Page, size: str) -> None:
    toggler = page.locator("nav button.navbar-toggler")
    if size == "phone":
        expect(toggler).to_be_visible()
        expect(page.locator("#nav-main")).to_be_hidden()
    else:
        expect(toggler).to_be_hidden()
        expect(page.locator("#nav-main")).to_be_visible()


def test_clerk_registers_a_matter_takes_a_step_and_finds_it_in_the_list(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    today = dt.date.today().isoformat()
    for size, viewport in SIZES.items():
        page = open_page(browser, viewport)
        login(page, live_server.url, "alice")
        page_ok(page)
        menu_collapses_on_a_phone(page, size)
        # the skip link is the first thing the keyboard reaches, and it leads to the main content
        page.keyboard.press("Tab")
        expect(page.locator("a.fz-skip")).to_be_focused()
        expect(page.locator("a.fz-skip")).to_be_visible()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"#main$"))  # the keypress navigates asynchronously

        nav_to(page, "行政复议")
        expect(page.locator("h1")).to_contain_text("行政复议台账")
        page_ok(page)
        page.click("text=登记复议申请")
        page_ok(page)
        page.select_option("#id_handling_unit", str(org.body.pk))
        page.fill("#id_received_on", today)
        page.fill("#id_applicant_name", "王五")
        page.select_option("#id_applicant_type", "natural_person")
        page.fill("#id_respondent_name", "东湖区市场监督管理局")
        page.fill("#id_disputed_act", "罚款5000元的行政处罚决定")
        page.select_option("#id_channel", "in_person")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("复〔")
        case_number = page.inner_text("h1").split()[1]
        page_ok(page)
        page.click("#actions >> text=受理")
        page.select_option("#id_procedure", "ordinary")
        page.click("button[type=submit]")
        expect(page.locator("#timeline")).to_contain_text("受理")
        page_ok(page)

        nav_to(page, "行政复议")
        page.fill("#id_q", case_number)
        page.click("#filters button[type=submit]")
        expect(page.locator("#matter-table tbody tr")).to_have_count(1)
        expect(page.locator("#matter-table")).to_contain_text(case_number)
        page_ok(page)
        page.context.close()


def test_reviewer_takes_a_review_step(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from fazhi.registers.framework.services import matter_create

    today = dt.date.today()
    for size, viewport in SIZES.items():
        matter = matter_create(
            register="reconsideration",
            unit=org.body,
            actor=org.alice,
            data=application(received_on=today, applicant_name={"phone": "手机申请人", "desktop": "电脑申请人"}[size]),
        )
        do(matter, "accept", org.alice, accepted_on=today, procedure="ordinary")
        page = open_page(browser, viewport)
        login(page, live_server.url, "bob")
        menu_collapses_on_a_phone(page, size)
        nav_to(page, "行政复议")
        page.click(f"text={matter.case_number}")
        expect(page.locator("h1")).to_contain_text(matter.case_number)
        page_ok(page)
        page.click("#actions >> text=提请行政复议委员会咨询")
        page_ok(page)
        page.fill("#id_committee_consulted_on", today.isoformat())
        page.click("button[type=submit]")
        expect(page.locator("#timeline")).to_contain_text("提请行政复议委员会咨询")
        page_ok(page)
        page.context.close()


def test_leader_reads_the_dashboard_and_a_trace(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    leader = get_user_model().objects.create_user("lily", password=PASSWORD, first_name="区长")
    membership_grant(user=leader, unit=org.district, role=Role.HEAD)
    for size, viewport in SIZES.items():
        page = open_page(browser, viewport)
        login(page, live_server.url, "lily")
        menu_collapses_on_a_phone(page, size)
        nav_to(page, "驾驶舱")
        expect(page.locator("h1")).to_contain_text("东湖区人民政府")
        expect(page.locator("#trend-chart[data-rendered='1'] canvas")).to_have_count(1)
        page_ok(page)
        page.locator("#key-indicators a").first.click()
        expect(page.locator("#trace-value")).to_be_visible()
        page_ok(page)
        page.context.close()


def test_citizen_applies_looks_up_the_code_and_reads_the_public_pages(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from fazhi.web.portal import CHALLENGE_SALT

    for size, viewport in SIZES.items():
        page = open_page(browser, viewport)
        page.goto(f"{live_server.url}/gongkai/")
        page_ok(page)
        if size == "phone":
            expect(page.locator("nav button.navbar-toggler")).to_be_visible()
        else:
            expect(page.locator("#nav-portal")).to_be_visible()
        page.select_option("#id_unit", str(org.dept.pk))
        page.select_option("#id_applicant_type", "natural_person")
        page.fill("#id_applicant_name", "韩梅梅")
        page.fill("#id_applicant_phone", "13912345678")
        page.fill("#id_content", "请公开本局2025年行政处罚决定汇总")
        token = page.input_value("input[name=challenge_token]")
        page.fill("#id_challenge_answer", str(signing.loads(token, salt=CHALLENGE_SALT)["s"]))
        page.click("button[type=submit]")
        code = page.inner_text("#tracking-code")
        page_ok(page)

        portal_nav_to(page, "查询办理进度")
        page_ok(page)
        page.get_by_label("查询码").fill(code)
        page.click("button:has-text('查询')")
        expect(page.locator("#status")).to_contain_text("韩*")
        page_ok(page)

        portal_nav_to(page, "执法决定公示")
        page.get_by_label("决定书文号或执法机关").fill("东湖")
        page.click("button:has-text('查询')")
        expect(page.locator("h1")).to_contain_text("行政执法决定公示")
        page_ok(page)
        portal_nav_to(page, "权责清单")
        page_ok(page)
        page.context.close()
