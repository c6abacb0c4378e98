"""The reader in headless Chromium: upload a report, see it annotated (an unsure label with what else it may be); upload five, see the chart."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect

from fazhi.reader import scoring
from fazhi.web.tests.conftest import login, nav_to


def test_a_clerk_reads_a_report_and_compares_the_five_seeds(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    page = browser.new_page()
    login(page, live_server.url, "alice")
    nav_to(page, "报告阅读器")
    page.set_input_files("#files", str(scoring.SEEDS / "001_88355d0e2550c175.txt"))
    page.click("#read")
    expect(page.locator("#jurisdiction")).to_have_text("洪山区")
    expect(page.locator("#annotated mark.figure")).to_have_count(98)
    mark = page.locator("#annotated mark.figure", has_text="68件")
    expect(mark.locator("sup")).to_have_text("行政复议申请收到数")
    expect(page.locator("#checks li[data-kind='sum']")).to_contain_text("相差7件")
    # a figure the text says little about: its label is marked unsure, and its hover text names what else it may be
    vague = "二、工作情况\n共计12个。".encode()
    page.set_input_files("#files", {"name": "vague.txt", "mimeType": "text/plain", "buffer": vague})
    page.click("#read")
    unsure = page.locator("#annotated mark.figure", has_text="12个")
    expect(unsure.locator("small.low-confidence")).to_have_text("（置信度低）")
    expect(unsure).to_have_attribute("title", re.compile("其他可能：.+、.+"))
    page.set_input_files("#files", [str(scoring.SEEDS / f"{n}.txt") for n in scoring.TUNING + scoring.HELD_OUT])
    page.click("#read")
    expect(page.locator("#chart")).to_have_attribute("data-drawn", "1")
    expect(page.locator("#chart canvas")).to_have_count(1)
    row = page.locator("#compare tr", has_text="行政机关负责人出庭应诉率")
    expect(row.locator("td")).to_have_text(["98.4%", "96.06%", "100%", "90%", "—"])
    page.set_input_files("#files", [str(scoring.SEEDS / f"{n}.txt") for n in scoring.TUNING])
    with page.expect_download() as download:
        page.click("#xlsx")
    assert download.value.suggested_filename == "reports-compare.xlsx"
