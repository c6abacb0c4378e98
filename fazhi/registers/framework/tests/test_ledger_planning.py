"""A ledger import plans every row by the services' own step procedure on matter objects in
memory, then writes the plan in one short transaction (ledger.py, bulk.written_replay): a
register whose checks read its other matters sees the file's rows before (planned again with the
rows written, in chunks on SQLite), the office keeps writing while a file is checked, and a
matter changed in between refuses the import."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from conftest import application
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import ImportFailed
from fazhi.registers.framework import ledger
from fazhi.registers.framework.ledger import ledger_import
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.search import matters_search
from fazhi.registers.framework.services import matter_amend, matter_create
from fazhi.registers.framework.tests.test_ledger import ledger_rows, xlsx
from fazhi.registers.proposals.models import Proposal
from fazhi.registers.reconsideration.models import ReconsiderationCase

PROPOSAL_HEADER = ["办理单位编码", "案号", "交办日期", "类别", "届次会议", "建议（提案）编号", "标题", "领衔代表（委员）", "答复日期", "办理结果分类"]


def proposal_row(number: str, proposal_number: int, title: str) -> list[Any]:
    return ["T-D-FY", number, "2025-03-20", "人大代表建议", "区十七届人大四次会议", proposal_number, title, "王代表", "", ""]


@pytest.mark.django_db
def test_each_chunk_is_planned_after_the_rows_before_it(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger, "PLAN_SECONDS", 0.0)  # every row its own planning transaction
    monkeypatch.setattr(ledger, "PLAN_PAUSE", 0.0)
    reg = register_get("proposals")
    rows = [proposal_row("建〔2025〕1号", 11, "关于增设公交站点的建议"), proposal_row("建〔2025〕2号", 11, "关于路灯维修的建议")]
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=reg, data=xlsx(rows, PROPOSAL_HEADER), filename="建议.xlsx", cli=True)
    # the second row is refused by the register's own check, as if the first had been written
    assert any(p.startswith("第3行“建议（提案）编号”：本单位已登记过该会议的第 11 号") for p in exc.value.problems), exc.value.problems
    assert not Proposal.objects.exists() and not MatterEvent.objects.exists()

    rows[1][5] = 12
    rows.append(proposal_row("建〔2025〕3号", 13, "关于校园周边交通的建议"))
    result = ledger_import(reg=reg, data=xlsx(rows, PROPOSAL_HEADER), filename="建议.xlsx", cli=True)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert sorted(Proposal.objects.values_list("proposal_number", flat=True)) == ["11", "12", "13"]
    # the rows, their events, the audit leaves and the search rows are all written
    assert MatterEvent.objects.filter(register="proposals", transition="register").count() == 3
    assert [m.case_number for m in matters_search(Proposal.objects.all(), reg, "路灯")] == ["建〔2025〕2号"]
    checkpoint_take()
    report = audit_verify()
    assert report.ok and report.size == MatterEvent.objects.count(), report.problems


@pytest.mark.django_db
def test_a_matter_changed_between_planning_and_writing_refuses_the_import(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    reg = register_get("reconsideration")
    ledger_import(reg=reg, data=xlsx(ledger_rows()), filename="2025台账.xlsx", actor=org.alice)
    rows = ledger_rows()
    rows[3][11:15] = ["2025-11-20", "撤销", "", "2025-11-21"]  # the open case gets its decision
    rows.append(["T-D-FY", "东复〔2025〕9号", "2025-10-09", *rows[0][3:9], "", "", "", "", "", ""])
    check = ledger._changed_meanwhile

    def someone_else_works_first(reg: Any, planned: Any) -> list[str]:
        # a reviewer corrects the open case, and a clerk registers number 9, while the file is checked
        running = ReconsiderationCase.objects.get(case_number="东复〔2025〕6号")
        matter_amend(matter=running, actor=org.alice, changes={"applicant_name": "张叁"}, reason="笔误")
        matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(), imported_number="东复〔2025〕9号")
        return check(reg, planned)

    monkeypatch.setattr(ledger, "_changed_meanwhile", someone_else_works_first)
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=reg, data=xlsx(rows), filename="2025台账-更新.xlsx", actor=org.alice)
    assert exc.value.problems == [
        "第5行：案件 东复〔2025〕6号 在导入过程中被他人办理或更正，请重新导入该文件",
        "第6行“案号”：案号 东复〔2025〕9号 在导入过程中已被他人登记，请核对后重新导入",
    ]
    assert ReconsiderationCase.objects.get(case_number="东复〔2025〕6号").state == "accepted"
    assert not MatterEvent.objects.filter(case_number="东复〔2025〕6号", transition="decide").exists()


@pytest.mark.django_db
def test_a_case_number_registered_while_the_write_is_made_ready_refuses_the_whole_file(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The final write is made ready outside any transaction (values converted, ids reserved,
    leaves hashed); a clerk registers one of the file's case numbers meanwhile. The write's
    transaction re-checks: the whole file is refused, the row and column named, nothing of it
    written, and the log verifies. Where the re-check ran before the clerk's commit (PostgreSQL,
    read committed), the unique index refuses the insert and the refusal reads the same."""
    reg = register_get("reconsideration")
    prepare, check = ledger.written_prepare, ledger._changed_meanwhile
    taken: list[str] = []
    checks: list[list[str]] = []

    def clerk_registers_meanwhile(*args: Any, **kwargs: Any) -> Any:
        plan = prepare(*args, **kwargs)
        matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(), imported_number=taken[-1])
        return plan

    def recheck_before_the_clerks_commit(reg: Any, planned: Any) -> list[str]:
        checks.append(check(reg, planned))
        return [] if len(checks) == 1 else checks[-1]  # the first saw nothing: the insert goes ahead

    def refused(rows: list[list[Any]], number: str) -> list[str]:
        taken.append(number)
        events = set(MatterEvent.objects.values_list("pk", flat=True))
        with pytest.raises(ImportFailed) as exc:
            ledger_import(reg=reg, data=xlsx(rows), filename="2025台账.xlsx", actor=org.alice)
        # nothing of the file: the clerk's cases and their registrations alone
        assert sorted(ReconsiderationCase.objects.values_list("case_number", flat=True)) == sorted(taken)
        assert {e.case_number for e in MatterEvent.objects.exclude(pk__in=events)} == {number}
        assert MatterEvent.objects.exclude(pk__in=events).count() == 1
        checkpoint_take()
        report = audit_verify()
        assert report.ok and report.size == MatterEvent.objects.count(), report.problems
        return exc.value.problems

    monkeypatch.setattr(ledger, "written_prepare", clerk_registers_meanwhile)
    rows = ledger_rows()
    assert refused(rows, "东复〔2025〕5号") == ["第4行“案号”：案号 东复〔2025〕5号 在导入过程中已被他人登记，请核对后重新导入"]
    # the file without that row; the re-check runs before the clerk's registration commits
    monkeypatch.setattr(ledger, "_changed_meanwhile", recheck_before_the_clerks_commit)
    message = "第4行“案号”：案号 东复〔2025〕6号 在导入过程中已被他人登记，请核对后重新导入"
    assert refused([r for r in rows if r[1] != "东复〔2025〕5号"], "东复〔2025〕6号") == [message]
    assert checks == [[message], [message]]  # the second: the unique index refused the insert


@pytest.mark.django_db(transaction=True)
def test_the_office_keeps_writing_while_a_file_is_checked(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the whole import was one transaction, and every other write (a clerk's step, a
    login) waited for its end or failed with "database is locked"."""
    monkeypatch.setattr(ledger, "PLAN_SECONDS", 0.0)
    reg = register_get("reconsideration")
    base = ledger_rows()[0]
    rows = [[base[0], f"东复〔2025〕{n}号", *base[2:]] for n in range(10, 30)]
    finished: dict[str, float] = {}
    errors: list[BaseException] = []
    clerk: list[threading.Thread] = []

    def clerk_registers_a_case() -> None:
        try:
            matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(applicant_name="赵六"))
            finished["clerk"] = time.monotonic()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def progress(_: int) -> None:
        if not clerk:  # the first row is planned: the clerk works, and the planning waits for it
            clerk.append(threading.Thread(target=clerk_registers_a_case))
            clerk[0].start()
            clerk[0].join(timeout=40)  # a lock held by the planning would keep the clerk waiting past this

    result = ledger_import(reg=reg, data=xlsx(rows), filename="2025台账.xlsx", actor=org.alice, progress=progress)
    finished["import"] = time.monotonic()
    clerk[0].join()
    assert not errors, errors
    assert result.created == 20
    assert finished["clerk"] < finished["import"], "the clerk's case waited for the whole import"
    assert ReconsiderationCase.objects.filter(applicant_name__isnull=False).count() == 21
    checkpoint_take()
    report = audit_verify()
    assert report.ok and report.size == MatterEvent.objects.count(), report.problems


@pytest.mark.django_db
def test_a_malformed_cell_in_the_last_row_is_reported_before_any_step_runs(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = ledger.create_checked

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["data"]["received_on"])
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger, "create_checked", counted)
    rows = ledger_rows()
    rows[3][2] = "2025-13-01"  # the last row's 收到日期
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=register_get("reconsideration"), data=xlsx(rows), filename="2025台账.xlsx", actor=org.alice)
    assert exc.value.problems == ["第5行“收到日期”：无法识别日期“2025-13-01”，请写成 2025-03-01"]
    assert calls == [], "the rows before it were not checked first"
    rows[3][2] = "2025-09-29"
    ledger_import(reg=register_get("reconsideration"), data=xlsx(rows), filename="2025台账.xlsx", actor=org.alice)
    assert len(calls) == 4


@pytest.mark.django_db
def test_the_list_of_problems_stops_at_its_limit(org: Any) -> None:
    rows = ledger_rows()[:1] * (ledger.MAX_PROBLEMS + 5)
    rows = [["NOPE", f"东复〔2025〕{100 + i}号", *row[2:]] for i, row in enumerate(rows)]
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=register_get("reconsideration"), data=xlsx(rows), filename="2025台账.xlsx", actor=org.alice)
    problems = exc.value.problems
    assert len(problems) == ledger.MAX_PROBLEMS + 1 and problems[-1] == f"错误过多，仅列出前 {ledger.MAX_PROBLEMS} 条"
    assert problems[0] == "第2行“办理单位编码”：找不到单位 NOPE"


@pytest.mark.django_db
def test_a_file_is_planned_in_memory_unless_the_checks_read_other_matters(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """行政复议's checks read no other case: the file is planned without a statement written
    (the rows are written once, by the final write). 建议提案's do (a proposal number used twice):
    its first read of the register's table stops the plan, which runs again with each planned row
    written (in transactions rolled back), and still refuses the duplicate."""
    written: list[str] = []
    real = ledger.rows_write

    def spy(model: Any, rows: Any) -> None:
        written.append(model._meta.model_name)
        real(model, rows)

    monkeypatch.setattr(ledger, "rows_write", spy)
    result = ledger_import(reg=register_get("reconsideration"), data=xlsx(ledger_rows()), filename="2025台账.xlsx", actor=org.alice)
    assert result.created == 4 and written == []
    assert MatterEvent.objects.filter(register="reconsideration").exists()

    rows = [proposal_row("建〔2025〕1号", 11, "关于增设公交站点的建议"), proposal_row("建〔2025〕2号", 11, "关于路灯维修的建议")]
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=register_get("proposals"), data=xlsx(rows, PROPOSAL_HEADER), filename="建议.xlsx", cli=True)
    assert any(p.startswith("第3行“建议（提案）编号”：本单位已登记过该会议的第 11 号") for p in exc.value.problems), exc.value.problems
    assert written == ["proposal"]  # the first row, planned again with its row written; the second refused
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_a_clock_refusal_names_the_step_and_column_as_the_services_do(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row's clocks are applied once after its last step; a row they refuse is planned again
    with the clocks at each step, so its message names the step's column as the services do."""
    from fazhi.law.clocks import NoRuleInForce
    from fazhi.registers.framework import services

    calls: list[bool] = []
    real_create, real_dues = services.create_checked, services.due_values

    def create(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("clocks", True))
        return real_create(*args, **kwargs)

    def dues(matter: Any, events: Any, reg: Any) -> Any:
        if any(e.transition == "accept" for e in events):  # the acceptance starts a clock no rule covers
            raise NoRuleInForce("受理审查：尚无施行中的法律规定")
        return real_dues(matter, events, reg)

    monkeypatch.setattr(ledger, "create_checked", create)
    monkeypatch.setattr(services, "due_values", dues)
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=register_get("reconsideration"), data=xlsx(ledger_rows()[:1]), filename="2025台账.xlsx", actor=org.alice)
    assert calls == [False, True]  # planned with the clocks once at the end, then again step by step
    assert exc.value.problems == ["第2行“受理日期”：受理审查：尚无施行中的法律规定"]
    monkeypatch.setattr(services, "due_values", real_dues)
    ok = ledger_import(reg=register_get("reconsideration"), data=xlsx(ledger_rows()), filename="2025台账.xlsx", actor=org.alice)
    assert ok.created == 4 and calls[2:] == [False] * 4  # rows the clocks accept are planned once
