"""检察建议 in headless Chromium: a department clerk registers it, it shows on the due list with its
two-month reply period, the head replies on time, the matter page shows the reply and the due
list no longer holds it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_clerk_registers_a_procuratorial_suggestion_and_it_is_replied_on_time(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
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
    nav_to(page, "检察建议和司法建议")
    page.click("text=登记收到的检察建议、司法建议")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.select_option("#id_kind", "procuratorate")
    page.fill("#id_issuer", "东湖区人民检察院")
    page.fill("#id_document_number", f"东检建〔{today.year}〕8号")
    page.fill("#id_subject", "规范行政处罚案件向公安机关移送")
    page.click("button[type=submit]")
    case_number = f"市监建〔{today.year}〕1号"
    expect(page.locator("h1")).to_contain_text(case_number)
    expect(page.locator("body")).to_contain_text("《人民检察院检察建议工作规定》（2019年）第十八条")
    detail_url = page.url
    page.click("#actions >> text=交办承办科室")
    page.fill("#id_handling_office", "执法监督科")
    page.click("button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("交办承办科室")
    page.click("text=待办")
    expect(page.locator("#due-list")).to_contain_text(case_number)
    expect(page.locator("#due-list")).to_contain_text("检察建议书面回复")
    page.close()

    boss = browser.new_page()
    login(boss, base, "dept_head")
    boss.goto(detail_url)
    boss.click("#actions >> text=书面回复")
    boss.select_option("#id_outcome", "adopted")
    boss.fill("#id_reply_summary", "已建立移送台账，逐案审查")
    boss.click("button[type=submit]")
    expect(boss.locator("#timeline")).to_contain_text("书面回复")
    expect(boss.locator("body")).to_contain_text("已书面回复")
    expect(boss.locator("body")).to_contain_text("采纳并整改")
    boss.click("text=待办")
    expect(boss.locator("#due-list")).not_to_contain_text(case_number)
    boss.close()
