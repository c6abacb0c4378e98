"""合同合法性审查 in headless Chromium: the 依法治区办 lists the district's 法律顾问 in the directory,
a department clerk submits a contract, the department's reviewer assigns the adviser, who returns
修改后同意 (refused first without the modifications), and the figure of 修改后同意 moves from 0
to 1 with the contract in its trace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_a_contract_is_submitted_reviewed_and_returned_agreed_after_modification(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from django.contrib.auth import get_user_model

    from conftest import PASSWORD
    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant

    reviewer = get_user_model().objects.create_user("dept_reviewer", password=PASSWORD)
    membership_grant(user=reviewer, unit=org.dept, role=Role.REVIEWER)
    base = live_server.url
    today = dt.date.today()
    year = today.year

    office = browser.new_page()
    login(office, base, "dave")
    nav_to(office, "法律顾问")
    office.select_option("#adviser-new #id_unit", str(org.district.pk))
    office.fill("#id_name", "顾明")
    office.select_option("#id_kind", "legal_adviser")
    office.fill("#id_licence_number", "14201201510000001")
    office.fill("#id_organisation", "东湖律师事务所")
    office.fill("#id_term_start", f"{year}-01-01")
    office.fill("#id_appointment_reference", f"东政法顾〔{year}〕1号")
    office.click("#adviser-new button[type=submit]")
    expect(office.locator("#adviser-new")).to_contain_text("法律顾问应填写聘任截止日期")
    office.fill("#id_term_end", f"{year}-12-31")
    office.click("#adviser-new button[type=submit]")
    expect(office.locator("#advisers")).to_contain_text("顾明")
    expect(office.locator("#coverage-share")).to_contain_text("已配备法律顾问或公职律师的单位 1 个")
    office.goto(f"{base}/zhibiao/cr.agree_modified/?unit={org.dept.pk}&year={year}")
    expect(office.locator("#trace-value")).to_contain_text("无记录")

    page = browser.new_page()
    login(page, base, "erin")
    nav_to(page, "合同合法性审查和法律意见")
    page.click("text=送审合同或涉法事项")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.select_option("#id_kind", "contract")
    page.select_option("#id_category", "procurement")
    page.fill("#id_title", "食品快检设备采购合同")
    page.select_option("#id_counterparty_type", "organisation")
    page.fill("#id_counterparty_name", "东湖检测设备有限公司")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("送审合同应填写合同金额")
    page.fill("#id_amount", "386000")
    page.click("button[type=submit]")
    case_number = f"市监法审〔{year}〕1号"
    expect(page.locator("h1")).to_contain_text(case_number)
    expect(page.locator("body")).to_contain_text("合同合法性审查期限")
    detail_url = page.url
    page.close()

    staff = browser.new_page()
    login(staff, base, "dept_reviewer")
    staff.goto(detail_url)
    staff.click("#actions >> text=指派法律顾问或公职律师")
    staff.select_option("#id_adviser", label="顾明（法律顾问，东湖区人民政府）")
    staff.click("button[type=submit]")
    expect(staff.locator("#timeline")).to_contain_text("指派法律顾问或公职律师")
    staff.click("#actions >> text=出具审查意见")
    staff.select_option("#id_outcome", "agree_modified")
    staff.fill("#id_opinion", "改")
    staff.click("button[type=submit]")
    expect(staff.locator("body")).to_contain_text("应当写明修改意见")
    staff.fill("#id_opinion", "第八条违约责任约定不对等，应补充供方逾期交货的违约金条款后签订")
    staff.click("button[type=submit]")
    expect(staff.locator("#review-outcome")).to_contain_text("修改后同意")
    expect(staff.locator("body")).to_contain_text("已出具意见")
    staff.goto(f"{base}/zhibiao/cr.agree_modified/?unit={org.dept.pk}&year={year}")
    expect(staff.locator("#trace-value")).to_contain_text("1")
    expect(staff.locator("body")).to_contain_text(case_number)
    staff.close()
    office.close()
