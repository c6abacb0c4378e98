"""国家赔偿 in headless Chromium: a department clerk registers an application, the due list shows its
two-month decision period, the head decides to compensate on time, the due list then shows the
ten-day service, the clerk serves the decision and the due list no longer holds it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_clerk_registers_a_compensation_application_and_it_is_decided_and_served_on_time(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any
) -> None:
    from django.contrib.auth import get_user_model

    from conftest import PASSWORD
    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant

    head = get_user_model().objects.create_user("dept_head", password=PASSWORD)
    membership_grant(user=head, unit=org.dept, role=Role.HEAD)
    base = live_server.url
    today = dt.date.today()
    page = browser.new_page()
    login(page, base, "erin")
    nav_to(page, "国家赔偿")
    page.click("text=登记国家赔偿申请")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_applicant_name", "张某")
    page.fill("#id_infringing_act", "违法查封扣押财物造成损失")
    page.fill("#id_claimed_amount", "52000")
    page.click("button[type=submit]")
    case_number = f"市监赔〔{today.year}〕1号"
    expect(page.locator("h1")).to_contain_text(case_number)
    expect(page.locator("body")).to_contain_text("《国家赔偿法》第十三条第一款")
    detail_url = page.url
    page.click("text=待办")
    expect(page.locator("#due-list")).to_contain_text(case_number)
    expect(page.locator("#due-list")).to_contain_text("作出是否赔偿的决定")
    page.close()

    boss = browser.new_page()
    login(boss, base, "dept_head")
    boss.goto(detail_url)
    boss.click("#actions >> text=作出是否赔偿的决定")
    boss.select_option("#id_outcome", "refuse")
    boss.click("button[type=submit]")
    expect(boss.locator("body")).to_contain_text("不予赔偿的理由")  # refused: no reasons given
    boss.select_option("#id_outcome", "compensate")
    boss.select_option("#id_mode", "money")
    boss.fill("#id_amount", "48000")
    boss.click("button[type=submit]")
    expect(boss.locator("#timeline")).to_contain_text("作出是否赔偿的决定")
    expect(boss.locator("body")).to_contain_text("已决定，待送达")
    boss.click("text=待办")
    expect(boss.locator("#due-list")).to_contain_text(case_number)
    expect(boss.locator("#due-list")).to_contain_text("送达赔偿决定书或不予赔偿通知")
    boss.close()

    clerk = browser.new_page()
    login(clerk, base, "erin")
    clerk.goto(detail_url)
    clerk.click("#actions >> text=送达决定书（不予赔偿通知书）")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("已送达，起诉期内")
    clerk.click("text=待办")
    expect(clerk.locator("#due-list")).not_to_contain_text(case_number)
    clerk.close()
