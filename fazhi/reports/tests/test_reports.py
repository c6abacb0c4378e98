"""法治政府建设年度报告: generated paragraphs with exact figure spans, frozen versions, the workflow, pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import PASSWORD, do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.indicators.engine import Computation, Period
from fazhi.indicators.tests.conftest import request_
from fazhi.registers.framework.workflow import workflow_events
from fazhi.reports import services
from fazhi.reports.generator import generate
from fazhi.reports.models import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org: Any) -> Any:
    users = get_user_model().objects
    org.checker = users.create_user("checker", password=PASSWORD, first_name="审核员")
    org.leader = users.create_user("leader", password=PASSWORD, first_name="区长")
    membership_grant(user=org.checker, unit=org.district, role=Role.REVIEWER)
    membership_grant(user=org.leader, unit=org.district, role=Role.HEAD)
    return org


def _paragraph(content: dict[str, Any], topic: str) -> dict[str, Any]:
    return next(p for part in content["parts"] for p in part["paragraphs"] if p["topic"] == topic)


def test_generated_paragraphs_print_the_indicators_with_exact_spans_and_say_when_there_are_no_records(org: Any, requests: Any) -> None:
    title, parts = generate("fzzf", org.district, 2025)
    assert title == "东湖区人民政府2025年法治政府建设年度报告"
    assert [p.title for p in parts][:2] == ["上一年度推进法治政府建设的主要举措和成效", "上一年度推进法治政府建设存在的不足和原因"]
    gk = next(p for p in parts[0].paragraphs if p.topic == "政府信息公开")
    # one request the year before: the change (+200%) is not printed bare, both values are, with a note
    assert gk.text.startswith("收到政府信息公开申请3件（上年同期1件，上年基数过小，不宜比较），已答复3件，按期答复率66.7%（仅3件，样本较少）")
    values = Computation(Period.year(2025), [f.code for f in gk.figures], within=org.district).values([org.district.pk])
    for f in gk.figures:
        written = gk.text[f.start : f.end]
        assert written.endswith(f.unit)
        v = values[f.code][org.district.pk]
        expected = v.change if f.role == "change" else v.previous if f.role == "previous" else v.value
        assert float(written.removesuffix(f.unit).replace("万", "")) == float(expected), (f, written)
    # no 复议 case in the district: the paragraph says so instead of printing zeros
    fy = next(p for p in parts[0].paragraphs if p.topic == "行政复议")
    assert fy.text == "2025年，未收到行政复议申请。" and fy.figures == []


def test_a_year_over_year_change_prints_bare_only_within_the_configured_bounds(org: Any, requests: Any, settings: Any) -> None:
    def gk_text() -> str:
        _title, parts = generate("fzzf", org.district, 2025)
        return next(p for p in parts[0].paragraphs if p.topic == "政府信息公开").text

    settings.FAZHI_YOY_MIN_PREVIOUS, settings.FAZHI_YOY_MAX_CHANGE = 1, 300
    assert gk_text().startswith("收到政府信息公开申请3件（同比增长200%）")
    settings.FAZHI_YOY_MAX_CHANGE = 100  # a base large enough, a change beyond the bound
    assert gk_text().startswith("收到政府信息公开申请3件（上年同期1件，变化幅度过大，不宜直接比较）")
    settings.FAZHI_YOY_MIN_PREVIOUS, settings.FAZHI_YOY_MAX_CHANGE = 2, 300
    assert gk_text().startswith("收到政府信息公开申请3件（上年同期1件，上年基数过小，不宜比较）")


def test_a_version_is_frozen_and_a_new_one_shows_what_changed(org: Any, requests: Any, people: Any) -> None:
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave, order=["leaders", "measures", "shortcomings", "plans", "other"])
    v1 = services.version_generate(report=report, actor=org.dave)
    assert [p["key"] for p in v1.content["parts"]] == report.order  # the region's order
    assert v1.sha256 == hashlib.sha256(services.canonical(v1.content)).hexdigest() and v1.changes == []
    services.contribution_save(report=report, part="shortcomings", unit=org.dept, text="执法人员法律素养有待提高", actor=org.erin)
    services.contribution_save(report=report, part="shortcomings", unit=org.district, text="一是执法规范化水平仍需提高。\n二是复议纠错率偏高。", actor=org.dave)
    late = request_(org, org.dept, org.erin, "2025-11-03")
    do(late, "reply", org.erin, replied_on="2025-11-05", outcome="disclosed")
    v2 = services.version_generate(report=report, actor=org.dave, note="补充问题部分，数据更新")
    changed = {(c["part"], c["topic"]) for c in v2.changes}
    assert ("上一年度推进法治政府建设存在的不足和原因", "正文1") in changed and ("上一年度推进法治政府建设的主要举措和成效", "政府信息公开") in changed
    assert "收到政府信息公开申请4件" in _paragraph(v2.content, "政府信息公开")["text"]
    # the unit's own draft is not printed: only the office's merged text is
    assert "法律素养" not in str(v2.content) and "二是复议纠错率偏高。" in str(v2.content)
    v1.refresh_from_db()
    assert "收到政府信息公开申请3件" in _paragraph(v1.content, "政府信息公开")["text"]
    assert v1.sha256 == hashlib.sha256(services.canonical(v1.content)).hexdigest()


def test_the_workflow_runs_review_secrecy_signature_and_publication_each_by_its_role(org: Any, requests: Any, people: Any) -> None:
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    with pytest.raises(TransitionNotAllowed, match="请先生成"):
        services.report_step(report=report, action="submit", actor=org.dave)
    services.version_generate(report=report, actor=org.dave)
    with pytest.raises(PermissionDenied):
        services.report_step(report=report, action="submit", actor=org.erin)
    report = services.report_step(report=report, action="submit", actor=org.dave)
    with pytest.raises(PermissionDenied):
        services.report_step(report=report, action="approve", actor=org.bob)  # a reviewer of a unit below, not of the district
    with pytest.raises(ValidationFailed):
        services.report_step(report=report, action="return", actor=org.checker)  # a return needs its reason
    report = services.report_step(report=report, action="return", actor=org.checker, text="数据段落需核对")
    assert report.state == State.DRAFT
    services.version_generate(report=report, actor=org.dave)
    for action, actor in [("submit", org.dave), ("approve", org.checker), ("clear", org.checker)]:
        report = services.report_step(report=report, action=action, actor=actor)
    assert report.state == State.SIGNING
    with pytest.raises(TransitionNotAllowed):
        services.version_generate(report=report, actor=org.dave)  # a version under signature cannot change
    with pytest.raises(PermissionDenied):
        services.report_sign(report=report, actor=org.dave)
    report = services.report_sign(report=report, actor=org.leader)
    assert report.state == State.SIGNED
    report = services.report_step(report=report, action="publish", actor=org.dave)
    assert report.state == State.PUBLISHED and report.published_version == services.latest(report) and report.published_version.number == 2
    assert [d.isoformat() for d, _ in services.deadlines(report)] == ["2026-03-01", "2026-03-31"]
    # a correction: the published version stays public until a new one is published
    report = services.report_step(report=report, action="revise", actor=org.dave)
    services.version_generate(report=report, actor=org.dave, note="更正")
    report.refresh_from_db()
    assert report.state == State.DRAFT and report.published_version is not None and report.published_version.number == 2
    with pytest.raises(TransitionNotAllowed):
        services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)


def test_pages_link_figures_to_traces_for_staff_and_the_portal_shows_only_what_was_published(org: Any, requests: Any, people: Any) -> None:
    dave, erin, frank, leader, checker = (Client() for _ in range(5))
    for c, u in [(dave, org.dave), (erin, org.erin), (frank, org.frank), (leader, org.leader), (checker, org.checker)]:
        c.force_login(u)
    assert erin.post("/baogao/new/", {"unit": org.district.pk, "kind": "fzzf", "year": 2025}).status_code == 302
    assert not services.Report.objects.exists()  # a department clerk cannot start the district's report
    r = dave.post("/baogao/new/", {"unit": org.district.pk, "kind": "fzzf", "year": 2025})
    report = services.Report.objects.get()
    assert r["Location"] == f"/baogao/{report.pk}/"
    # the department drafts its part in the page; the office sees the draft, 西山 sees nothing
    page = erin.get(f"/baogao/{report.pk}/").content.decode()
    assert 'data-unit="T-D-SJ"' in page and "由台账数据生成新版本" not in page
    erin.post(f"/baogao/{report.pk}/contribute/", {"part": "plans", "unit": org.dept.pk, "text": "推进执法规范化建设"})
    assert "推进执法规范化建设" in dave.get(f"/baogao/{report.pk}/").content.decode()
    assert erin.post(f"/baogao/{report.pk}/contribute/", {"part": "plans", "unit": org.district.pk, "text": "改写合稿"}).status_code == 302
    assert "改写合稿" not in str(services.content_of(report))  # the clerk may not write the merged text
    assert frank.get(f"/baogao/{report.pk}/").status_code == 404 and frank.get("/baogao/").content.decode().count("东湖区") == 0
    r = dave.post(f"/baogao/{report.pk}/generate/", {"note": ""})
    assert r["Location"] == f"/baogao/{report.pk}/v/1/"
    html = dave.get(f"/baogao/{report.pk}/v/1/").content.decode()
    assert f'href="/zhibiao/gk.received/?unit={org.district.pk}&amp;year=2025">3件</a>' in html
    assert erin.post(f"/baogao/{report.pk}/generate/").status_code == 302 and services.latest(report).number == 1
    for c, action in [(dave, "submit"), (checker, "approve"), (checker, "clear"), (leader, "sign"), (dave, "publish")]:
        assert c.post(f"/baogao/{report.pk}/do/{action}/").status_code == 302
    report.refresh_from_db()
    assert report.state == State.PUBLISHED
    public = Client().get(f"/gongkai/baogao/{report.pk}/").content.decode()
    assert "收到政府信息公开申请" in public and "3件" in public and "/zhibiao/" not in public and "李雷" not in public
    assert report.published_version.sha256 in public
    assert "东湖区人民政府2025年法治政府建设年度报告" in Client().get("/gongkai/baogao/").content.decode()
    assert Client().get(f"/baogao/{report.pk}/").status_code == 302  # staff pages need a login


def test_an_unpublished_report_is_not_on_the_portal(org: Any, people: Any) -> None:
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    services.version_generate(report=report, actor=org.dave)
    assert Client().get(f"/gongkai/baogao/{report.pk}/").status_code == 404
    with pytest.raises(ValidationFailed):
        services.report_create(unit=org.district, kind="fzzf", year=2024, actor=org.dave, order=["measures", "plans"])
    assert dt.date(2026, 3, 31) in [d for d, _ in services.deadlines(report)]


def test_the_due_list_shows_last_years_reports_to_the_office_and_waiting_steps_to_their_roles(org: Any, people: Any) -> None:
    dave, leader, erin = Client(), Client(), Client()
    dave.force_login(org.dave)
    leader.force_login(org.leader)
    erin.force_login(org.erin)
    year = dt.date.today().year - 1

    def todo(c: Client, table: str = "reports-todo") -> str:
        html = c.get("/").content.decode()
        return html[html.index(f'id="{table}"') : html.index("</table>", html.index(f'id="{table}"'))] if f'id="{table}"' in html else ""

    listed = todo(dave)
    assert f"东湖区人民政府{year}年法治政府建设年度报告" in listed and "尚未起草" in listed
    assert f"报送上级（3月1日前）：{year + 1}-03-01" in listed and f"向社会公布（政府：3月31日前）：{year + 1}-03-31" in listed
    assert todo(erin) == "" and todo(leader) == ""
    report = services.report_create(unit=org.district, kind="fzzf", year=year, actor=org.dave)
    assert f"{year}年法治政府建设年度报告" not in todo(dave)  # drafted: it waits in the workflow's part
    assert "提交审核" in todo(dave, "todo-report") and "签发" not in todo(leader, "todo-report")
    # the department below the district is asked for its draft, with the report's dates; the
    # other district's clerk is not
    asked = todo(erin, "todo-report")
    assert "东湖区市场监督管理局" in asked and f"供稿（已交0/{len(report.order)}部分）" in asked and f"报送上级（3月1日前）：{year + 1}-03-01" in asked
    assert todo(Client(), "todo-report") == ""
    frank = Client()
    frank.force_login(org.frank)
    assert todo(frank, "todo-report") == ""
    services.contribution_save(report=report, part=report.order[0], unit=org.dept, text="本局推进严格规范公正文明执法。", actor=org.erin)
    assert f"供稿（已交1/{len(report.order)}部分）" in todo(erin, "todo-report")
    services.version_generate(report=report, actor=org.dave)
    for action, actor in [("submit", org.dave), ("approve", org.checker), ("clear", org.checker)]:
        report = services.report_step(report=report, action=action, actor=actor)
    assert "签发年度报告" in todo(leader, "todo-report") and "签发完成" not in todo(leader, "todo-report")
    assert todo(erin, "todo-report") == ""  # no longer drafting: nothing asked
    assert f"东湖区人民政府{year}年政府信息公开工作年度报告" in listed  # its own dates (3月31日 for a government)


def test_every_step_refuses_a_forged_request_from_the_wrong_role_or_unit(org: Any, requests: Any, people: Any) -> None:
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    services.version_generate(report=report, actor=org.dave)
    clients = {}
    for name in ("dave", "erin", "frank", "checker", "leader"):
        c = Client()
        c.force_login(getattr(org, name))
        clients[name] = c
    # (who tries, what) that must change nothing; frank (another district) does not even see the report
    forged = [
        ("erin", "submit"),
        ("checker", "submit"),
        ("leader", "publish"),
        ("erin", "sign"),
    ]
    for who, action in forged:
        clients[who].post(f"/baogao/{report.pk}/do/{action}/")
        report.refresh_from_db()
        assert report.state == State.DRAFT, (who, action)
    for path in ("do/submit/", "generate/", "contribute/", "manual/"):
        assert clients["frank"].post(f"/baogao/{report.pk}/{path}", {"part": "plans", "unit": org.other_body.pk, "text": "x"}).status_code == 404
    clients["dave"].post(f"/baogao/{report.pk}/do/submit/")
    for who, action in [("dave", "approve"), ("erin", "approve"), ("leader", "sign"), ("dave", "clear")]:
        clients[who].post(f"/baogao/{report.pk}/do/{action}/")
        report.refresh_from_db()
        assert report.state == State.REVIEW, (who, action)
    assert clients["dave"].post(f"/baogao/{report.pk}/do/nonsense/").status_code == 302
    report.refresh_from_db()
    assert report.state == State.REVIEW
    assert Client().post(f"/baogao/{report.pk}/do/approve/").status_code == 302  # to the login page
    report.refresh_from_db()
    assert report.state == State.REVIEW


def test_the_office_merges_the_units_drafts_into_the_report_text_with_a_button_and_a_new_version(org: Any, requests: Any, people: Any) -> None:
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    services.contribution_save(report=report, part="shortcomings", unit=org.district, text="一是执法规范化水平仍需提高。", actor=org.dave)
    # the market regulator writes first, the reconsideration office (a unit listed before it) later
    services.contribution_save(
        report=report, part="shortcomings", unit=org.dept, text="执法人员法律素养有待提高。\n\n一是执法规范化水平仍需提高。", actor=org.erin
    )
    services.contribution_save(report=report, part="shortcomings", unit=org.body, text="复议纠错率偏高。", actor=org.alice)
    services.contribution_save(report=report, part="measures", unit=org.dept, text="开展食品安全普法进市场活动。", actor=org.erin)
    office, erin, frank = Client(), Client(), Client()
    office.force_login(org.dave)
    erin.force_login(org.erin)
    frank.force_login(org.frank)
    assert 'id="merge-drafts"' in office.get(f"/baogao/{report.pk}/").content.decode()
    assert 'id="merge-drafts"' not in erin.get(f"/baogao/{report.pk}/").content.decode()
    # only the office of the report's unit merges: a department's clerk is refused, another district does not see the report
    with pytest.raises(PermissionDenied):
        services.contributions_merge(report=report, actor=org.erin)
    erin.post(f"/baogao/{report.pk}/merge/")
    assert frank.post(f"/baogao/{report.pk}/merge/").status_code == 404
    assert not report.versions.exists()

    r = office.post(f"/baogao/{report.pk}/merge/", follow=True)
    assert "已将各单位稿件合并到合稿正文，并生成第1版" in r.content.decode()
    merged = {c.part: c.text for c in report.contributions.filter(unit=org.district)}
    # by unit (复议办 under 司法局 before 市场监管局), after the office's own text, nothing twice
    assert merged["shortcomings"] == "一是执法规范化水平仍需提高。\n复议纠错率偏高。\n执法人员法律素养有待提高。"
    assert merged["measures"] == "开展食品安全普法进市场活动。"
    v1 = report.versions.get()
    assert v1.note == "合并各单位稿件" and "复议纠错率偏高。" in str(v1.content) and "开展食品安全普法进市场活动。" in str(v1.content)
    labels = [e.label for e in workflow_events(services.WORKFLOW, report)]
    assert any(label.startswith("合并各单位稿件：上一年度推进法治政府建设存在的不足和原因") for label in labels) and "生成第1版" in labels
    # nothing new: said so, no new version; the merged text stays editable by the office
    with pytest.raises(TransitionNotAllowed, match="没有新的内容"):
        services.contributions_merge(report=report, actor=org.dave)
    services.contribution_save(report=report, part="shortcomings", unit=org.district, text="一是执法规范化水平仍需提高，复议纠错率偏高。", actor=org.dave)
    services.contribution_save(report=report, part="measures", unit=org.dept, text="开展食品安全普法进市场活动。\n建立行政执法案例指导制度。", actor=org.erin)
    v2 = services.contributions_merge(report=report, actor=org.dave)
    assert v2.number == 2
    # only the changed draft is merged again: the office's edit of the other part stands
    merged = {c.part: c.text for c in report.contributions.filter(unit=org.district)}
    assert merged == {"shortcomings": "一是执法规范化水平仍需提高，复议纠错率偏高。", "measures": "开展食品安全普法进市场活动。\n建立行政执法案例指导制度。"}
    assert "建立行政执法案例指导制度。" in str(v2.content) and "执法人员法律素养" not in str(v2.content)
