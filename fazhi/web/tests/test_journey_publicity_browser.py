"""普法 in headless Chromium: a department clerk opens her unit's 普法责任清单 (nothing carried out
yet), records an activity against one of its items (a count of 0 人次 refused naming the field), and
the unit's figure moves: the list page, the list's items and the indicator's trace show one item of
two carried out; the clerk of another district does not see the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.web.tests.conftest import login, nav_to


def test_a_clerk_records_an_activity_against_the_units_list_and_the_coverage_moves(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from fazhi.registers.legal_publicity import services

    today = dt.date.today()
    duty_list = services.list_create(unit=org.dept, actor=org.erin, year=today.year, issued_on=dt.date(today.year, 1, 1))
    services.item_add(duty_list=duty_list, actor=org.erin, content="《食品安全法》", target_groups="食品生产经营者", timing="全年")
    services.item_add(duty_list=duty_list, actor=org.erin, content="《消费者权益保护法》", target_groups="消费者", timing="3月")
    base = live_server.url
    page = browser.new_page()
    login(page, base, "erin")
    nav_to(page, "普法")
    expect(page.locator("#duty-lists")).to_contain_text(f"东湖区市场监督管理局{today.year}年度普法责任清单")
    expect(page.locator(f"[data-share='{duty_list.pk}']")).to_have_text("0.0%")
    page.click(f"text=东湖区市场监督管理局{today.year}年度普法责任清单")
    expect(page.locator("#duty-items")).to_contain_text("尚未开展")

    page.click("text=登记普法活动")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.select_option("#id_kind", label="以案释法")
    page.fill("#id_title", "食品安全典型案例以案释法")
    page.fill("#id_place", "东湖农贸市场")
    page.fill("#id_audience", "食品经营户")
    page.fill("#id_participants", "0")
    page.select_option("#id_duty_item", label=f"东湖区市场监督管理局 {today.year}年 1. 《食品安全法》")
    page.fill("#id_materials", "300")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("参与人次应至少为1")
    page.fill("#id_participants", "85")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"市监普〔{today.year}〕1号")

    page.goto(f"{base}/pufa/?year={today.year}")
    expect(page.locator(f"[data-share='{duty_list.pk}']")).to_have_text("50.0%")
    page.click(f"text=东湖区市场监督管理局{today.year}年度普法责任清单")
    expect(page.locator("#covered")).to_have_text("1")
    expect(page.locator("#duty-items")).to_contain_text("食品安全典型案例以案释法")
    page.goto(f"{base}/zhibiao/pf.duty_coverage/?unit={org.dept.pk}&year={today.year}")
    expect(page.locator("#trace-value")).to_contain_text("50")
    expect(page.locator("body")).to_contain_text("《消费者权益保护法》")

    other = browser.new_page()
    login(other, base, "frank")
    other.goto(f"{base}/pufa/?year={today.year}")
    expect(other.locator("#duty-lists")).not_to_contain_text("东湖区市场监督管理局")
    assert other.goto(f"{base}/pufa/qingdan/{duty_list.pk}/").status == 404
