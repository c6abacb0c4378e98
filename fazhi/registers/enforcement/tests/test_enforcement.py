"""行政执法: the process record, the 法制审核 gate on every path, hearings, officers, clocks, 以罚代刑."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import PASSWORD, Org, do
from fazhi.audit.models import AuditLeaf
from fazhi.core.errors import ImportFailed, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.files import file_path
from fazhi.registers.enforcement.evidence import evidence_add, evidence_intact
from fazhi.registers.enforcement.models import EnforcementCase, ImpunityFlag
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.ledger import ledger_import
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.services import matter_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(org: Org, settings: Any, tmp_path: Any) -> Agency:
    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    return make_agency(org)


def gate_message(exc: ValidationFailed) -> str:
    return "；".join(exc.errors.get("decided_on", []))


def test_penalty_runs_its_whole_process_and_the_review_gate_holds(agency: Agency) -> None:
    case = open_case(agency, party_type="legal_person", party_name="东湖电器有限公司", amount_involved=Decimal("20000"))
    assert case.case_number == "市监执〔2025〕1号" and case.kind == "penalty"
    assert case.due_on == dt.date(2025, 6, 3)  # 90 日 (第六十条) = 06-01, inside 端午 (05-31..06-02): next working day
    photo = b"\xff\xd8\xff\xe0photo-bytes"  # a JPEG by its first bytes
    item = evidence_add(case=case, actor=agency.clerk, content=photo, file_name="现场照片.jpg", description="现场检查照片", collected_on=dt.date(2025, 3, 4))
    digest = hashlib.sha256(photo).hexdigest()
    assert item.sha256 == digest and evidence_intact(item) and file_path(digest).read_bytes() == photo
    event = MatterEvent.objects.get(pk=item.event_id)
    assert event.after["sha256"] == digest
    assert digest in bytes(AuditLeaf.objects.get(source="matter_event", source_id=event.pk).data).decode()

    # 告知 a fine of 150,000 to an organisation: above 较大数额 (100,000), so a hearing right
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 20), proposed_fine="150000")
    assert case.hearing_right
    do(case, "request_hearing", agency.clerk, hearing_requested_on=dt.date(2025, 3, 25))
    # noticed 7 working days before the hearing (第六十四条第（二）项, 第八十五条): 03-27 → 04-08 (清明 04-04)
    do(case, "notice_hearing", agency.clerk, hearing_noticed_on=dt.date(2025, 3, 27))
    do(case, "hold_hearing", agency.head, hearing_held_on=dt.date(2025, 4, 8))
    assert case.hearing_held and case.state == "notified"
    # after a hearing the review is required (第五十八条第一款第（二）项): no decision without it
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 10), outcome="penalty_imposed", decision_number="东市监罚〔2025〕1号", fine_amount="150000")
    assert "经过听证" in gate_message(exc.value) and "法制审核" in gate_message(exc.value)
    do(case, "submit_review", agency.clerk, review_submitted_on=dt.date(2025, 4, 9))
    with pytest.raises(TransitionNotAllowed):  # under review: 作出决定 is not a step from here
        do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 10), outcome="penalty_imposed", decision_number="X", fine_amount="1")
    with pytest.raises(PermissionDenied):  # the review is the reviewer's
        do(case, "pass_review", agency.clerk, reviewed_on=dt.date(2025, 4, 10), reviewer_name="李审", review_opinion="同意")
    do(case, "return_review", agency.reviewer, reviewed_on=dt.date(2025, 4, 10), reviewer_name="李审", review_opinion="证据不足，补充调查")
    assert case.state == "investigating" and case.review_result == "returned"
    with pytest.raises(ValidationFailed) as exc:  # a returned review is no review
        do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 11), outcome="penalty_imposed", decision_number="X", fine_amount="150000")
    assert "法制审核" in gate_message(exc.value)
    do(case, "submit_review", agency.clerk, review_submitted_on=dt.date(2025, 4, 14))
    do(case, "pass_review", agency.reviewer, reviewed_on=dt.date(2025, 4, 15), reviewer_name="李审", review_opinion="事实清楚，同意")
    with pytest.raises(ValidationFailed) as exc:  # heavier than notified: the party must be notified again
        do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 16), outcome="penalty_imposed", decision_number="X", fine_amount="200000")
    assert "重新告知" in exc.value.errors["fine_amount"][0]
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 16), outcome="licence_granted", decision_number="X")
    assert "不是行政处罚案件的决定类型" in exc.value.errors["outcome"][0]
    do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 16), outcome="penalty_imposed", decision_number="东市监罚〔2025〕1号", fine_amount="150000")
    # 事后公开 within 7 working days (国办发〔2018〕118号): 04-16 → 04-25
    assert case.state == "decided" and case.due_on == dt.date(2025, 4, 25) and case.due_rule == "publicity.decision_licence_penalty"
    do(case, "serve", agency.clerk, served_on=dt.date(2025, 4, 17))
    do(case, "publish", agency.clerk, published_on=dt.date(2025, 4, 18))
    do(case, "execute", agency.clerk, executed_on=dt.date(2025, 5, 6), execution="voluntary")
    do(case, "close", agency.clerk, closed_on=dt.date(2025, 5, 8))
    assert case.state == "closed" and case.closed_on == dt.date(2025, 5, 8)
    steps = list(MatterEvent.objects.filter(register="enforcement", object_id=case.pk).order_by("id").values_list("transition", flat=True))
    assert steps == [
        "register", "add_evidence", "notify", "request_hearing", "notice_hearing", "hold_hearing", "submit_review", "return_review",
        "submit_review", "pass_review", "decide", "serve", "publish", "execute", "close",
    ]  # fmt: skip
    assert AuditLeaf.objects.filter(source="matter_event", source_id__in=MatterEvent.objects.filter(object_id=case.pk, register="enforcement")).count() == 15


def test_major_public_interest_needs_review_even_without_a_hearing_and_complex_cases_collective_discussion(agency: Agency) -> None:
    case = open_case(agency, major_public_interest=True, complex_case=True)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="5000")
    assert not case.hearing_right  # 5,000 to a natural person is below 10,000
    with pytest.raises(ValidationFailed) as exc:
        do(case, "request_hearing", agency.clerk, hearing_requested_on=dt.date(2025, 3, 11))
    assert "无权要求听证" in exc.value.errors["hearing_requested_on"][0]
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="X", fine_amount="5000")
    assert "涉及重大公共利益" in gate_message(exc.value) and "案情疑难复杂" in gate_message(exc.value)
    do(case, "submit_review", agency.clerk, review_submitted_on=dt.date(2025, 3, 12))
    do(case, "pass_review", agency.reviewer, reviewed_on=dt.date(2025, 3, 13), reviewer_name="李审", review_opinion="同意")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="X", fine_amount="5000")
    assert "集体讨论" in gate_message(exc.value)
    do(case, "discuss", agency.head, discussed_on=dt.date(2025, 3, 18), discussion_conclusion="同意罚款5000元")
    do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="东市监罚〔2025〕2号", fine_amount="5000")
    assert case.state == "decided"


def test_hearing_request_after_five_working_days_is_refused(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 4, 28), proposed_measure="licence_revocation")
    assert case.hearing_right  # 吊销许可证件 (第六十三条)
    with pytest.raises(ValidationFailed) as exc:  # 04-28 + 5 WD: 04-29, 04-30, (劳动节 05-01..05) 05-06, 05-07, 05-08
        do(case, "request_hearing", agency.clerk, hearing_requested_on=dt.date(2025, 5, 9))
    assert "2025-05-08" in exc.value.errors["hearing_requested_on"][0]
    do(case, "request_hearing", agency.clerk, hearing_requested_on=dt.date(2025, 5, 8))


def test_no_penalty_without_notice_and_two_distinct_certified_officers(agency: Agency, org: Org) -> None:
    with pytest.raises(ValidationFailed) as exc:
        open_case(agency, second_officer=agency.officers[0].pk)
    assert "两名不同" in exc.value.errors["second_officer"][0]
    expired = agency.officers[2]
    expired.certificate_valid_until = dt.date(2024, 12, 31)
    expired.save()
    with pytest.raises(ValidationFailed) as exc:
        open_case(agency, second_officer=expired.pk)
    assert "不在有效期内" in exc.value.errors["second_officer"][0]
    case = open_case(agency)
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="X", fine_amount="100")
    assert "第四十四条" in gate_message(exc.value)
    with pytest.raises(ValidationFailed) as exc:  # a power item of another unit
        from fazhi.registers.enforcement.models import PowerItem

        other = PowerItem.objects.create(unit=org.body, code="FY-1", name="x", kind="penalty", legal_basis="y")
        open_case(agency, item=other)
    assert "权责清单" in exc.value.errors["power_item"][0]


def test_kind_picks_the_decision_clock(agency: Agency) -> None:
    licence = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    assert licence.kind == "licence" and licence.due_rule == "licence.decision"
    assert licence.due_on == dt.date(2025, 3, 31)  # 20 working days from 03-03
    inspection = open_case(agency, item=agency.inspection)
    assert inspection.due_on is None  # no statutory period for an inspection
    do(inspection, "decide", agency.head, decided_on=dt.date(2025, 3, 5), outcome="inspection_compliant", decision_number="检查记录1")
    assert inspection.due_rule == "publicity.decision_other" and inspection.due_on == dt.date(2025, 4, 2)  # 20 WD


def test_changed_decision_must_be_withdrawn_from_publication_in_three_working_days(agency: Agency) -> None:
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 10), outcome="licence_granted", decision_number="许可1")
    with pytest.raises(ValidationFailed):
        do(case, "change_decision", agency.clerk, decision_changed_on=dt.date(2025, 3, 12), decision_change_reason="复议撤销")
    do(case, "publish", agency.clerk, published_on=dt.date(2025, 3, 11))
    do(case, "change_decision", agency.clerk, decision_changed_on=dt.date(2025, 3, 14), decision_change_reason="行政复议决定撤销")
    assert case.due_rule == "penalty.withdraw_publication" and case.due_on == dt.date(2025, 3, 19)
    do(case, "withdraw_publication", agency.clerk, publication_withdrawn_on=dt.date(2025, 3, 17))
    assert case.due_on is None


def test_a_penalty_above_the_criminal_threshold_without_transfer_is_flagged_until_transferred(agency: Agency) -> None:
    case = open_case(agency, amount_involved=Decimal("80000"))
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="8000")
    do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="罚1", fine_amount="8000")
    flag = ImpunityFlag.objects.get(case=case)
    assert flag.threshold == Decimal("50000") and "第一百四十条" in flag.offence_label and "立案追诉标准" in flag.citation
    below = open_case(agency, amount_involved=Decimal("49999"))
    do(below, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="800")
    do(below, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="罚2", fine_amount="800")
    assert not ImpunityFlag.objects.filter(case=below).exists()
    matter_create(
        register="criminal_transfer",
        unit=agency.unit,
        actor=agency.clerk,
        data={
            "received_on": dt.date(2025, 3, 25),
            "origin": "supervision",
            "enforcement_case": case.pk,
            "offence": "生产、销售伪劣产品罪",
            "suspect_type": "natural_person",
            "suspect_name": "王小明",
            "facts": "销售金额八万元",
            "lead_officer": agency.officers[0].pk,
            "second_officer": agency.officers[1].pk,
        },
    )
    flag.refresh_from_db()
    assert flag.cleared_on == dt.date(2025, 3, 25) and "已登记移送" in flag.cleared_reason  # kept, not deleted


def _ledger_row_file(agency: Agency, **cells: str) -> bytes:
    from fazhi.registers.framework.ledger import ledger_columns

    reg = register_get("enforcement")
    headers = [c.header for c in ledger_columns(reg)]
    values = {
        "办理单位编码": agency.unit.code,
        "案号": "市监执〔2025〕7号",
        "立案（受理）日期": "2025-03-03",
        "权责清单事项": agency.penalty.code,
        "当事人类型": "法人",
        "当事人": "东湖电器有限公司",
        "案由及基本事实": "销售不合格产品",
        "主办执法人员": agency.officers[0].code,
        "协办执法人员": agency.officers[1].code,
        "涉及重大公共利益": "是",
        "告知日期": "2025-03-10",
        "拟罚款、没收金额（元）": "5000",
        "决定日期": "2025-03-20",
        "决定类型": "给予行政处罚",
        "决定书文号": "东市监罚〔2025〕9号",
        "罚款、没收金额（元）": "5000",
    } | cells
    out = io.StringIO()
    out.write(",".join(headers) + "\n")
    out.write(",".join(values.get(h, "") for h in headers) + "\n")
    return out.getvalue().encode("utf-8")


def test_the_gate_holds_on_import_and_on_the_command_line(agency: Agency, tmp_path: Any) -> None:
    data = _ledger_row_file(agency)
    with pytest.raises(ImportFailed) as exc:
        ledger_import(reg=register_get("enforcement"), data=data, filename="台账.csv", actor=agency.clerk)
    assert any(p.startswith("第2行“决定日期”") and "法制审核" in p for p in exc.value.problems)
    assert not EnforcementCase.objects.exists()  # all-or-nothing
    path = tmp_path / "台账.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as cmd:
        call_command("import", "enforcement", str(path))
    assert "法制审核" in str(cmd.value) and not EnforcementCase.objects.exists()
    # with the review recorded in the row, the same decision imports
    good = _ledger_row_file(agency, **{"提交法制审核日期": "2025-03-12", "法制审核日期": "2025-03-13", "审核人员": "李审", "法制审核意见": "同意"})
    result = ledger_import(reg=register_get("enforcement"), data=good, filename="台账.csv", actor=agency.clerk)
    assert result.created == 1
    case = EnforcementCase.objects.get()
    assert case.state == "decided" and case.review_result == "passed"


def test_the_gate_holds_in_the_browser_form(agency: Agency) -> None:
    case = open_case(agency, major_public_interest=True)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="500")
    client = Client()
    assert client.login(username="sj_head", password=PASSWORD)
    url = f"/r/enforcement/{case.pk}/do/decide/"
    data = {"decided_on": "2025-03-20", "outcome": "penalty_imposed", "decision_number": "罚3", "fine_amount": "500"}
    response = client.post(url, data)
    assert response.status_code == 200 and "必须经法制审核并通过" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "notified"
    # another district's clerk cannot even see the case
    other = Client()
    assert other.login(username="frank", password=PASSWORD)
    assert other.get(f"/r/enforcement/{case.pk}/").status_code == 404
    assert other.post(url, data).status_code == 404


def test_evidence_upload_and_download_are_limited_to_the_unit(agency: Agency) -> None:
    case = open_case(agency)
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    upload = io.BytesIO(b"%PDF-1.4 record")
    upload.name = "询问笔录.pdf"
    response = client.post(f"/zhifa/{case.pk}/evidence/", {"description": "询问笔录", "collected_on": "2025-03-04", "file": upload})
    assert response.status_code == 302
    item = case.evidence.get()
    page = client.get(f"/r/enforcement/{case.pk}/").content.decode()
    assert item.sha256 in page and "完整" in page
    assert b"".join(client.get(f"/zhifa/{case.pk}/evidence/{item.pk}/").streaming_content) == b"%PDF-1.4 record"  # type: ignore[attr-defined]
    other = Client()
    assert other.login(username="frank", password=PASSWORD)
    assert other.get(f"/zhifa/{case.pk}/evidence/{item.pk}/").status_code == 404
    upload.seek(0)
    assert other.post(f"/zhifa/{case.pk}/evidence/", {"description": "x", "collected_on": "2025-03-04", "file": upload}).status_code == 404
    assert case.evidence.count() == 1
    # the reviewer of the unit sees the case but may not add evidence (clerk's step)
    with pytest.raises(PermissionDenied):
        evidence_add(case=case, actor=agency.reviewer, content=b"x", file_name="x", description="x", collected_on=dt.date(2025, 3, 4))


def test_planning_an_import_leaves_the_page_cache_version_alone(agency: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    """The version row every write bumps is locked until the bumping transaction ends
    (PostgreSQL): bumped while an import plans its rows, it would stop every other write for the
    whole planning. The case's save signal is not counted; its write observer bumps once, at the write."""
    from fazhi.core import pagecache
    from fazhi.registers.framework import ledger

    writing: list[bool] = []
    bumps: list[bool] = []
    real, real_write = pagecache.bump, ledger.final_write

    def spy(name: str) -> None:
        bumps.append(bool(writing))
        real(name)

    def write(*args: Any, **kwargs: Any) -> None:
        writing.append(True)
        real_write(*args, **kwargs)

    monkeypatch.setattr(pagecache, "bump", spy)
    monkeypatch.setattr(ledger, "final_write", write)
    good = _ledger_row_file(agency, **{"提交法制审核日期": "2025-03-12", "法制审核日期": "2025-03-13", "审核人员": "李审", "法制审核意见": "同意"})
    assert ledger_import(reg=register_get("enforcement"), data=good, filename="台账.csv", actor=agency.clerk).created == 1
    assert writing == [True], "planned without writing, then written once"
    assert bumps and all(bumps), bumps  # every bump in the final write, none while planning


def _ledger_file(agency: Agency, rows: list[dict[str, str]]) -> bytes:
    """Several rows of the default row of :func:`_ledger_row_file`, each changed by its cells."""
    first, *others = (_ledger_row_file(agency, **cells).decode("utf-8").splitlines() for cells in rows)
    return "\n".join([*first, *(lines[1] for lines in others)]).encode("utf-8") + b"\n"


def _written_state() -> dict[str, Any]:
    """What a write of matters leaves, ids and clock times left out: the rows, their events, the
    events' audit leaves, the case-number counters, the 以罚代刑 flags, the rollups, the search rows."""
    import json

    from fazhi.indicators.models import Rollup
    from fazhi.registers.framework.models import CaseNumberSequence, SearchEntry

    skip = {"id", "created_at", "updated_at"}
    cases = {c["case_number"]: {k: v for k, v in c.items() if k not in skip} for c in EnforcementCase.objects.values()}
    numbers = dict(EnforcementCase.objects.values_list("pk", "case_number"))
    events = MatterEvent.objects.filter(register="enforcement").order_by("pk")
    leaves = []
    for leaf in AuditLeaf.objects.filter(source="matter_event", source_id__in=events.values("pk")).order_by("index"):
        value = json.loads(bytes(leaf.data))
        # a personal value is a digest keyed by the event's id (fazhi/registers/framework/events.py):
        # which value it is, audit_verify checks against the event's row
        for part in ("before", "after"):
            value[part] = {k: v.split(":")[0] if str(v).startswith("hmac-sha256:") else v for k, v in value[part].items()}
        leaves.append({k: v for k, v in value.items() if k not in ("event", "matter", "occurred_at")})
    return {
        "cases": cases,
        "events": [
            (e.case_number, e.transition, e.actor_id, e.unit_id, e.event_date, e.state_before, e.state_after, e.before, e.after, e.note) for e in events
        ],
        "leaves": leaves,
        "counters": sorted(CaseNumberSequence.objects.filter(register="enforcement").values_list("unit_id", "year", "last_value")),
        "flags": sorted((numbers[f.case_id], f.offence, f.offence_label, f.threshold, f.amount, f.citation, f.flagged_on) for f in ImpunityFlag.objects.all()),
        "rollups": sorted(Rollup.objects.values_list("measure", "unit_id", "grain", "start", "bucket", "count", "cents")),
        "search": sorted((numbers[s.matter_id], s.text) for s in SearchEntry.objects.filter(register="enforcement")),
    }


def test_a_bulk_written_import_leaves_what_the_services_leave_for_the_same_steps(agency: Agency) -> None:
    """The import's final write (rows, events and leaves in bulk, the 以罚代刑 check per batch,
    rollups, search, counters) against the same steps taken one by one through the services."""
    from django.db import transaction

    from fazhi.audit.services import audit_verify, checkpoint_take
    from fazhi.registers.framework.services import matter_transition

    review = {"提交法制审核日期": "2025-03-12", "法制审核日期": "2025-03-13", "审核人员": "李审", "法制审核意见": "同意"}
    rows = [
        review | {"涉案金额（元）": "80000"},  # decided above the threshold: flagged
        review | {"案号": "市监执〔2025〕8号", "涉案金额（元）": "49999", "决定书文号": "东市监罚〔2025〕10号"},  # below: not flagged
        {"案号": "市监执〔2025〕9号"} | dict.fromkeys(["告知日期", "拟罚款、没收金额（元）", "决定日期", "决定类型", "决定书文号", "罚款、没收金额（元）"], ""),
    ]
    reg = register_get("enforcement")
    with transaction.atomic():
        result = ledger_import(reg=reg, data=_ledger_file(agency, rows), filename="台账.csv", actor=agency.clerk)
        assert result.created == 3
        imported = _written_state()
        steps = list(MatterEvent.objects.filter(register="enforcement").order_by("pk"))
        checkpoint_take()
        report = audit_verify()
        assert report.ok, report.problems
        transaction.set_rollback(True)
    assert not EnforcementCase.objects.exists() and not AuditLeaf.objects.exists()
    assert len(imported["flags"]) == 1 and imported["flags"][0][0] == "市监执〔2025〕7号"
    assert [e[1] for e in imported["events"]].count("decide") == 2 and imported["rollups"] and len(imported["leaves"]) == len(steps)

    cases: dict[str, Any] = {}
    for e in steps:
        if e.transition == "register":
            t = reg.definition.create
            data = {k: v for k, v in e.after.items() if k in (*t.fields, *t.optional)}
            cases[e.case_number] = matter_create(
                register="enforcement", unit=agency.unit, actor=agency.clerk, data=data, note=e.note, imported_number=e.case_number
            )
        else:
            t = reg.definition.transitions[e.transition]
            data = {k: v for k, v in e.after.items() if k in (*t.fields, *t.optional)}
            matter_transition(matter=cases[e.case_number], transition=e.transition, actor=agency.clerk, data=data, note=e.note, imported=True)
    assert _written_state() == imported
    checkpoint_take()
    report = audit_verify()
    assert report.ok, report.problems
