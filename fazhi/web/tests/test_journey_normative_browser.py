"""规范性文件 in headless Chromium: the drafting department's clerk registers a draft, puts it to
public comment (a period too short is refused in words) and sends it to the 司法局's review; the
reviewer records the opinion with his qualification; the head records the meeting; the clerk
publishes and files it; the 依法治区办 publishes the list; the public finds it on /gongkai/guifan/,
with its history, and not on the list as of a day before its publication."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from fazhi.core.models import Role
from fazhi.web.tests.conftest import login, nav_to


def test_a_document_goes_from_draft_to_the_public_list_in_the_browser(browser: Browser, live_server: Any, transactional_db: Any, org: Any) -> None:
    from django.contrib.auth import get_user_model

    from fazhi.core.services import membership_grant
    from fazhi.law.workdays import current_calendar

    for username, role in (("nd_reviewer", Role.REVIEWER), ("nd_head", Role.HEAD)):
        membership_grant(user=get_user_model().objects.create_user(username, password=PASSWORD), unit=org.dept, role=role)
    today = dt.date.today()
    cal = current_calendar()
    drafted, comment_from = today - dt.timedelta(days=100), today - dt.timedelta(days=90)
    too_short, comment_to = cal.nth_workday_after(comment_from, 3), cal.nth_workday_after(comment_from, 10)
    submitted, reviewed, meeting, published, filed = (comment_to + dt.timedelta(days=n) for n in (2, 9, 14, 20, 35))
    assert filed < today
    number = f"东市监规〔{published.year}〕7号"
    title = "东湖区市场主体住所登记管理办法"

    clerk = browser.new_page()
    login(clerk, live_server.url, "erin")
    nav_to(clerk, "规范性文件")
    clerk.click("text=登记起草的规范性文件")
    clerk.fill("#id_received_on", drafted.isoformat())
    clerk.fill("#id_title", title)
    clerk.select_option("#id_doc_kind", "department")
    clerk.fill("#id_issuing_body", "东湖区市场监督管理局")
    clerk.select_option("#id_handling_unit", label="东湖区市场监督管理局")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("起草中")

    clerk.click("#actions >> text=公开征求意见")
    clerk.fill("#id_comment_from", comment_from.isoformat())
    clerk.fill("#id_comment_to", too_short.isoformat())
    clerk.fill("#id_comment_channel", "区政府门户网站")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("不少于7个工作日")
    clerk.fill("#id_comment_to", comment_to.isoformat())
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("公开征求意见中")
    # publishing now would skip the review: the step is not offered, and refused if forced
    expect(clerk.locator("#actions")).not_to_contain_text("公布")
    clerk.click("#actions >> text=征求意见结束，送交合法性审核")
    clerk.fill("#id_submitted_on", submitted.isoformat())
    clerk.fill("#id_reviewing_body", "东湖区司法局")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("合法性审核中")
    doc_url = clerk.url

    reviewer = browser.new_page()
    login(reviewer, live_server.url, "nd_reviewer")
    reviewer.goto(doc_url)
    reviewer.click("#actions >> text=合法性审核通过")
    reviewer.fill("#id_reviewed_on", reviewed.isoformat())
    reviewer.select_option("#id_review_opinion", "passed_with_changes")
    reviewer.fill("#id_reviewer_name", "王审核")
    reviewer.select_option("#id_reviewer_qualification", "legal_profession")
    reviewer.fill("#id_reviewer_certificate", "A20124201000123")
    reviewer.click("button[type=submit]")
    expect(reviewer.locator("body")).to_contain_text("已通过合法性审核")

    head = browser.new_page()
    login(head, live_server.url, "nd_head")
    head.goto(doc_url)
    head.click("#actions >> text=集体审议")
    head.fill("#id_meeting_on", meeting.isoformat())
    head.fill("#id_meeting_name", "局长办公会议")
    head.click("button[type=submit]")
    expect(head.locator("body")).to_contain_text("已集体审议")

    clerk.goto(doc_url)
    clerk.click("#actions >> text=公布")
    clerk.fill("#id_doc_number", number)
    clerk.fill("#id_published_on", published.isoformat())
    clerk.fill("#id_publication_place", "区政府门户网站")
    clerk.fill("#id_effective_on", published.isoformat())
    clerk.fill("#id_valid_until", (published + dt.timedelta(days=3 * 365)).isoformat())
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("已公布，待备案")
    clerk.click("#actions >> text=报送备案")
    clerk.fill("#id_filed_on", filed.isoformat())
    clerk.fill("#id_filed_with", "东湖区人民政府")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("已备案，现行有效")

    office = browser.new_page()
    login(office, live_server.url, "dave")
    nav_to(office, "发布规范性文件目录")
    expect(office.locator("body")).to_contain_text("现行有效 1 件")
    office.click("text=发布目录")
    expect(office.locator("body")).to_contain_text("已发布东湖区人民政府现行有效规范性文件目录：1 件")

    public = browser.new_page()
    public.goto(f"{live_server.url}/gongkai/guifan/")
    expect(public.locator("#documents")).to_contain_text(number)
    expect(public.locator("#snapshots")).to_contain_text("1 件")
    public.fill("#q", "住所登记")
    public.click("#filters button")
    public.click(f"text={title}")
    history = public.locator("#history")
    expect(history).to_contain_text(f"{published.isoformat()} 公布")
    expect(history).to_contain_text(f"{filed.isoformat()} 报送备案")
    expect(public.locator("body")).not_to_contain_text("王审核")  # the reviewer is not published
    public.goto(f"{live_server.url}/gongkai/guifan/?as_of={(published - dt.timedelta(days=1)).isoformat()}")
    expect(public.locator("#documents")).not_to_contain_text(number)
    for p in (clerk, reviewer, head, office, public):
        p.close()
