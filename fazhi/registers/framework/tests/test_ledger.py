"""Spreadsheet ledgers: template, all-or-nothing import with row/column messages, idempotent
re-import, steps replayed through the services, export in the import layout, masking, scope."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from openpyxl import Workbook, load_workbook

from conftest import PASSWORD
from fazhi.core.errors import ImportFailed
from fazhi.registers.framework.clocks import matter_last_dues
from fazhi.registers.framework.ledger import ledger_columns, ledger_export, ledger_import
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import REGISTRY, register_get
from fazhi.registers.framework.services import matter_create
from fazhi.registers.reconsideration.models import ReconsiderationCase

pytestmark = pytest.mark.django_db

HEADER = ["办理单位编码", "案号", "收到日期", "申请人", "申请人类型", "被申请人", "被申请复议的行政行为", "申请方式", "证件号码"]
HEADER += ["受理日期", "审理程序", "决定日期", "决定类型", "决定理由", "办结日期"]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger_rows() -> list[list[Any]]:
    base = ["T-D-FY", None, None, "张三", "自然人", "东湖区市场监督管理局", "行政处罚决定", "当面递交", "420102198001011234"]
    return [
        # decided and served: accept, decide, close replayed
        [*base[:1], "东复〔2025〕3号", dt.date(2025, 3, 3), *base[3:], dt.date(2025, 3, 5), "普通程序", dt.date(2025, 4, 20), "维持", "", dt.date(2025, 4, 25)],
        # closed by mediation: the 调解结案 step, chosen by its outcome
        [*base[:1], "东复〔2025〕4号", "2025/3/10", *base[3:], "2025年3月12日", "普通程序", "2025-04-10", "调解结案", "", "2025-04-12"],
        # rejected at intake: no acceptance date, a decision with its reason
        [*base[:1], "东复〔2025〕5号", "2025-05-06", *base[3:], "", "", "2025-05-09", "", "不属于行政复议范围", ""],
        # still open: accepted only, the clock runs
        [*base[:1], "东复〔2025〕6号", "2025-09-29", *base[3:], "2025-09-30", "普通程序", "", "", "", ""],
    ]


def test_a_ledger_imports_through_the_procedure_and_reimports_as_a_no_op(org: Any) -> None:
    reg = register_get("reconsideration")
    result = ledger_import(reg=reg, data=xlsx(ledger_rows()), filename="2025台账.xlsx", actor=org.alice)
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    cases = {c.case_number: c for c in ReconsiderationCase.objects.all()}
    decided, mediated, rejected, running = (cases[f"东复〔2025〕{n}号"] for n in (3, 4, 5, 6))
    assert (decided.state, decided.outcome, decided.closed_on) == ("closed", "upheld", dt.date(2025, 4, 25))
    assert (mediated.state, mediated.outcome) == ("closed", "mediated")
    assert (rejected.state, rejected.accepted_on) == ("rejected_at_intake", None)
    # the copy to the respondent is the first deadline now (7 working days, 行政复议法 art.48)
    assert (running.state, running.due_rule, running.due_on) == ("accepted", "reconsideration.copy_to_respondent", dt.date(2025, 10, 16))
    assert matter_last_dues(running)["reconsideration.decision"] == dt.date(2025, 12, 1)  # 60 日 end on Saturday 11-29
    steps = list(MatterEvent.objects.filter(case_number="东复〔2025〕3号").order_by("id").values_list("transition", "note"))
    assert [s for s, _ in steps] == ["register", "accept", "decide", "close"]
    assert all("2025台账.xlsx 第2行" in note for _, note in steps)

    events = MatterEvent.objects.count()
    again = ledger_import(reg=reg, data=xlsx(ledger_rows()), filename="2025台账.xlsx", actor=org.alice)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert MatterEvent.objects.count() == events

    # the ledger gained a decision for the open case and corrected an applicant's name
    rows = ledger_rows()
    rows[3][11:15] = ["2025-11-20", "撤销", "", "2025-11-21"]
    rows[0][3] = "张叁"
    later = ledger_import(reg=reg, data=xlsx(rows), filename="2025台账-更新.xlsx", actor=org.alice)
    assert (later.created, later.updated, later.unchanged) == (0, 2, 2)
    running.refresh_from_db()
    assert (running.state, running.outcome) == ("closed", "set_aside")
    amendment = MatterEvent.objects.get(case_number="东复〔2025〕3号", transition="amend")
    assert (amendment.before, amendment.after) == ({"applicant_name": "张三"}, {"applicant_name": "张叁"})
    # numbers the system gives afterwards continue after the imported ones
    fresh = matter_create(
        register="reconsideration",
        unit=org.body,
        actor=org.alice,
        data={
            "received_on": dt.date(2025, 10, 9),
            "applicant_name": "李四",
            "applicant_type": "natural_person",
            "respondent_name": "x",
            "disputed_act": "y",
            "channel": "post",
        },
    )
    assert fresh.case_number == "东复〔2025〕7号"


def _problems(org: Any, data: bytes, filename: str = "bad.xlsx", actor: Any = None) -> list[str]:
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=register_get("reconsideration"), data=data, filename=filename, actor=actor or org.alice)
    assert not ReconsiderationCase.objects.exists() and not MatterEvent.objects.exists(), "nothing is half-written"
    return exc.value.problems


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(org: Any) -> None:
    rows = ledger_rows()
    rows[0][2] = "2025-02-30"  # impossible date
    rows[1][0] = "NOPE"  # unknown unit
    rows[2][4] = "外星人"  # not a party type
    rows[3][1] = "东复〔2025〕3号"  # same number as row 2
    problems = _problems(org, xlsx(rows))
    assert "第2行“收到日期”：无法识别日期“2025-02-30”，请写成 2025-03-01" in problems
    assert "第3行“办理单位编码”：找不到单位 NOPE" in problems
    assert any(p.startswith("第4行“申请人类型”：无法识别“外星人”") for p in problems)
    assert "第5行“案号”：东复〔2025〕3号 与第2行重复" in problems


def test_a_step_the_procedure_forbids_or_a_missing_earlier_step_is_an_error(org: Any) -> None:
    rows = ledger_rows()
    rows[0][11] = ""  # a decision type and a closing date, but no decision date
    rows[1][14] = "2025-03-01"  # closed before it was decided
    rows[2][9] = "2025-05-07"  # an acceptance date without the procedure it was accepted under
    problems = _problems(org, xlsx(rows))
    assert any(p.startswith("第2行“决定类型”：已填写，但按本行内容无法执行对应的步骤（案件此时的状态为“已受理”）") for p in problems), problems
    assert any(p.startswith("第2行“办结日期”：已填写，但") for p in problems), problems
    assert "第3行“办结日期”：不能早于决定日期（2025-04-10）" in problems
    assert "第4行“审理程序”：“审理程序”为必填项" in problems


def test_gbk_csv_wrong_columns_and_foreign_units_are_refused(org: Any) -> None:
    header = ",".join(HEADER)
    row = "T-D-FY,东复〔2025〕3号,2025-03-03,张三,自然人,东湖区市场监督管理局,行政处罚决定,当面递交,,2025-03-05,普通程序,2025-04-20,维持,,2025-04-25"
    assert _problems(org, f"{header},备注二\n{row},x\n".encode("gbk"), "台账.csv")[0].startswith("第1行（列名）：不认识的列“备注二”")
    assert _problems(org, xlsx([r[:3] for r in ledger_rows()], HEADER[:3]))[0].startswith("第1行（列名）：缺少必需的列")
    # erin is a clerk of a department, not of the reconsideration body
    assert _problems(org, xlsx(ledger_rows()[:1]), actor=org.erin) == [
        "第2行“办理单位编码”：您在东湖区行政复议办公室没有经办、审核或负责人角色，不能导入该单位的台账"
    ]
    # the same row, GBK-encoded as Excel saves CSV on Chinese Windows, imports
    assert ledger_import(reg=register_get("reconsideration"), data=f"{header}\n{row}\n".encode("gbk"), filename="台账.csv", actor=org.alice).created == 1
    assert ReconsiderationCase.objects.get().applicant_name == "张三"


def test_the_command_shows_progress_and_lists_every_error(org: Any, tmp_path: Path) -> None:
    good = tmp_path / "台账.xlsx"
    good.write_bytes(xlsx(ledger_rows()))
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "reconsideration", str(good), stdout=out, stderr=err)
    assert "新增 4 条" in out.getvalue() and "导入行政复议台账" in err.getvalue()
    rows = ledger_rows()
    rows[0][1], rows[0][2] = "东复〔2025〕9号", "not a date"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(rows))
    with pytest.raises(CommandError, match="第2行“收到日期”：无法识别日期"):
        call_command("import", "reconsideration", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert not ReconsiderationCase.objects.filter(case_number="东复〔2025〕9号").exists()
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("import", "reconsideration", str(good), "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_export_is_the_import_layout_scoped_to_the_user_and_masked_for_publication(org: Any) -> None:
    ledger_import(reg=register_get("reconsideration"), data=xlsx(ledger_rows()), filename="t.xlsx", actor=org.alice)
    client = Client()
    client.login(username="alice", password=PASSWORD)
    response = client.get("/r/reconsideration/export.xlsx", {"state": "closed"})
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == [c.header for c in ledger_columns(register_get("reconsideration"))]
    assert sorted(r[1] for r in rows[1:]) == ["东复〔2025〕3号", "东复〔2025〕4号"]  # the filter holds
    first = dict(zip(header, rows[1], strict=True))
    assert (first["申请人"], first["证件号码"], first["决定类型"], first["申请人类型"]) == ("张三", "420102198001011234", "维持", "自然人")
    public = load_workbook(io.BytesIO(client.get("/r/reconsideration/export.xlsx", {"publish": "1"}).content)).active
    assert public is not None
    public_rows = [dict(zip(header, r, strict=True)) for r in list(public.iter_rows(values_only=True))[1:]]
    assert {r["申请人"] for r in public_rows} == {"张*"} and {r["证件号码"] for r in public_rows} == {"4201**********1234"}
    # the export imports back as a no-op
    again = ledger_import(reg=register_get("reconsideration"), data=response.content, filename="export.xlsx", actor=org.alice)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    client.login(username="frank", password=PASSWORD)  # another district's clerk
    other = load_workbook(io.BytesIO(client.get("/r/reconsideration/export.xlsx").content)).active
    assert other is not None and other.max_row == 1


def test_the_web_import_page_template_and_permissions(org: Any) -> None:
    client = Client()
    client.login(username="alice", password=PASSWORD)
    template = load_workbook(io.BytesIO(client.get("/r/reconsideration/template.xlsx").content))
    assert template.sheetnames == ["行政复议", "填写说明"]
    bad = ledger_rows()
    bad[0][2] = "2025-13-01"
    page = client.post("/r/reconsideration/import/", {"file": _upload(xlsx(bad))})
    assert page.status_code == 200 and "第2行“收到日期”：无法识别日期“2025-13-01”" in page.content.decode()
    with override_settings(FAZHI_LEDGER_WEB_ROWS=3):  # a file longer than the page takes: refused, nothing read or written
        page = client.post("/r/reconsideration/import/", {"file": _upload(xlsx(ledger_rows()))}).content.decode()
    assert "台账有 4 行数据，网页上一次最多导入 3 行" in page and "分批导入" in page and not ReconsiderationCase.objects.exists()
    response = client.post("/r/reconsideration/import/", {"file": _upload(xlsx(ledger_rows()))})
    assert response.status_code == 302 and ReconsiderationCase.objects.count() == 4
    client.logout()
    assert client.get("/r/reconsideration/import/").status_code == 302  # login first
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("nobody", password=PASSWORD)
    client.login(username="nobody", password=PASSWORD)
    assert client.get("/r/reconsideration/import/").status_code == 404
    assert client.post("/r/reconsideration/import/", {"file": _upload(xlsx(ledger_rows()))}).status_code == 404
    other_import = Client(enforce_csrf_checks=True)
    other_import.login(username="alice", password=PASSWORD)
    assert other_import.post("/r/reconsideration/import/", {"file": _upload(xlsx(ledger_rows()))}).status_code == 403  # forged: no CSRF token


def _upload(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.xlsx", content)


def test_every_register_has_a_usable_ledger_layout() -> None:
    for reg in REGISTRY.values():
        headers = [c.header for c in ledger_columns(reg)]
        assert len(headers) == len(set(headers)), f"{reg.name}: duplicate column names"
        assert ledger_export(reg, [])  # an empty list still gives a workbook with the header


def test_a_mediator_is_found_within_the_committee_of_the_row(org: Any) -> None:
    from fazhi.registers.mediation.models import MediationCase, MediationCommittee, Mediator

    mine = MediationCommittee.objects.create(name="市监调委会", level="sector", unit=org.dept)
    other = MediationCommittee.objects.create(name="别处调委会", level="sector", unit=org.dept)
    Mediator.objects.create(committee=mine, name="周调解")
    Mediator.objects.create(committee=other, name="周调解")
    header = ["办理单位编码", "案号", "受理日期", "人民调解委员会", "主持调解员", "纠纷类型", "纠纷来源", "申请方当事人", "对方当事人", "纠纷简要情况"]
    header += ["调解终结日期", "调解结果", "回访日期", "协议履行情况"]
    row = ["T-D-SJ", "市监调〔2025〕1号", "2025-06-02", "市监调委会", "周调解", "消费纠纷", "当事人申请", "钱一", "某商店", "退货纠纷"]
    row += ["2025-06-10", "达成书面调解协议", "2025-07-10", "已履行"]
    result = ledger_import(reg=register_get("mediation"), data=xlsx([row], header), filename="调解.xlsx", actor=org.erin)
    assert result.created == 1
    case = MediationCase.objects.get()
    assert case.mediator is not None and case.mediator.committee == mine
    assert (case.state, case.outcome, case.performance) == ("closed", "written_agreement", "performed")


def test_a_case_number_held_by_another_unit_is_refused_without_naming_a_unit_the_user_may_not_see(org: Any) -> None:
    reg = register_get("reconsideration")
    ledger_import(reg=reg, data=xlsx(ledger_rows()[:1]), filename="东湖.xlsx", actor=org.alice)
    row = ["T-X-FY", *ledger_rows()[0][1:]]  # 西山's clerk types 东湖's case number
    with pytest.raises(ImportFailed) as caught:
        ledger_import(reg=reg, data=xlsx([row]), filename="西山.xlsx", actor=org.frank)
    message = "".join(caught.value.problems)
    assert "第2行“案号”" in message and "已被使用" in message
    assert org.body.name not in message and "东湖" not in message.replace("东复〔2025〕3号", "")
    assert ReconsiderationCase.objects.filter(unit=org.other_body).count() == 0
    # an administrator (who sees every unit) is told which unit holds it
    with pytest.raises(ImportFailed) as caught:
        ledger_import(reg=reg, data=xlsx([row]), filename="西山.xlsx", actor=org.admin)
    assert org.body.name in "".join(caught.value.problems)
