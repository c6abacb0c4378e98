"""The annual-report journey in headless Chromium: the office drafts and generates, the reviewer
reviews and clears the 保密审查, the principal leader signs, the office publishes, the public reads."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.web.tests.conftest import login, nav_to


def test_both_reports_are_produced_reviewed_signed_and_published_in_the_browser(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, requests: Any
) -> None:
    users = get_user_model().objects
    membership_grant(user=users.create_user("checker", password=PASSWORD), unit=org.district, role=Role.REVIEWER)
    membership_grant(user=users.create_user("leader", password=PASSWORD, first_name="区长"), unit=org.district, role=Role.HEAD)
    office = browser.new_page()
    login(office, live_server.url, "dave")
    urls = {}
    for kind, label in [("fzzf", "法治政府建设年度报告"), ("gkndbg", "政府信息公开工作年度报告")]:
        nav_to(office, "年度报告")
        office.select_option("#new-report [name=unit]", str(org.district.pk))
        office.select_option("#new-report [name=kind]", kind)
        office.fill("#new-report [name=year]", "2025")
        office.click("#new-report button")
        expect(office.locator("h1")).to_contain_text(f"东湖区人民政府2025年{label}")
        part = "shortcomings" if kind == "fzzf" else "problems"
        merge = office.locator(f"section[data-part='{part}'] .merge-form")
        merge.locator("textarea").fill("一是答复文书不够规范。")
        merge.locator("button").click()
        office.click("#generate")
        expect(office.locator("#report-text")).to_contain_text("一是答复文书不够规范。")
        figure = office.locator("#report-text a.figure").first if kind == "fzzf" else office.locator("table[data-table='table3'] a.cell").first
        expect(figure).to_be_visible()
        office.click("text=← 返回报告")
        office.click(".step-form[data-action='submit'] button")
        expect(office.locator("#report-state")).to_have_text("审核中")
        urls[kind] = office.url

    checker = browser.new_page()
    login(checker, live_server.url, "checker")
    for url in urls.values():
        checker.goto(url)
        checker.click(".step-form[data-action='approve'] button")
        expect(checker.locator("#report-state")).to_have_text("保密审查中")
        checker.click(".step-form[data-action='clear'] button")
        expect(checker.locator("#report-state")).to_have_text("待主要负责人签发")
    checker.close()

    leader = browser.new_page()
    login(leader, live_server.url, "leader")
    expect(leader.locator("#todo-report")).to_contain_text("签发年度报告")
    for url in urls.values():
        leader.goto(url)
        leader.click("#sign")
        expect(leader.locator("#report-state")).to_have_text("已签发，待公开")
    leader.close()

    for url in urls.values():
        office.goto(url)
        office.click(".step-form[data-action='publish'] button")
        expect(office.locator("#report-state")).to_have_text("已公开")
    office.close()

    public = browser.new_page()
    public.goto(f"{live_server.url}/gongkai/baogao/")
    public.click("text=东湖区人民政府2025年政府信息公开工作年度报告")
    expect(public.locator("table[data-table='table3']")).to_contain_text("本年新收政府信息公开申请数量")
    expect(public.locator("#report-text a")).to_have_count(0)  # no links to staff pages on the portal
    public.goto(f"{live_server.url}/gongkai/baogao/")
    public.click("text=东湖区人民政府2025年法治政府建设年度报告")
    expect(public.locator("#report-text")).to_contain_text("收到政府信息公开申请3件")
    public.close()


def test_a_linked_figure_follows_the_character_before_it_without_a_gap(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, requests: Any
) -> None:
    from fazhi.reports import services

    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    version = services.version_generate(report=report, actor=org.dave)
    page = browser.new_page()
    login(page, live_server.url, "dave")
    page.goto(f"{live_server.url}/baogao/{report.pk}/v/{version.number}/")
    html = page.content()
    assert "申请<a " in html and not re.search(r"[\u4e00-\u9fff（，、：]\s+<a [^>]*class=\"figure\"", html)
    # as drawn: from the right edge of the character before each figure to the left edge of its first digit
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('#report-text a.figure')].map(a => {
            const before = a.previousSibling, digit = a.firstChild;
            if (!before || before.nodeType !== 3 || !before.data.length) return null;
            const r1 = document.createRange(); r1.setStart(before, before.data.length - 1); r1.setEnd(before, before.data.length);
            const r2 = document.createRange(); r2.setStart(digit, 0); r2.setEnd(digit, 1);
            const a1 = r1.getClientRects(), a2 = r2.getClientRects();
            const left = a1[a1.length - 1], right = a2[0];
            return Math.abs(left.top - right.top) < 2 ? right.left - left.right : null;  // same line only
        }).filter(g => g !== null)"""
    )
    assert len(gaps) >= 5 and max(gaps) < 2, gaps
    page.close()
