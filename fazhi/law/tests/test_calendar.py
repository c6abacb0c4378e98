"""Holiday schedules as data: the shipped files, imports, the admin, and recomputing deadlines."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import PASSWORD
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import DefinitionError, ImportFailed, PermissionDenied
from fazhi.law.clocks import clock_compute
from fazhi.law.models import HolidaySchedule
from fazhi.law.services import schedule_import, schedule_parse
from fazhi.law.workdays import calendar_build, current_calendar, file_schedules, package_schedules, schedule_from_text, schedule_to_yaml
from fazhi.registers.framework.services import matter_transition

DATA = Path(__file__).parent / "data"
TEST_2027 = DATA / "2027-test.yaml"


def test_shipped_schedule_files_agree_with_the_package() -> None:
    package = {s.year: s for s in package_schedules()}
    shipped = file_schedules()
    assert {s.year for s in shipped} >= {2025, 2026}
    for s in shipped:
        assert s.same_days(package[s.year]), s.source
        assert "节假日安排" in s.notice
        # the YAML written by `calendar export` reads back to the same days
        assert schedule_from_text(schedule_to_yaml(s), "x.yaml").same_days(s)


def test_a_notice_may_reach_into_the_previous_december() -> None:
    cal = calendar_build([*package_schedules()])
    assert cal.info(dt.date(2023, 12, 30)).reason == "元旦" and not cal.is_workday(dt.date(2023, 12, 30))
    replaced = calendar_build([*package_schedules(), schedule_from_text("year: 2024\nholidays:\n  - {name: 元旦, from: 2024-01-01}\n", "2024.yaml")])
    # 2024's own days are replaced; the day before (2023-12-31, listed by 2023's package year) stays
    assert replaced.is_workday(dt.date(2024, 2, 12)) and not replaced.is_workday(dt.date(2024, 1, 1))
    assert replaced.version != cal.version and replaced.version.startswith("2026-")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year: 2027\nholidays:\n  - {name: 元旦, from: 2027-01-01}\nmakeup_workdays: [2027-01-04]\n", "调休上班日 2027-01-04 不是周六或周日"),
        ("year: 2027\nholidays:\n  - {name: 元旦, from: 2027-02-30}\n", ":3: '2027-02-30' 不是有效日期"),
        ("year: 2027\nholidays:\n  - {name: 元旦, from: 2028-03-01}\n", "日期 2028-03-01 不属于 2027 年"),
        ("year: 2027\nholiday: []\n", ":2: 节假日安排 中有未知的键 'holiday'"),
        ("year: 2027\nholidays:\n  - {name: 元旦, from: 2027-01-01}\n  - {name: 元旦, from: 2027-01-01}\n", "2027-01-01 重复列出"),
        ("year: 2027\nholidays:\n  - {name: 春节, from: 2027-02-12, to: 2027-02-06}\n", "放假区间 2027-02-12–2027-02-06 无效"),
        ("year: 2027\nyear: 2028\nholidays: []\n", ":2: 重复的键 'year'"),
    ],
)
def test_bad_schedules_are_refused_naming_the_place(text: str, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        schedule_from_text(text, "2027.yaml")


def test_a_gbk_csv_schedule_reads_and_bad_rows_are_named() -> None:
    good = "日期,类型,名称,年度\n2027-01-01,放假,元旦,2027\n2027/1/2,放假,元旦,2027\n2027-02-20,调休上班,,2027\n".encode("gbk")
    s = schedule_parse(good, "安排.csv")
    assert s.year == 2027 and s.holidays[dt.date(2027, 1, 2)] == "元旦" and s.makeup_workdays == {dt.date(2027, 2, 20)}
    bad = "日期,类型,名称\n2027-01-01,放假,元旦\n2027-13-01,放假,元旦\n2027-01-04,休假,元旦\n2027-01-05,放假,\n".encode("gbk")
    with pytest.raises(ImportFailed) as exc:
        schedule_parse(bad, "安排.csv")
    assert exc.value.problems == [
        "第3行“日期”：'2027-13-01' 不是有效日期（YYYY-MM-DD）",
        "第4行“类型”：'休假' 应为“放假”或“调休上班”",
        "第5行“名称”：放假日期须写明节日名称",
    ]
    with pytest.raises(ImportFailed, match="YAML 文件应为 UTF-8 编码"):
        schedule_parse("year: 2027".encode("utf-16"), "x.yaml")


def _accept(case: Any, org: Any, day: str) -> None:
    matter_transition(matter=case, transition="accept", actor=org.bob, data={"accepted_on": day, "procedure": "ordinary"})
    # the respondent's copy and answer on the same day: the decision is the deadline that runs
    matter_transition(matter=case, transition="send_copy", actor=org.alice, data={"copy_sent_on": day})
    matter_transition(matter=case, transition="receive_answer", actor=org.alice, data={"answer_received_on": day, "evidence_submitted": True})
    case.refresh_from_db()


@pytest.mark.django_db
def test_adding_next_years_schedule_moves_exactly_the_deadlines_it_should(org: Any, make_case: Any) -> None:
    lands_on_new_years_day = make_case(received_on=dt.date(2026, 10, 30))
    _accept(lands_on_new_years_day, org, "2026-11-02")  # + 60 days = Friday 2027-01-01
    lands_on_a_saturday = make_case(received_on=dt.date(2026, 10, 30))
    _accept(lands_on_a_saturday, org, "2026-11-03")  # 2027-01-02 → Monday 2027-01-04 either way
    this_year = make_case(received_on=dt.date(2026, 8, 28))
    _accept(this_year, org, "2026-09-01")  # 2026-10-31 (Saturday) → 2026-11-02
    assert lands_on_new_years_day.due_on == dt.date(2027, 1, 1)
    assert lands_on_a_saturday.due_on == dt.date(2027, 1, 4)
    assert this_year.due_on == dt.date(2026, 11, 2)
    old_version = current_calendar().version
    assert lands_on_new_years_day.calendar_version == old_version
    assert clock_compute("reconsideration.decision", dt.date(2026, 11, 2)).provisional

    dry = io.StringIO()
    call_command("clock", "recompute", "--dry-run", stdout=dry, stderr=io.StringIO())
    assert "期限将变动 0 件" in dry.getvalue()

    out = io.StringIO()
    call_command("calendar", "import", str(TEST_2027), stdout=out)
    assert "已导入 2027 年节假日安排第1版（新增年度）：放假 10 天，调休上班 1 天" in out.getvalue()
    new_version = current_calendar().version
    assert new_version.startswith("2027-") and new_version != old_version
    assert not clock_compute("reconsideration.decision", dt.date(2026, 11, 2)).provisional

    dry = io.StringIO()
    call_command("clock", "recompute", "--dry-run", stdout=dry, stderr=io.StringIO())
    lands_on_new_years_day.refresh_from_db()
    assert lands_on_new_years_day.due_on == dt.date(2027, 1, 1)  # a dry run writes nothing

    out = io.StringIO()
    call_command("clock", "recompute", stdout=out, stderr=io.StringIO())
    lines = [line for line in out.getvalue().splitlines() if "\t" in line]
    expected = f"reconsideration\t{lands_on_new_years_day.case_number}\treconsideration.decision\t2027-01-01 → 2027-01-04"
    assert lines == [f"{expected}\t（{old_version} → {new_version}）"]
    assert f"日历版本 {new_version}：检查未办结事项 3 件，期限已变动 1 件" in out.getvalue()
    for case in (lands_on_new_years_day, lands_on_a_saturday, this_year):
        case.refresh_from_db()
        assert case.calendar_version == new_version  # every stored due date names its calendar
    assert lands_on_new_years_day.due_on == dt.date(2027, 1, 4)

    # Importing the same schedule again changes nothing; a correction is the next revision.
    again = io.StringIO()
    call_command("calendar", "import", str(TEST_2027), stdout=again)
    assert "与现行日历一致，未作更改" in again.getvalue()
    corrected = TEST_2027.read_text(encoding="utf-8").replace("元旦, from: 2027-01-01", "元旦, from: 2027-01-02")
    row, replaced = schedule_import(schedule_from_text(corrected, "2027-corrected.yaml"), actor=org.admin, source_name="2027-corrected.yaml")
    assert row is not None and row.revision == 2 and replaced is not None and replaced.source == "导入第1版"
    out = io.StringIO()
    call_command("clock", "recompute", stdout=out, stderr=io.StringIO())
    assert "2027-01-04 → 2027-01-01" in out.getvalue() and "期限已变动 1 件" in out.getvalue()

    # Both revisions are in the audit log, and the log verifies against the rows.
    checkpoint_take()
    leaves = AuditLeaf.objects.filter(source="holiday_schedule").order_by("index")
    assert list(leaves.values_list("source_id", flat=True)) == list(HolidaySchedule.objects.order_by("id").values_list("id", flat=True))
    assert audit_verify().ok


@pytest.mark.django_db
def test_only_an_administrator_adds_a_schedule_and_bad_files_change_nothing(org: Any, tmp_path: Path) -> None:
    schedule = schedule_from_text(TEST_2027.read_text(encoding="utf-8"), "2027.yaml")
    with pytest.raises(PermissionDenied):
        schedule_import(schedule, actor=org.dave)
    bad = tmp_path / "2027.csv"
    bad.write_bytes("日期,类型,名称\n2027-01-01,放假,元旦\n2027-01-05,调休上班,\n".encode("gbk"))
    with pytest.raises(CommandError, match=r"导入失败，未作任何更改：\n.*调休上班日 2027-01-05 不是周六或周日"):
        call_command("calendar", "import", str(bad), stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("calendar", "import", str(tmp_path / "none.yaml"), stdout=io.StringIO())
    assert HolidaySchedule.objects.count() == 0
    status = io.StringIO()
    call_command("calendar", "status", stdout=status)
    assert "已公布安排的年度：2004–2026" in status.getvalue() and "definitions/calendar/2026.yaml" in status.getvalue()


@pytest.mark.django_db
def test_the_admin_adds_a_revision_and_never_edits_one(org: Any) -> None:
    client = Client()
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    assert client.login(username="admin", password=PASSWORD)
    url = "/admin/law/holidayschedule/add/"
    holidays = "2027-01-01 至 2027-01-03 元旦\n2027-02-06~2027-02-12 春节"
    form = {"year": "2027", "notice": "测试", "holidays_text": holidays, "makeup_text": "2027-02-20", "note": ""}
    bad = client.post(url, {**form, "makeup_text": "2027-02-22"})
    assert bad.status_code == 200 and "调休上班日 2027-02-22 不是周六或周日" in bad.content.decode()
    bad = client.post(url, {**form, "holidays_text": "元旦 2027-01-01"})
    assert "放假日期第1行" in bad.content.decode()
    assert HolidaySchedule.objects.count() == 0
    response = client.post(url, form)
    assert response.status_code == 302
    row = HolidaySchedule.objects.get()
    assert (row.year, row.revision, len(row.holidays), row.makeup_workdays, row.created_by) == (2027, 1, 10, ["2027-02-20"], org.admin)
    assert current_calendar().info(dt.date(2027, 2, 8)).reason == "春节"
    change = f"/admin/law/holidayschedule/{row.pk}/change/"
    assert client.get(change).status_code == 200
    client.post(change, {"year": "2028", "notice": "x"})
    row.refresh_from_db()
    assert row.year == 2027
    assert client.post(f"/admin/law/holidayschedule/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert HolidaySchedule.objects.count() == 1
