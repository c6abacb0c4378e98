"""An enforcement case through its whole process in headless Chromium, with the 法制审核 gate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.registers.enforcement.tests.fixtures import make_agency
from fazhi.web.tests.conftest import login, nav_to


def test_a_penalty_case_is_decided_only_after_its_review_then_published_masked(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, settings: Any, tmp_path: Any
) -> None:
    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    agency = make_agency(org)
    today = dt.date.today()
    clerk = browser.new_page()
    login(clerk, live_server.url, "erin")
    nav_to(clerk, "行政执法")
    clerk.click("text=立案（受理）")
    clerk.select_option("#id_handling_unit", str(agency.unit.pk))
    clerk.fill("#id_received_on", today.isoformat())
    clerk.select_option("#id_power_item", str(agency.penalty.pk))
    clerk.select_option("#id_party_type", "natural_person")
    clerk.fill("#id_party_name", "王小明")
    clerk.fill("#id_party_id_number", "420102199001011234")
    clerk.fill("#id_facts", "销售不合格电热水壶")
    clerk.select_option("#id_lead_officer", str(agency.officers[0].pk))
    clerk.select_option("#id_second_officer", str(agency.officers[1].pk))
    clerk.check("#id_major_public_interest")
    clerk.click("button[type=submit]")
    expect(clerk.locator("h1")).to_contain_text(f"市监执〔{today.year}〕1号")
    expect(clerk.locator("#review-duty")).to_contain_text("须法制审核")
    clerk.fill("#id_description", "现场检查笔录")
    clerk.set_input_files("#id_file", files=[{"name": "笔录.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 demo"}])
    clerk.click("#evidence-form button")
    expect(clerk.locator("#evidence")).to_contain_text("SHA-256")
    expect(clerk.locator("#timeline")).to_contain_text("登记证据")
    clerk.click("#actions >> text=告知拟作出的决定")
    clerk.fill("#id_proposed_fine", "3000")
    clerk.click("button[type=submit]")
    expect(clerk.locator("#timeline")).to_contain_text("告知拟作出的决定")
    expect(clerk.locator("#documents")).to_contain_text("行政处罚事先告知书")  # issued at the step
    case_url = clerk.url
    # the party waives its statement and hearing rights in writing: the decision need not wait
    # for the windows (行政处罚法 arts.62, 64)
    clerk.click("#actions >> text=当事人明确放弃陈述、申辩（听证）权利")
    clerk.select_option("#id_rights_waived", "statement_and_hearing")
    clerk.click("button[type=submit]")
    expect(clerk.locator("#timeline")).to_contain_text("当事人明确放弃")

    head = browser.new_page()
    login(head, live_server.url, "sj_head")

    def decide() -> None:
        head.goto(case_url)
        head.click("#actions >> text=作出决定")
        head.select_option("#id_outcome", "penalty_imposed")
        head.fill("#id_decision_number", "东市监罚〔2026〕1号")
        head.fill("#id_fine_amount", "3000")
        head.click("button[type=submit]")

    decide()
    expect(head.locator("body")).to_contain_text("必须经法制审核并通过")  # the gate

    clerk.goto(case_url)
    clerk.click("#actions >> text=提交法制审核")
    clerk.click("button[type=submit]")
    reviewer = browser.new_page()
    login(reviewer, live_server.url, "sj_reviewer")
    reviewer.goto(case_url)
    reviewer.click("#actions >> text=法制审核通过")
    reviewer.fill("#id_reviewer_name", "李审")
    reviewer.fill("#id_review_opinion", "事实清楚，证据确实充分，同意")
    reviewer.click("button[type=submit]")
    expect(reviewer.locator("body")).to_contain_text("审核通过，待决定")

    decide()
    expect(head.locator("body")).to_contain_text("已决定，待送达")
    # the 决定书 carries the decision number the step recorded, and prints
    expect(head.locator("#documents")).to_contain_text("行政处罚决定书")
    expect(head.locator("#documents")).to_contain_text("东市监罚〔2026〕1号")
    with head.expect_popup() as popup:
        head.locator("#documents >> text=打印").last.click()
    expect(popup.value.locator("body")).to_contain_text("东市监罚〔2026〕1号")
    for step, extra in (("送达决定书", None), ("公示决定信息", None), ("执行完毕", "voluntary"), ("结案归档", None)):
        clerk.goto(case_url)
        clerk.click(f"#actions >> text={step}")
        if extra:
            clerk.select_option("#id_execution", extra)
        clerk.click("button[type=submit]")
        expect(clerk.locator("#timeline")).to_contain_text(step)
    expect(clerk.locator("body")).to_contain_text("已结案")

    public = browser.new_page()
    public.goto(f"{live_server.url}/gongshi/zhifa/")
    expect(public.locator("#decisions")).to_contain_text("东市监罚〔2026〕1号")
    expect(public.locator("#decisions")).to_contain_text("王**")
    body = public.content()
    assert "王小明" not in body and "420102199001011234" not in body
    for p in (clerk, head, reviewer, public):
        p.close()
