"""The foundation journey in headless Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import axe_check, login, nav_to


def test_clerk_registers_accepts_and_sees_it_due_other_district_cannot(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    base = live_server.url
    today = dt.date.today()
    page = browser.new_page()
    login(page, base, "alice")
    nav_to(page, "行政复议")
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
    expect(page.locator("body")).to_contain_text("作出复议决定（普通程序）")  # the clock, in words

    page.click("text=待办")
    expect(page.locator("#due-list")).to_contain_text(case_number)
    # the first deadline after acceptance: the copy of the application to the respondent (art.48)
    expect(page.locator("#due-list")).to_contain_text("发送申请书副本（普通程序）")
    axe_check(page)
    page.close()

    other = browser.new_page()
    login(other, base, "frank")
    expect(other.locator("#due-list")).not_to_contain_text(case_number)
    nav_to(other, "行政复议")
    expect(other.locator("#matter-table")).not_to_contain_text(case_number)
    response = other.goto(detail_url)
    assert response is not None and response.status == 404
    other.close()


def test_citizen_applies_on_the_portal_clerk_replies_citizen_sees_the_result(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from django.core import signing

    from fazhi.web.portal import CHALLENGE_SALT

    base = live_server.url
    citizen = browser.new_page()
    citizen.goto(f"{base}/gongkai/")
    citizen.select_option("#id_unit", str(org.dept.pk))
    citizen.select_option("#id_applicant_type", "natural_person")
    citizen.fill("#id_applicant_name", "韩梅梅")
    citizen.fill("#id_applicant_phone", "13912345678")
    citizen.fill("#id_content", "请公开本局2025年行政处罚决定汇总")
    token = citizen.input_value("input[name=challenge_token]")
    citizen.fill("#id_challenge_answer", "0")  # wrong first: the form comes back with a new question
    citizen.click("button[type=submit]")
    expect(citizen.locator("body")).to_contain_text("验证问题回答错误")
    token = citizen.input_value("input[name=challenge_token]")
    citizen.fill("#id_challenge_answer", str(signing.loads(token, salt=CHALLENGE_SALT)["s"]))
    citizen.click("button[type=submit]")
    code = citizen.inner_text("#tracking-code")
    case_number = citizen.inner_text("#case-number")

    clerk = browser.new_page()
    login(clerk, base, "erin")
    expect(clerk.locator("#due-list")).to_contain_text(case_number)
    nav_to(clerk, "政府信息公开申请")
    clerk.click(f"text={case_number}")
    expect(clerk.locator("body")).to_contain_text("答复申请")  # the clock, in words
    clerk.click("#actions >> text=作出答复")
    clerk.select_option("#id_outcome", "partly_disclosed")
    clerk.fill("#id_reply_note", "涉及第三方个人信息的部分不予公开")
    clerk.click("button[type=submit]")
    expect(clerk.locator("#timeline")).to_contain_text("作出答复")
    expect(clerk.locator("#documents")).to_contain_text("政府信息公开申请答复书")  # issued at the step
    clerk.close()

    citizen.click("text=查询办理进度")
    citizen.fill("input[name=code]", code)
    citizen.click("button:has-text('查询')")
    expect(citizen.locator("#status")).to_contain_text("已答复")
    expect(citizen.locator("#status")).to_contain_text("部分公开")
    expect(citizen.locator("#status")).to_contain_text("韩*")
    expect(citizen.locator("#status")).not_to_contain_text("韩梅梅")
    axe_check(citizen)
    # the applicant downloads the reply letter by the tracking code, and it verifies
    expect(citizen.locator("#documents")).to_contain_text("政府信息公开申请答复书")
    with citizen.expect_download() as download:
        citizen.locator("#documents button[value=pdf]").first.click()
    from fazhi.documents.services import verify_file

    letter = Path(download.value.path()).read_bytes()
    assert letter[:4] == b"%PDF" and verify_file(letter).ok
    citizen.close()


def test_department_clerk_records_a_lawsuit_and_a_hearing(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    base = live_server.url
    today = dt.date.today()
    page = browser.new_page()
    login(page, base, "erin")
    nav_to(page, "行政应诉")
    page.click("text=登记应诉案件")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_plaintiff_name", "王五")
    page.select_option("#id_plaintiff_type", "natural_person")
    page.fill("#id_defendant_name", org.dept.name)
    page.fill("#id_court", "东湖区人民法院")
    page.select_option("#id_instance", "first")
    page.fill("#id_disputed_act", "罚款决定")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"市监应〔{today.year}〕1号")
    expect(page.locator("body")).to_contain_text("《行政诉讼法》第六十七条")
    page.click("#actions >> text=提交答辩状和证据")
    page.click("button[type=submit]")
    page.click("#actions >> text=记录开庭及出庭情况")
    page.select_option("#id_appearance", "principal")
    page.fill("#id_appearance_person", "赵六（局长）")
    page.click("button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("记录开庭及出庭情况")
    expect(page.locator("body")).to_contain_text("本审级正职负责人已出庭")
    page.close()
