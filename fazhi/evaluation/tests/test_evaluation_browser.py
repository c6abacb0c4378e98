"""The evaluation journey in headless Chromium: score by hand with evidence, publish, a unit reads its result."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from conftest import PASSWORD, do
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.evaluation import services
from fazhi.evaluation.tests.test_evaluation import SCHEME
from fazhi.indicators.tests.conftest import request_
from fazhi.web.tests.conftest import login, nav_to


def test_the_evaluator_scores_by_hand_publishes_and_the_department_reads_its_result(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, tmp_path: Any, settings: Any
) -> None:
    from django.contrib.auth import get_user_model

    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    for i in range(6):
        r = request_(org, org.dept, org.erin, f"2025-0{i + 1}-03")
        do(r, "reply", org.erin, replied_on="2025-05-30" if i == 2 else f"2025-0{i + 1}-10", outcome="disclosed")
    eva = get_user_model().objects.create_user("eva", password=PASSWORD, first_name="考核员")
    membership_grant(user=eva, unit=org.district, role=Role.EVALUATOR)
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml")
    services.scheme_compute(scheme, eva)
    justice = org.body.parent
    services.manual_score_enter(scheme=scheme, unit=justice, item_code="B1", points=8, vetoed=False, note="材料齐全", actor=eva, evidence=("a.pdf", b"%PDF"))

    page = browser.new_page()
    login(page, live_server.url, "eva")
    nav_to(page, "考核")
    page.click(f"text={scheme.name}")
    page.click(f"#results >> text={org.dept.name}")
    expect(page.locator("#items tr[data-item='A1']")).to_contain_text("83.3%")
    form = page.locator("form.manual-form[data-item='B1']")
    form.locator("[name=points]").fill("9")
    form.locator("[name=note]").fill("年度述法报告、会前学法记录齐全")
    evidence = tmp_path / "述法报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    form.locator("[name=evidence]").set_input_files(str(evidence))
    form.locator("button").click()
    expect(page.locator("#summary")).to_contain_text("15.66")
    expect(page.locator("#items tr[data-item='B1']")).to_contain_text("述法报告.pdf")
    page.click(f"text=← {scheme.name}")
    page.click("#publish")
    expect(page.locator("#published")).to_be_visible()
    page.close()

    unit = browser.new_page()
    login(unit, live_server.url, "erin")
    nav_to(unit, "考核")
    unit.click(f"text={scheme.name}")
    expect(unit.locator("#results")).to_contain_text(org.dept.name)
    expect(unit.locator("#results")).not_to_contain_text(justice.name)
    expect(unit.locator("#compute")).to_have_count(0)
    unit.click(f"#results >> text={org.dept.name}")
    expect(unit.locator("#summary")).to_contain_text("78.30")
    expect(unit.locator("form.manual-form")).to_have_count(0)
    unit.close()
