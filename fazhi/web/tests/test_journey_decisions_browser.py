"""重大行政决策 in headless Chromium: the head's decision is refused until the legality review is
recorded; the review is recorded, the decision taken, reported to the Party committee and
published, and the public finds it under the published 决策事项目录 on /gongkai/juece/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Browser, expect

from conftest import PASSWORD, do
from fazhi.core.models import Role
from fazhi.web.tests.conftest import login, nav_to


def test_a_decision_is_refused_until_its_legality_review_is_recorded_then_taken_and_published(
    browser: Browser, live_server: Any, transactional_db: Any, org: Any
) -> None:
    from django.contrib.auth import get_user_model

    from fazhi.core.services import membership_grant
    from fazhi.law.workdays import current_calendar
    from fazhi.registers.framework.services import matter_create
    from fazhi.registers.major_decisions import services

    for username, role in (("md_reviewer", Role.REVIEWER), ("md_head", Role.HEAD)):
        membership_grant(user=get_user_model().objects.create_user(username, password=PASSWORD), unit=org.dept, role=role)
    today = dt.date.today()
    days = [today - dt.timedelta(days=n) for n in (120, 110, 105, 75, 73, 71, 69, 40)]
    started, drafted, comment_from, comment_to, participated, expert, risk, submitted = days
    year = started.year
    catalogue = services.catalogue_create(unit=org.district, actor=org.dave, year=year, on=started)
    item = services.item_add(catalogue=catalogue, actor=org.dave, name="东湖区农贸市场布局规划", lead_unit=org.dept, category="plan", on=started)
    services.catalogue_agree(catalogue=catalogue, actor=org.dave, on=started, agreement="区委常委会")
    services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=started, channel="区政府门户网站")
    case = matter_create(
        register="major_decisions",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": started, "title": item.name, "category": "plan", "catalogue_item": item.pk},
    )
    do(case, "draft", org.erin, draft_on=drafted)
    do(case, "open_comment", org.erin, comment_from=comment_from, comment_to=comment_to, comment_channel="区政府门户网站")
    do(case, "record_participation", org.erin, participation_on=participated, participation_methods="向社会公开征求意见")
    do(case, "expert_review", org.erin, expert_on=expert, expert_method="meeting")
    do(case, "risk_assessment", org.erin, risk_on=risk, risk_conclusion="controllable")
    opinion = current_calendar().nth_workday_after(submitted, 8)
    decided, reported, published = opinion + dt.timedelta(days=3), opinion + dt.timedelta(days=5), opinion + dt.timedelta(days=8)
    assert published <= today

    # the head tries to record the meeting's decision before the legality review: refused, in words
    boss = browser.new_page()
    login(boss, live_server.url, "md_head")
    boss.goto(f"{live_server.url}/r/major_decisions/{case.pk}/")
    expect(boss.locator("#missing-steps")).to_contain_text("合法性审查")
    boss.click("#actions >> text=集体讨论决定")
    boss.fill("#id_decided_on", decided.isoformat())
    boss.select_option("#id_meeting_kind", "standing")
    boss.fill("#id_meeting_name", "区政府第十八次常务会议")
    boss.fill("#id_presiding_head", "区长")
    boss.select_option("#id_decision_result", "adopted")
    boss.click("button[type=submit]")
    expect(boss.locator("body")).to_contain_text("以下法定程序尚未完成，决策草案不得提交决策机关讨论")
    expect(boss.locator("body")).to_contain_text("不得以征求意见等方式代替")

    # the clerk submits the draft for review; the reviewer records the opinion of the 司法局
    clerk = browser.new_page()
    login(clerk, live_server.url, "erin")
    nav_to(clerk, "重大行政决策")
    clerk.click(f"text={case.case_number}")
    clerk.click("#actions >> text=送请合法性审查")
    clerk.fill("#id_review_submitted_on", submitted.isoformat())
    clerk.click("button[type=submit]")
    expect(clerk.locator("h1")).to_contain_text(case.case_number)
    expect(clerk.locator("body")).to_contain_text("合法性审查中")
    reviewer = browser.new_page()
    login(reviewer, live_server.url, "md_reviewer")
    reviewer.goto(f"{live_server.url}/r/major_decisions/{case.pk}/")
    reviewer.click("#actions >> text=记录合法性审查意见")
    reviewer.fill("#id_review_opinion_on", opinion.isoformat())
    reviewer.fill("#id_review_body", "东湖区司法局")
    reviewer.select_option("#id_review_conclusion", "legal")
    reviewer.fill("#id_legal_adviser", "区政府法律顾问王律师")
    reviewer.click("button[type=submit]")
    expect(reviewer.locator("body")).to_contain_text("已审查，待集体讨论决定")

    # now the decision is taken
    boss.goto(f"{live_server.url}/r/major_decisions/{case.pk}/")
    expect(boss.locator("#missing-steps")).to_have_count(0)
    boss.click("#actions >> text=集体讨论决定")
    boss.fill("#id_decided_on", decided.isoformat())
    boss.select_option("#id_meeting_kind", "standing")
    boss.fill("#id_meeting_name", "区政府第十八次常务会议")
    boss.fill("#id_presiding_head", "区长")
    boss.select_option("#id_decision_result", "adopted")
    boss.fill("#id_dissent", "一名副区长建议分期实施")
    boss.click("button[type=submit]")
    expect(boss.locator("body")).to_contain_text("已作出决定，待公布")

    # reported to the Party committee, then published
    clerk.goto(f"{live_server.url}/r/major_decisions/{case.pk}/")
    clerk.click("#actions >> text=公布决策")
    clerk.fill("#id_published_on", published.isoformat())
    clerk.fill("#id_publication_channel", "区政府门户网站")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("出台前应当按照规定向同级党委请示报告")
    clerk.goto(f"{live_server.url}/r/major_decisions/{case.pk}/")
    clerk.click("#actions >> text=向同级党委请示报告")
    clerk.fill("#id_party_reported_on", reported.isoformat())
    clerk.fill("#id_party_committee", "中共东湖区委员会")
    clerk.click("button[type=submit]")
    clerk.click("#actions >> text=公布决策")
    clerk.fill("#id_published_on", published.isoformat())
    clerk.fill("#id_publication_channel", "区政府门户网站")
    clerk.fill("#id_decision_document_number", f"东政发〔{published.year}〕8号")
    clerk.click("button[type=submit]")
    expect(clerk.locator("body")).to_contain_text("已公布，执行中")

    # the public: the published catalogue, the decision and its public steps
    public = browser.new_page()
    public.goto(f"{live_server.url}/gongkai/juece/")
    expect(public.locator(".catalogue")).to_contain_text("东湖区农贸市场布局规划")
    public.click(f"text=已公布（{published.isoformat()}）")
    steps = public.locator("#public-steps")
    expect(steps).to_contain_text(f"{comment_from.isoformat()} 至 {comment_to.isoformat()}")
    expect(steps).to_contain_text("区政府第十八次常务会议")
    expect(public.locator("#published")).to_contain_text(f"东政发〔{published.year}〕8号")
    expect(public.locator("body")).not_to_contain_text("王律师")  # the review's people are not published
    for p in (boss, clerk, reviewer, public):
        p.close()
