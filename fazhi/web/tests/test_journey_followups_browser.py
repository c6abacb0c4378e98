"""国家赔偿 and 检察建议 follow-ups in headless Chromium: the clerk records that the applicant sued,
typing the 行政应诉 case number, and both matter pages show the link; a 检察建议书 naming its own
reply date puts that date on the due list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_the_clerk_links_the_lawsuit_that_followed_a_compensation_decision(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from django.contrib.auth import get_user_model

    from conftest import PASSWORD, do
    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant
    from fazhi.registers.framework.services import matter_create

    head = get_user_model().objects.create_user("dept_head", password=PASSWORD)
    membership_grant(user=head, unit=org.dept, role=Role.HEAD)
    today = dt.date.today()
    application = matter_create(
        register="state_compensation",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": today - dt.timedelta(days=40), "applicant_name": "张某", "infringing_act": "违法查封扣押财物"},
    )
    do(application, "decide", head, decided_on=(today - dt.timedelta(days=20)).isoformat(), outcome="refuse", refusal_reason="未被确认违法")
    lawsuit = matter_create(
        register="litigation",
        unit=org.dept,
        actor=org.erin,
        data={
            "received_on": today - dt.timedelta(days=2),
            "plaintiff_name": "张某",
            "plaintiff_type": "natural_person",
            "defendant_name": org.dept.name,
            "court": "东湖区人民法院",
            "instance": "first",
            "disputed_act": "不予赔偿决定",
            "compensation_claimed": True,
        },
    )
    page = browser.new_page()
    login(page, live_server.url, "erin")
    page.goto(f"{live_server.url}/r/state_compensation/{application.pk}/")
    page.click("#actions >> text=记录请求人向人民法院起诉")
    page.fill("#id_sued_on", (today - dt.timedelta(days=5)).isoformat())
    page.fill("#id_litigation_case", "不存在的案号")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("未找到该案号的")
    page.fill("#id_litigation_case", lawsuit.case_number)
    page.click("button[type=submit]")
    expect(page.locator("#compensation-links")).to_contain_text(lawsuit.case_number)
    expect(page.locator("#compensation-links")).to_contain_text("东湖区人民法院")
    expect(page.locator("body")).to_contain_text("请求人已起诉")
    page.goto(f"{live_server.url}/r/litigation/{lawsuit.pk}/")
    expect(page.locator("#compensation-applications")).to_contain_text(application.case_number)
    expect(page.locator("#compensation-applications")).to_contain_text("决定不予赔偿")
    page.close()


def test_a_letter_naming_its_reply_date_puts_that_date_on_the_due_list(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from fazhi.law.workdays import current_calendar

    today = dt.date.today()
    # a working day, so that no holiday moves it (民法典 art.203)
    letter_due = current_calendar().workday_on_or_after(today + dt.timedelta(days=12))
    page = browser.new_page()
    login(page, live_server.url, "erin")
    nav_to(page, "检察建议和司法建议")
    page.click("text=登记收到的检察建议、司法建议")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.select_option("#id_kind", "procuratorate")
    page.fill("#id_letter_reply_due_on", letter_due.isoformat())
    page.fill("#id_issuer", "东湖区人民检察院")
    page.fill("#id_document_number", f"东检建〔{today.year}〕21号")
    page.fill("#id_subject", "立即排查整治燃气安全隐患")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"市监建〔{today.year}〕1号")
    expect(page.locator("body")).to_contain_text(letter_due.isoformat())
    page.click("text=待办")
    expect(page.locator("#due-list")).to_contain_text(f"市监建〔{today.year}〕1号")
    expect(page.locator("#due-list")).to_contain_text(letter_due.isoformat())
    page.close()
