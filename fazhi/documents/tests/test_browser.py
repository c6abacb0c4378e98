"""A 行政复议 case in headless Chromium: the clerk accepts it, the 受理通知书 appears on the case
page, its PDF downloads, the print view shows the number and the code, and the portal's
verification page confirms the downloaded PDF and refuses a modified copy."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect
from pypdf import PdfReader, PdfWriter

from fazhi.documents.models import IssuedDocument
from fazhi.web.tests.conftest import login


def test_acceptance_notice_in_the_browser_downloaded_printed_and_verified(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any, make_case: Any, tmp_path: Path
) -> None:
    base = live_server.url
    case = make_case(received_on=dt.date.today())
    page = browser.new_page()
    login(page, base, "alice")
    page.goto(f"{base}/r/reconsideration/{case.pk}/")
    expect(page.locator("#documents")).to_contain_text("尚未出具文书")
    page.click("#actions >> text=受理")
    page.select_option("#id_procedure", "ordinary")
    page.click("button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("受理")
    doc = IssuedDocument.objects.get(register="reconsideration", object_id=case.pk)
    panel = page.locator("#documents")
    expect(panel).to_contain_text("行政复议受理通知书")
    expect(panel).to_contain_text(doc.number)

    with page.expect_download() as info:
        panel.locator("text=下载 PDF").click()
    pdf = tmp_path / "notice.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes()[:4] == b"%PDF" and doc.code in PdfReader(pdf).pages[0].extract_text()

    with page.context.expect_page() as opened:
        panel.locator("text=打印").click()
    printed = opened.value
    expect(printed.locator("#document-number")).to_have_text(doc.number)
    expect(printed.locator("#verify-code")).to_have_text(doc.code)
    expect(printed.locator("#print-button")).to_be_visible()
    assert printed.locator("svg").count() == 1  # the QR code
    page.close()
    printed.close()

    citizen = browser.new_page()
    citizen.goto(f"{base}/gongkai/yanzheng/")
    citizen.set_input_files("#id_file", str(pdf))
    citizen.click("#verify-submit")
    expect(citizen.locator("#verdict")).to_contain_text("查验通过")
    expect(citizen.locator("#verdict-detail")).to_contain_text(doc.number)
    expect(citizen.locator("#verdict-detail")).to_contain_text(org.body.name)
    expect(citizen.locator("body")).not_to_contain_text(case.applicant_name)

    writer = PdfWriter()
    writer.append(PdfReader(pdf))
    writer.add_metadata({"/Title": "改过的文书"})
    out = io.BytesIO()
    writer.write(out)
    modified = tmp_path / "modified.pdf"
    modified.write_bytes(out.getvalue())
    citizen.set_input_files("#id_file", str(modified))
    citizen.click("#verify-submit")
    expect(citizen.locator("#verdict")).to_contain_text("查验未通过")
    expect(citizen.locator("#verdict")).to_contain_text("已被改动")

    # the QR code's link: the code in the address
    citizen.goto(f"{base}/gongkai/yanzheng/?code={doc.code}")
    expect(citizen.locator("#verdict")).to_contain_text("查验通过")
    citizen.close()
