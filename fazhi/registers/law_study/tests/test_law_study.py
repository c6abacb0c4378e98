"""学法 and 述法: the records, their validation and audit, import/export, the staff page and its
permissions, and the figures the seed reports cite."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import ImportFailed, PermissionDenied, ValidationFailed
from fazhi.indicators.catalogue import catalogue
from fazhi.indicators.engine import Computation, Period, trace
from fazhi.registers.framework.ledger import xlsx_bytes
from fazhi.registers.law_study import services
from fazhi.registers.law_study.importers import IMPORTS, export_rows
from fazhi.registers.law_study.models import LawExam, LawReport, StudyEvent, StudySession

pytestmark = pytest.mark.django_db


def session(**overrides: Any) -> dict[str, Any]:
    data = {
        "held_on": dt.date(2025, 3, 12),
        "body": "executive_meeting",
        "topic": "学习新修订的《行政复议法》",
        "laws": "《中华人民共和国行政复议法》",
        "speaker": "区司法局局长",
        "attendees": 18,
        "hours": Decimal("1.5"),
    }
    return data | overrides


def exam(**overrides: Any) -> dict[str, Any]:
    return {
        "year": 2025,
        "name": "王某",
        "post": "副区长",
        "group": "leader",
        "taken": True,
        "score": Decimal("86"),
        "held_on": dt.date(2025, 11, 20),
    } | overrides


def report(**overrides: Any) -> dict[str, Any]:
    data = {
        "year": 2025,
        "name": "李某",
        "post": "区长",
        "role": "government",
        "reported_on": dt.date(2026, 1, 15),
        "audience": "区委全面依法治区委员会第五次会议",
        "form": "meeting",
        "rating": "good",
        "evaluated_on": dt.date(2026, 1, 15),
    }
    return data | overrides


def test_a_session_is_recorded_once_with_its_event_and_audit_leaf_and_a_change_is_logged(org: Any) -> None:
    leaves = AuditLeaf.objects.count()
    s, outcome = services.session_record(unit=org.district, actor=org.dave, data=session())
    assert outcome == "created" and s.get_body_display() == "政府常务会议会前学法"
    assert services.session_record(unit=org.district, actor=org.dave, data=session())[1] == "unchanged"
    assert services.session_record(unit=org.district, actor=org.dave, data=session(attendees=20))[1] == "changed"
    s.refresh_from_db()
    assert s.attendees == 20 and StudySession.objects.count() == 1
    events = list(StudyEvent.objects.filter(kind="session", record_id=s.pk).values_list("action", flat=True))
    assert events == ["created", "changed"] and AuditLeaf.objects.count() == leaves + 2
    checkpoint_take()
    assert audit_verify().ok


def test_a_record_changed_or_deleted_in_the_database_is_found_by_audit_verify(org: Any) -> None:
    """The rows are checked against their change rows, not only the change rows against the log."""
    s, _ = services.session_record(unit=org.district, actor=org.dave, data=session())
    law_report, _ = services.report_record(unit=org.district, actor=org.dave, data=report())
    checkpoint_take()
    assert audit_verify().ok
    StudySession.objects.filter(pk=s.pk).update(attendees=999)
    LawReport.objects.filter(pk=law_report.pk).delete()
    problems = audit_verify().problems
    assert any(f"#{s.pk}" in p and "参加人数" in p for p in problems)
    assert any(f"#{law_report.pk} 已被删除" in p for p in problems)
    assert not any("999" in p for p in problems)  # field names, never values


def test_bad_session_input_is_refused_naming_the_field_and_nothing_is_written(org: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.session_record(unit=org.district, actor=org.dave, data=session(attendees=0, topic="", held_on=dt.date(2099, 1, 1)))
    assert set(exc.value.errors) == {"attendees", "topic", "held_on"}
    assert "参加人数应为正整数" in exc.value.errors["attendees"][0] and "不能晚于今天" in exc.value.errors["held_on"][0]
    # a department holds no 政府常务会议
    with pytest.raises(ValidationFailed) as exc:
        services.session_record(unit=org.dept, actor=org.erin, data=session())
    assert "不召开政府常务会议" in exc.value.errors["body"][0]
    assert not StudySession.objects.exists() and not StudyEvent.objects.exists()


def test_only_the_units_people_may_record_and_no_one_across_districts(org: Any) -> None:
    services.session_record(unit=org.dept, actor=org.erin, data=session(body="central_group"))
    with pytest.raises(PermissionDenied, match="东湖区人民政府"):
        services.session_record(unit=org.district, actor=org.erin, data=session())
    with pytest.raises(PermissionDenied):
        services.report_record(unit=org.dept, actor=org.frank, data=report())
    assert StudySession.objects.count() == 1 and not LawReport.objects.exists()


def test_an_exam_passes_at_the_regions_mark_and_an_absent_person_has_no_score(org: Any) -> None:
    assert services.exam_record(unit=org.dept, actor=org.erin, data=exam(score=Decimal("60")))[0].passed
    failed, _ = services.exam_record(unit=org.dept, actor=org.erin, data=exam(name="赵某", score=Decimal("59.5")))
    assert not failed.passed
    absent, _ = services.exam_record(unit=org.dept, actor=org.erin, data=exam(name="钱某", taken=False, score=None, held_on=None))
    assert not absent.passed and absent.held_on == dt.date(2025, 12, 31)
    with pytest.raises(ValidationFailed) as exc:
        services.exam_record(unit=org.dept, actor=org.erin, data=exam(name="孙某", taken=False))
    assert exc.value.errors["score"] == ["未参加考试的不应有成绩"]
    with pytest.raises(ValidationFailed) as exc:
        services.exam_record(unit=org.dept, actor=org.erin, data=exam(name="孙某", score=Decimal("120"), held_on=dt.date(2024, 5, 1)))
    assert set(exc.value.errors) == {"score", "held_on"}
    assert LawExam.objects.count() == 3


def test_a_leader_due_to_report_and_the_rules_of_a_report(org: Any) -> None:
    due, _ = services.report_record(unit=org.district, actor=org.dave, data=report(reported_on=None, audience="", form="", rating="", evaluated_on=None))
    assert due.reported_on is None and due.counted_on == dt.date(2025, 12, 31)
    done, outcome = services.report_record(unit=org.district, actor=org.dave, data=report())
    assert outcome == "changed" and done.pk == due.pk and done.get_rating_display() == "好"
    with pytest.raises(ValidationFailed) as exc:
        services.report_record(unit=org.district, actor=org.dave, data=report(name="周某", reported_on=None, form=""))
    assert "应填写述法日期" in exc.value.errors["reported_on"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.report_record(unit=org.district, actor=org.dave, data=report(name="吴某", reported_on=dt.date(2027, 1, 1), rating="excellent"))
    assert set(exc.value.errors) >= {"reported_on", "rating"}
    assert LawReport.objects.count() == 1


def _csv(rows: list[list[Any]]) -> bytes:
    return "\n".join(",".join(str(c) for c in r) for r in rows).encode("utf-8")


def test_import_is_all_or_nothing_with_row_and_column_and_reimport_is_a_no_op(org: Any) -> None:
    spec = IMPORTS["law_study_sessions"]
    head = spec.header()
    good = [org.district.code, "2025-03-12", "政府常务会议会前学法", "学习《行政复议法》", "《行政复议法》", 18, "张教授", 2]
    bad = [
        [org.dept.code, "2025-04-01", "党委（党组）理论学习中心组学法", "学习《民法典》", "《民法典》", "很多", "", ""],
        [org.dept.code, "2025/13/40", "座谈", "学习", "《宪法》", 10, "", ""],
        ["NOPE", "2025-04-01", "法治专题讲座", "讲座", "《宪法》", 10, "", ""],
    ]
    with pytest.raises(ImportFailed) as exc:
        spec.run(data=_csv([head, good, *bad]), filename="x.csv", actor=org.dave)
    problems = exc.value.problems
    assert "第3行“参加人数”：“很多”不是整数" in problems
    assert "第4行“学法日期”：无法识别日期“2025/13/40”，请写成 2025-03-01" in problems
    assert any(p.startswith("第4行“学法形式”：学法形式应为") for p in problems) is False  # an unreadable row stops at its first problems
    assert "第5行“单位编码”：找不到单位 NOPE" in problems
    assert not StudySession.objects.exists() and not StudyEvent.objects.exists()
    with pytest.raises(ImportFailed) as exc:
        spec.run(data=_csv([head, [org.dept.code, "2025-04-01", "座谈", "学习", "《宪法》", 10, "", ""]]), filename="x.csv", actor=org.dave)
    assert exc.value.problems[0].startswith("第2行“学法形式”：学法形式应为政府常务会议会前学法、")
    # a clerk of one department may not import another unit's records
    with pytest.raises(ImportFailed) as exc:
        spec.run(data=_csv([head, good]), filename="x.csv", actor=org.erin)
    assert exc.value.problems == ["第2行：您在东湖区人民政府没有登记学法活动的权限"]
    result = spec.run(data=_csv([head, good]), filename="x.csv", actor=org.dave)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    exported = xlsx_bytes([("学法活动", export_rows(spec, StudySession.objects.all()))])
    again = spec.run(data=exported, filename="x.xlsx", actor=org.dave)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert StudyEvent.objects.count() == 1


def test_exams_and_reports_import_and_export_in_the_same_layout(org: Any) -> None:
    exams = IMPORTS["law_exams"]
    rows = [
        exams.header(),
        [org.dept.code, 2025, "王某", "是", "局长", "领导干部", 90, "2025-11-20"],
        [org.dept.code, 2025, "赵某", "否", "科员", "其他国家工作人员", "", ""],
    ]
    assert exams.run(data=_csv(rows), filename="e.csv", actor=org.erin).created == 2
    assert export_rows(exams, LawExam.objects.order_by("name"))[1:] == [
        [org.dept.code, 2025, "王某", "是", "局长", "领导干部", 90, "2025-11-20"],
        [org.dept.code, 2025, "赵某", "否", "科员", "其他国家工作人员", "", "2025-12-31"],
    ]
    reports = IMPORTS["law_reports"]
    rows = [
        reports.header(),
        [org.district.code, 2025, "李某", "区长", "政府（部门）主要负责人", "2026-01-15", "区委全面依法治区委员会会议", "会议现场述法", "较好", "2026-01-20"],
    ]
    assert reports.run(data=_csv(rows), filename="r.csv", actor=org.dave).created == 1
    assert LawReport.objects.get().rating == "fair_good"
    with pytest.raises(ImportFailed) as exc:
        reports.run(data=_csv([reports.header(), [org.district.code, 2025, "周某", "", "书记", "", "", "", "", ""]]), filename="r.csv", actor=org.dave)
    assert "第2行“职务”：请填写职务" in exc.value.problems and any(p.startswith("第2行“述法主体”：述法主体应为") for p in exc.value.problems)


@pytest.fixture
def year_2025(org: Any) -> None:
    """东湖区 2025: 3 集中学法 + a training of 120; 4 enrolled in the exam, 3 sat, 2 passed; 3 leaders due, 2 reported."""
    services.session_record(unit=org.district, actor=org.dave, data=session())
    services.session_record(unit=org.district, actor=org.dave, data=session(body="central_group", held_on=dt.date(2025, 6, 3), attendees=25))
    services.session_record(unit=org.dept, actor=org.erin, data=session(body="central_group", held_on=dt.date(2025, 9, 3), attendees=9))
    services.session_record(unit=org.dept, actor=org.erin, data=session(body="training", topic="行政执法三项制度培训", attendees=120, hours=Decimal("6")))
    services.session_record(unit=org.district, actor=org.dave, data=session(held_on=dt.date(2024, 12, 3)))  # last year
    for name, taken, score in [("甲", True, Decimal("92")), ("乙", True, Decimal("71")), ("丙", True, Decimal("40")), ("丁", False, None)]:
        services.exam_record(unit=org.dept, actor=org.erin, data=exam(name=name, taken=taken, score=score, held_on=None))
    services.report_record(unit=org.district, actor=org.dave, data=report())
    services.report_record(unit=org.dept, actor=org.erin, data=report(name="陈某", post="局长", rating="", evaluated_on=None))
    services.report_record(
        unit=org.dept,
        actor=org.erin,
        data=report(name="林某", post="副局长", role="member", reported_on=None, audience="", form="", rating="", evaluated_on=None),
    )
    services.session_record(unit=org.other_district, actor=None, data=session())


def test_the_figures_the_seeds_cite_are_computed_and_traced(org: Any, year_2025: None) -> None:
    codes = [c for c in catalogue() if c.startswith("xf.")]
    v = Computation(Period.year(2025), codes).values([org.district.pk, org.other_district.pk])
    d = org.district.pk
    assert v["xf.sessions"][d].value == 3 and v["xf.executive_meeting"][d].value == 1 and v["xf.central_group"][d].value == 2
    assert v["xf.sessions.yoy"][d].previous == 1
    assert v["xf.attendance"][d].value == 18 + 25 + 9
    assert v["xf.trainings"][d].value == 1 and v["xf.trained"][d].value == 120
    assert v["xf.examined"][d].value == 3 and v["xf.examined_leaders"][d].value == 3
    rate = v["xf.exam_participation"][d]
    assert (rate.numerator, rate.denominator) == (3, 4)
    rate = v["xf.exam_pass_rate"][d]
    assert (rate.numerator, rate.denominator) == (2, 3)
    assert v["xf.reported"][d].value == 2 and v["xf.reported_principals"][d].value == 2
    rate = v["xf.report_coverage"][d]
    assert (rate.numerator, rate.denominator) == (2, 3)
    rate = v["xf.report_good_rate"][d]
    assert (rate.numerator, rate.denominator) == (1, 1)
    assert v["xf.sessions"][org.other_district.pk].value == 1
    rows = trace(catalogue()["xf.report_coverage"], org.district, Period.year(2025))
    assert sorted(rows["numerator"].values_list("name", flat=True)) == ["李某", "陈某"]


def _client(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def test_the_page_shows_each_user_only_the_records_of_their_units(org: Any, year_2025: None) -> None:
    assert Client().get("/xuefa/").status_code == 302
    page = _client("dave").get("/xuefa/", {"year": 2025}).content.decode()
    assert "学习新修订的《行政复议法》" in page and "行政执法三项制度培训" in page and "共 4 次学法活动" in page
    mine = _client("erin").get("/xuefa/", {"year": 2025, "tab": "law_exams"}).content.decode()
    assert "应考 4 人，参加考试 3 人，合格 2 人" in mine and "合格分数 60 分" in mine
    reports = _client("erin").get("/xuefa/", {"year": 2025, "tab": "law_reports"}).content.decode()
    assert "陈某" in reports and "李某" not in reports and "尚未述法" in reports
    other = _client("frank").get("/xuefa/", {"year": 2025}).content.decode()
    assert "学习新修订的《行政复议法》" not in other and 'id="record-form"' not in other  # frank is a clerk of a section, not a government or department
    export = _client("erin").get("/xuefa/law_reports/export.xlsx", {"year": 2025})
    assert export.status_code == 200
    from fazhi.core.tabular import read_table

    names = [r["姓名"] for _n, r in read_table(export.content, "x.xlsx", required=["姓名"]).rows]
    assert sorted(names) == ["林某", "陈某"]
    assert _client("erin").get("/xuefa/nothing/export.xlsx").status_code == 404
    assert _client("erin").get("/xuefa/law_exams/template.xlsx").status_code == 200


def test_the_page_records_refuses_naming_the_field_and_imports(org: Any) -> None:
    c = _client("erin")
    form = {"unit": org.dept.pk, "held_on": "2025-05-06", "body": "central_group", "topic": "学习《民法典》", "laws": "《民法典》", "attendees": "12"}
    r = c.post("/xuefa/?tab=law_study_sessions&year=2025", form)
    assert r.status_code == 302 and StudySession.objects.get().unit == org.dept
    r = c.post("/xuefa/?tab=law_study_sessions&year=2025", form | {"body": "executive_meeting", "topic": "另一次"})
    assert "政府常务会议会前学法只能由县级以上人民政府登记" in r.content.decode() and StudySession.objects.count() == 1
    r = c.post("/xuefa/?tab=law_study_sessions&year=2025", form | {"attendees": "abc", "topic": "再一次"})
    assert "参加人数" in r.content.decode() and StudySession.objects.count() == 1
    # a unit outside the user's reach is not a choice of the form
    r = c.post("/xuefa/?tab=law_study_sessions&year=2025", form | {"unit": org.district.pk, "topic": "越权"})
    assert "单位" in r.content.decode() and StudySession.objects.count() == 1
    # someone with no unit to record for cannot post at all
    assert _client("frank").post("/xuefa/?tab=law_study_sessions", form).status_code == 404
    upload = io.BytesIO(_csv([IMPORTS["law_exams"].header(), [org.dept.code, 2025, "王某", "是", "局长", "领导干部", 90, "2025-11-20"]]))
    upload.name = "e.csv"
    r = c.post("/xuefa/law_exams/import/?year=2025", {"file": upload}, follow=True)
    assert "导入完成：新增 1 条" in r.content.decode() and LawExam.objects.get().passed
    bad = io.BytesIO(_csv([IMPORTS["law_exams"].header(), [org.dept.code, 2025, "赵某", "也许", "", "", "", ""]]))
    bad.name = "e.csv"
    r = c.post("/xuefa/law_exams/import/?year=2025", {"file": bad}, follow=True)
    assert "第2行“参加考试”：应填“是”或“否”" in r.content.decode() and LawExam.objects.count() == 1


def test_units_below_the_regions_minimum_of_sessions_are_shown(org: Any) -> None:
    services.session_record(unit=org.district, actor=org.dave, data=session())
    page = _client("dave").get("/xuefa/", {"year": 2025}).content.decode()
    assert "未达到最低学法次数的单位" in page
    assert "东湖区人民政府（政府常务会议会前学法 1/2 次）" in page and "东湖区人民政府（党委（党组）理论学习中心组学法 0/2 次）" in page
    assert "东湖区市场监督管理局（党委（党组）理论学习中心组学法 0/2 次）" in page and "东湖区市场监督管理局（政府常务会议" not in page


def test_the_annual_report_opens_its_measures_with_the_study_and_report_figures(org: Any, year_2025: None) -> None:
    from fazhi.reports.generator import generate

    _title, parts = generate("fzzf", org.district, 2025)
    first = parts[0].paragraphs[0]
    assert first.topic == "学法用法和述法"
    assert first.text.startswith("2025年，全区落实领导干部学法制度，开展集中学法3次（上年同期1次，上年基数过小，不宜比较），")
    assert "其中政府常务会议会前学法1次、党委（党组）理论学习中心组学法2次；" in first.text
    assert "举办法治讲座和法治培训1场次，参加人员120人次。" in first.text
    assert "组织学法考试，参加考试3人，参考率75%（仅4件，样本较少），合格率66.7%（仅3件，样本较少）。" in first.text
    assert first.text.endswith("领导干部述法2人，其中党政主要负责人2人，述法覆盖率66.7%（仅3件，样本较少）。")
    assert {f.code for f in first.figures} >= {"xf.sessions", "xf.exam_pass_rate", "xf.report_coverage"}
    _title, parts = generate("fzzf", org.other_district, 2024)
    assert parts[0].paragraphs[0].text == "2024年，未登记领导干部集中学法活动。"


def test_the_command_line_imports_the_ledgers_all_or_nothing(org: Any, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    reports = IMPORTS["law_reports"]
    good = tmp_path / "述法.csv"
    good.write_bytes(
        _csv(
            [
                reports.header(),
                [org.district.code, 2025, "李某", "区长", "政府（部门）主要负责人", "2026-01-15", "区委全面依法治区委员会会议", "书面述法", "", ""],
            ]
        )
    )
    out = io.StringIO()
    call_command("import", "law_reports", str(good), stdout=out, stderr=io.StringIO())
    assert "导入完成：新增 1 条" in out.getvalue() and LawReport.objects.get().form == "written"
    bad = tmp_path / "考试.csv"
    bad.write_bytes(
        _csv([IMPORTS["law_exams"].header(), [org.dept.code, 2025, "王某", "是", "", "", 90, ""], [org.dept.code, 2025, "赵某", "是", "", "", "", ""]])
    )
    with pytest.raises(CommandError, match="第3行“成绩”：参加考试的应填写成绩"):
        call_command("import", "law_exams", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert not LawExam.objects.exists()
