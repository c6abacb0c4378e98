"""Journeys of the 人民调解, 法律援助 and 建议提案 families and of a ledger import, in headless Chromium."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from fazhi.core.models import Kind, Level, Role, Unit
from fazhi.web.tests.conftest import login, nav_to


def _staff(unit: Unit, **people: str) -> None:
    from django.contrib.auth import get_user_model

    from fazhi.core.services import membership_grant

    for username, role in people.items():
        membership_grant(user=get_user_model().objects.create_user(username, password=PASSWORD), unit=unit, role=role)


def test_a_justice_office_mediates_a_dispute_to_a_performed_agreement(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from fazhi.core.services import unit_create
    from fazhi.registers.mediation.models import MediationCommittee

    office = unit_create(name="长青司法所", short_name="长青所", code="T-D-SF1", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=org.district)
    committee = MediationCommittee.objects.create(name="长青街道花园社区人民调解委员会", level="community", unit=office)
    _staff(office, med_clerk=Role.CLERK)
    today = dt.date.today()
    page = browser.new_page()
    login(page, live_server.url, "med_clerk")
    nav_to(page, "人民调解")
    page.click("text=受理纠纷")
    page.select_option("#id_handling_unit", str(office.pk))
    page.fill("#id_received_on", today.isoformat())
    page.select_option("#id_committee", str(committee.pk))
    page.select_option("#id_dispute_type", "neighbour")
    page.select_option("#id_source", "application")
    page.fill("#id_party_a_name", "钱一")
    page.fill("#id_party_b_name", "孙二")
    page.fill("#id_description", "楼上漏水致楼下天花板受损")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"长青所调〔{today.year}〕1号")
    expect(page.locator("body")).to_contain_text("mediation.conclusion")
    page.click("#actions >> text=达成调解协议")
    page.select_option("#id_outcome", "written_agreement")
    page.click("button[type=submit]")
    # a written agreement is a document: without what was agreed the step is refused, naming it
    expect(page.locator("body")).to_contain_text("协议内容（各方责任、履行方式和期限）")
    page.fill("#id_agreement_terms", "孙二于十日内修复楼下天花板并承担费用")
    page.click("button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("达成调解协议")
    expect(page.locator("#documents")).to_contain_text("人民调解协议书")
    page.click("#actions >> text=回访并记录履行情况")
    page.select_option("#id_performance", "performed")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("已结案")
    expect(page.locator("body")).to_contain_text("已履行")
    page.close()


def test_a_legal_aid_application_is_granted_by_the_reviewer_and_assigned_by_the_clerk(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any
) -> None:
    from fazhi.core.services import unit_create

    centre = unit_create(name="东湖区法律援助中心", short_name="东援", code="T-D-LA", level=Level.DISTRICT, kind=Kind.STATION, parent=org.district)
    _staff(centre, aid_clerk=Role.CLERK, aid_reviewer=Role.REVIEWER)
    today = dt.date.today()
    clerk = browser.new_page()
    login(clerk, live_server.url, "aid_clerk")
    nav_to(clerk, "法律援助")
    clerk.click("text=登记援助申请或通知")
    clerk.select_option("#id_handling_unit", str(centre.pk))
    clerk.fill("#id_received_on", today.isoformat())
    clerk.select_option("#id_source", "application")
    clerk.select_option("#id_category", "civil")
    clerk.select_option("#id_aid_form", "arbitration")
    clerk.fill("#id_applicant_name", "郑三")
    clerk.fill("#id_matter_summary", "追索劳动报酬")
    clerk.click("button[type=submit]")
    expect(clerk.locator("h1")).to_contain_text(f"东援援〔{today.year}〕1号")
    expect(clerk.locator("body")).to_contain_text("legal_aid.decision")
    expect(clerk.locator("#actions")).not_to_contain_text("决定给予法律援助")  # the reviewer's step
    url = clerk.url

    reviewer = browser.new_page()
    login(reviewer, live_server.url, "aid_reviewer")
    reviewer.goto(url)
    reviewer.click("#actions >> text=决定给予法律援助")
    reviewer.click("button[type=submit]")
    expect(reviewer.locator("body")).to_contain_text("legal_aid.assignment")
    reviewer.close()

    clerk.goto(url)
    clerk.click("#actions >> text=指派承办人员")
    clerk.select_option("#id_provider_type", "lawyer")
    clerk.fill("#id_provider_name", "李律师（江城正衡律师事务所）")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("已指派承办")
    clerk.close()


def test_a_department_answers_a_delegates_suggestion_and_records_satisfaction(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    _staff(org.dept, dept_head=Role.HEAD)
    today = dt.date.today()
    page = browser.new_page()
    login(page, live_server.url, "erin")
    nav_to(page, "人大建议和政协提案")
    page.click("text=登记交办的建议提案")
    page.select_option("#id_handling_unit", str(org.dept.pk))
    page.fill("#id_received_on", today.isoformat())
    page.select_option("#id_kind", "npc")
    page.fill("#id_session", "东湖区第十届人大第五次会议")
    page.fill("#id_proposal_number", "12")
    page.fill("#id_title", "关于加强老旧小区电动自行车充电设施建设的建议")
    page.fill("#id_proposer_name", "陈代表")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"市监议〔{today.year}〕1号")
    expect(page.locator("body")).to_contain_text("proposals.npc_answer")
    url = page.url

    head = browser.new_page()
    login(head, live_server.url, "dept_head")
    head.goto(url)
    head.click("#actions >> text=书面答复")
    head.select_option("#id_outcome", "A")
    head.click("button[type=submit]")
    expect(head.locator("#timeline")).to_contain_text("书面答复")
    head.close()

    page.goto(url)
    page.click("#actions >> text=记录代表（委员）意见并办结")
    page.select_option("#id_satisfaction", "satisfied")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("已办结")
    page.close()


def _ledger(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["办理单位编码", "案号", "收到日期", "申请人", "申请人类型", "被申请人", "被申请复议的行政行为", "申请方式", "受理日期", "审理程序"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_clerk_imports_a_ledger_fixes_the_named_error_and_exports_the_list(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    row = ["T-D-FY", "东复〔2025〕8号", "2025-03-03", "张三", "自然人", "东湖区市场监督管理局", "行政处罚决定", "当面递交", "2025-03-05", "普通程序"]
    page = browser.new_page()
    login(page, live_server.url, "alice")
    nav_to(page, "行政复议")
    page.click("#import-link")
    page.set_input_files(
        "#id_file", files=[{"name": "台账.xlsx", "mimeType": "application/octet-stream", "buffer": _ledger([row[:2] + ["2025-02-30"] + row[3:]])}]
    )
    page.click("button[type=submit]")
    expect(page.locator("#import-problems")).to_contain_text("第2行“收到日期”：无法识别日期“2025-02-30”")
    page.set_input_files("#id_file", files=[{"name": "台账.xlsx", "mimeType": "application/octet-stream", "buffer": _ledger([row])}])
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("导入完成：新增 1 条")
    expect(page.locator("#matter-table")).to_contain_text("东复〔2025〕8号")
    with page.expect_download() as download:
        page.click("#export-public-link")
    from django.utils import timezone

    assert download.value.suggested_filename.endswith(f"（公开版）-{timezone.localdate():%Y%m%d}.xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "东复〔2025〕8号" and "张*" in rows[1]
    page.close()
