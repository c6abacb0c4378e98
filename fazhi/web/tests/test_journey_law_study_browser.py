"""学法和述法 in headless Chromium: the 依法治区办 opens the page, sees the district below the
region's minimum of 常务会议学法, records a session (a bad one refused naming the field), imports the
year's 学法考试 from a spreadsheet (a bad file refused with its row and column, nothing written),
records a leader's 述法, and the report coverage opens its records; a department's clerk sees only
her department's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_the_office_records_study_exams_and_a_report_and_the_figures_follow(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    base = live_server.url
    year = dt.date.today().year - 1
    page = browser.new_page()
    login(page, base, "dave")
    nav_to(page, "学法和述法")
    expect(page.locator("h1")).to_contain_text("学法和述法")
    page.select_option("#year-form select", str(year))
    expect(page.locator("#below")).to_contain_text("东湖区人民政府（政府常务会议会前学法 0/2 次）")

    page.select_option("#id_unit", label="东湖区人民政府")
    page.fill("#id_held_on", f"{year}-03-12")
    page.select_option("#id_body", label="政府常务会议会前学法")
    page.fill("#id_topic", "学习新修订的《行政复议法》")
    page.fill("#id_laws", "《中华人民共和国行政复议法》")
    page.fill("#id_attendees", "0")
    page.click("#record-form button[type=submit]")
    expect(page.locator("#form-errors")).to_contain_text("参加人数应为正整数")
    expect(page.locator("#summary")).to_contain_text("共 0 次学法活动")
    page.fill("#id_attendees", "18")
    page.click("#record-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("已登记")
    expect(page.locator("#records")).to_contain_text("学习新修订的《行政复议法》")
    expect(page.locator("#below")).to_contain_text("东湖区人民政府（政府常务会议会前学法 1/2 次）")

    page.click(".nav-tabs >> text=学法考试")
    header = "单位编码,年度,姓名,参加考试,职务,人员类别,成绩,考试日期\n"
    bad = header + f"T-D-SJ,{year},王某,是,局长,领导干部,九十,{year}-10-28\n"
    page.set_input_files("#import-form input[type=file]", files=[{"name": "exams.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.click("#import-form button[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("第2行“成绩”：“九十”不是数字")
    expect(page.locator("#summary")).to_contain_text("应考 0 人")
    good = header + f"T-D-SJ,{year},王某,是,局长,领导干部,90,{year}-10-28\nT-D-SJ,{year},赵某,是,副局长,领导干部,52,{year}-10-28\n"
    page.set_input_files("#import-form input[type=file]", files=[{"name": "exams.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    page.click("#import-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("导入完成：新增 2 条")
    expect(page.locator("#summary")).to_contain_text("应考 2 人，参加考试 2 人，合格 1 人")

    page.click(".nav-tabs >> text=述法")
    page.select_option("#id_unit", label="东湖区人民政府")
    page.fill("#id_name", "李某")
    page.fill("#id_post", "区长")
    page.select_option("#id_role", label="政府（部门）主要负责人")
    page.fill("#id_reported_on", f"{year}-12-28")
    page.fill("#id_audience", "区委全面依法治区委员会会议")
    page.select_option("#id_form", label="会议现场述法")
    page.select_option("#id_rating", label="好")
    page.fill("#id_evaluated_on", f"{year}-12-28")
    page.click("#record-form button[type=submit]")
    expect(page.locator("#summary")).to_contain_text("应述法 1 人，已述法 1 人，已评议 1 人")

    page.goto(f"{base}/zhibiao/xf.report_coverage/?unit={org.district.pk}&year={year}")
    expect(page.locator("#trace-value")).to_contain_text("100%")
    expect(page.locator("body")).to_contain_text("李某")

    other = browser.new_page()
    login(other, base, "erin")
    other.goto(f"{base}/xuefa/?tab=law_exams&year={year}")
    expect(other.locator("#records")).to_contain_text("王某")
    other.goto(f"{base}/xuefa/?tab=law_reports&year={year}")
    expect(other.locator("#records")).not_to_contain_text("李某")
