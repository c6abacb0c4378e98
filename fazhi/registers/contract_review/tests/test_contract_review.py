"""合同合法性审查 and legal opinions: the review clock by kind, the adviser's unit and term, the
reasons for 修改后同意 / 不同意, masking of a natural person counterparty, permissions, the
staff form's messages and the opinion document."""

from __future__ import annotations

import datetime as dt
import decimal
import io
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.registers.contract_review.models import ContractReview, LegalAdviser, OpinionDocument
from fazhi.registers.contract_review.services import adviser_save
from fazhi.registers.framework.services import matter_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(org: Any) -> Any:
    from django.contrib.auth import get_user_model

    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant

    user = get_user_model().objects.create_user("dept_reviewer", password=PASSWORD, first_name="法制科")
    membership_grant(user=user, unit=org.dept, role=Role.REVIEWER)
    return get_user_model().objects.get(pk=user.pk)


def adviser(org: Any, unit: Any = None, **overrides: Any) -> LegalAdviser:
    values = {
        "name": "顾明",
        "kind": "legal_adviser",
        "licence_number": "14201201510000001",
        "organisation": "东湖律师事务所",
        "term_start": dt.date(2025, 1, 1),
        "term_end": dt.date(2025, 12, 31),
        "appointment_reference": "东政法顾〔2025〕1号",
    } | overrides
    return adviser_save(actor=org.dave, unit=unit or org.district, values=values)


def contract(org: Any, **overrides: Any) -> ContractReview:
    data = {
        "received_on": dt.date(2025, 3, 3),
        "kind": "contract",
        "category": "procurement",
        "title": "食品快检设备采购合同",
        "counterparty_type": "organisation",
        "counterparty_name": "东湖检测设备有限公司",
        "amount": "386000.00",
    } | overrides
    case = matter_create(register="contract_review", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, ContractReview)
    return case


def test_the_time_to_answer_follows_the_kind_and_skips_holidays(org: Any) -> None:
    case = contract(org)
    assert (case.state, case.due_rule, case.due_on) == ("submitted", "contract_review.contract", dt.date(2025, 3, 10))
    holiday = contract(org, received_on=dt.date(2025, 9, 30))
    assert holiday.due_on == dt.date(2025, 10, 14)  # 国庆 skipped, the 调休 Saturday 10-11 counted
    opinion = matter_create(
        register="contract_review",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": dt.date(2025, 3, 3), "kind": "opinion", "category": "petition", "title": "信访事项法律意见"},
    )
    assert (opinion.due_rule, opinion.due_on) == ("contract_review.opinion", dt.date(2025, 3, 17))


def test_a_contract_needs_its_counterparty_and_amount_and_a_person_their_id(org: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        contract(org, amount=None, counterparty_name="")
    assert {"amount", "counterparty_name"} <= set(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:
        contract(org, counterparty_type="natural_person", counterparty_name="张三")
    assert "counterparty_id_number" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        contract(org, kind="opinion", category="procurement")
    assert "category" in exc.value.errors
    assert ContractReview.objects.count() == 0


def test_the_adviser_must_serve_the_unit_and_be_in_term_and_reasons_are_written(org: Any, reviewer: Any) -> None:
    district_adviser = adviser(org)
    other = adviser(org, unit=org.body, name="韩松", licence_number="x-2")
    expired = adviser(org, unit=org.dept, name="周远", licence_number="x-3", term_start=dt.date(2023, 1, 1), term_end=dt.date(2024, 12, 31))
    case = contract(org)
    with pytest.raises(PermissionDenied):
        do(case, "assign", org.erin, assigned_on="2025-03-04", adviser=district_adviser.pk)
    with pytest.raises(ValidationFailed, match="不为东湖区市场监督管理局提供服务"):
        do(case, "assign", reviewer, assigned_on="2025-03-04", adviser=other.pk)
    with pytest.raises(ValidationFailed, match="不在聘任期内"):
        do(case, "assign", reviewer, assigned_on="2025-03-04", adviser=expired.pk)
    do(case, "assign", reviewer, assigned_on="2025-03-04", adviser=district_adviser.pk)
    with pytest.raises(ValidationFailed) as exc:
        do(case, "give_opinion", reviewer, opinion_on="2025-03-07", outcome="agree_modified", opinion="改")
    assert "opinion" in exc.value.errors
    do(case, "give_opinion", reviewer, opinion_on="2025-03-07", outcome="agree_modified", opinion="第八条违约责任应补充供方逾期交货的违约金")
    assert (case.state, case.due_on, case.deadlines, case.adviser_id) == ("answered", None, {"contract_review.contract": "met"}, district_adviser.pk)


def test_the_directory_writes_an_audit_leaf_and_refuses_bad_input_and_other_units(org: Any) -> None:
    from fazhi.audit.models import AuditLeaf
    from fazhi.audit.services import audit_verify, checkpoint_take

    first = adviser(org)
    assert AuditLeaf.objects.filter(source="legal_adviser").count() == 1
    adviser_save(actor=org.dave, unit=org.district, values={**_values(first), "term_end": dt.date(2026, 12, 31)}, adviser=first)
    assert AuditLeaf.objects.filter(source="legal_adviser").count() == 2
    checkpoint_take()
    report = audit_verify()
    assert report.ok, report.problems
    with pytest.raises(ValidationFailed) as exc:
        adviser(org, name="林清", licence_number="14201201510000001")
    assert "licence_number" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        adviser(org, name="林清", licence_number="y", term_end=None)
    assert "term_end" in exc.value.errors  # a 法律顾问's contract has a term
    adviser(org, name="林清", kind="staff_lawyer", licence_number="G1", term_end=None)  # a 公职律师 need not
    with pytest.raises(PermissionDenied):
        adviser_save(actor=org.erin, unit=org.dept, values=_values(first) | {"licence_number": "z"})
    with pytest.raises(PermissionDenied):
        adviser_save(actor=org.frank, unit=org.district, values=_values(first) | {"licence_number": "z"})


def _values(a: LegalAdviser) -> dict[str, Any]:
    return {f: getattr(a, f) for f in ("name", "kind", "licence_number", "organisation", "term_start", "term_end", "appointment_reference")}


def _sheet(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    from fazhi.registers.contract_review.services import COLUMNS, OPTIONAL

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(COLUMNS + OPTIONAL)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_directory_import_is_all_or_nothing_names_row_and_column_and_reruns(org: Any) -> None:
    from fazhi.core.errors import ImportFailed
    from fazhi.registers.contract_review.services import advisers_import

    good = ["T-D", "顾明", "法律顾问", "A1", "2025-01-01", "东政法顾〔2025〕1号", "东湖律师事务所", "2025-12-31"]
    bad = ["T-D-SJ", "林清", "律师", "G1", "2025-13-01", "东市监〔2025〕2号", "", ""]
    with pytest.raises(ImportFailed) as exc:
        advisers_import(data=_sheet([good, bad]), filename="a.xlsx", actor=org.dave)
    assert any(p.startswith("第3行“类别”") for p in exc.value.problems)
    assert any(p.startswith("第3行“聘任起始日期”") for p in exc.value.problems)
    assert LegalAdviser.objects.count() == 0
    fixed = ["T-D-SJ", "林清", "公职律师", "G1", "2020-06-01", "东市监〔2020〕2号", "", ""]
    result = advisers_import(data=_sheet([good, fixed]), filename="a.xlsx", actor=org.dave)
    assert (result.created, LegalAdviser.objects.count()) == (2, 2)
    again = advisers_import(data=_sheet([good, fixed]), filename="a.xlsx", actor=org.dave)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    with pytest.raises(PermissionDenied):
        advisers_import(data=_sheet([good]), filename="a.xlsx", actor=org.erin)


def test_the_directory_page_shows_coverage_and_keeps_other_districts_out(org: Any) -> None:
    adviser(org)
    adviser(org, unit=org.dept, name="林清", kind="staff_lawyer", licence_number="G1", term_start=dt.date(2020, 1, 1), term_end=None)
    theirs = adviser_save(actor=org.admin, unit=org.other_district, values=_values(LegalAdviser.objects.first()) | {"name": "韩松"})  # type: ignore[arg-type]
    client = Client()
    client.login(username="dave", password=PASSWORD)
    page = client.get("/falvguwen/").content.decode()
    assert "林清" in page and "韩松" not in page
    assert "已配备法律顾问或公职律师的单位" in page
    form = {"unit": org.dept.pk, "name": "周远", "kind": "legal_adviser", "licence_number": "A9", "term_start": "2025-01-01", "appointment_reference": "x"}
    page = client.post("/falvguwen/", form).content.decode()
    assert "法律顾问应填写聘任截止日期" in page
    assert not LegalAdviser.objects.filter(name="周远").exists()
    assert client.get(f"/falvguwen/{theirs.pk}/").status_code == 404
    clerk = Client()
    clerk.login(username="erin", password=PASSWORD)
    assert "林清" in clerk.get("/falvguwen/").content.decode()  # sees its unit's directory
    assert clerk.post("/falvguwen/", form | {"term_end": "2025-12-31"}).status_code == 404  # but may not change it
    assert clerk.get(f"/falvguwen/{LegalAdviser.objects.get(name='林清').pk}/").status_code == 404
    export = client.get("/falvguwen/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_staff_pages_name_the_bad_field_keep_other_units_out_and_mask_the_public_ledger(org: Any, reviewer: Any) -> None:
    from fazhi.registers.framework.ledger import ledger_export
    from fazhi.registers.framework.registry import register_get

    person = contract(
        org, counterparty_type="natural_person", counterparty_name="张三丰", counterparty_id_number="420102198001011234", counterparty_phone="13912345678"
    )
    client = Client()
    client.login(username="erin", password=PASSWORD)
    form = {
        "handling_unit": org.dept.pk,
        "received_on": "2025-07-01",
        "kind": "contract",
        "category": "service",
        "title": "运维合同",
        "counterparty_type": "organisation",
    }
    page = client.post("/r/contract_review/new/", form).content.decode()
    assert "送审合同应填写合同相对方" in page and "送审合同应填写合同金额" in page
    assert ContractReview.objects.count() == 1
    assert client.get(f"/r/contract_review/{person.pk}/").status_code == 200
    outsider = Client()
    outsider.login(username="frank", password=PASSWORD)
    assert outsider.get(f"/r/contract_review/{person.pk}/").status_code == 404
    assert person.case_number not in outsider.get("/r/contract_review/").content.decode()
    reg = register_get("contract_review")
    import openpyxl

    published = openpyxl.load_workbook(io.BytesIO(ledger_export(reg, ContractReview.objects.all(), publish=True)))
    cells = {str(c.value) for row in published.worksheets[0].iter_rows() for c in row if c.value}
    assert "张三丰" not in cells and "420102198001011234" not in cells and "13912345678" not in cells
    assert "张**" in cells


def test_the_opinion_document_is_stored_by_hash_in_the_timeline_and_only_for_reviewers(org: Any, reviewer: Any, settings: Any, tmp_path: Any) -> None:
    settings.FAZHI_EVIDENCE_DIR = str(tmp_path)
    case = contract(org)
    client = Client()
    client.login(username="erin", password=PASSWORD)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(f"/fashen/{case.pk}/document/", {"file": SimpleUploadedFile("意见书.pdf", b"%PDF opinion")})
    assert OpinionDocument.objects.count() == 0  # a clerk of the submitting unit may not
    staff = Client()
    staff.login(username="dept_reviewer", password=PASSWORD)
    staff.post(f"/fashen/{case.pk}/document/", {"file": SimpleUploadedFile("意见书.pdf", b"%PDF opinion")})
    doc = OpinionDocument.objects.get()
    page = staff.get(f"/r/contract_review/{case.pk}/").content.decode()
    assert "意见书.pdf" in page and "上传审查意见书" in page
    assert b"".join(staff.get(f"/fashen/{case.pk}/document/{doc.pk}/").streaming_content) == b"%PDF opinion"  # type: ignore[attr-defined]
    outsider = Client()
    outsider.login(username="frank", password=PASSWORD)
    assert outsider.get(f"/fashen/{case.pk}/document/{doc.pk}/").status_code == 404


def _answered(org: Any, reviewer: Any, who: LegalAdviser, on: str, outcome: str, **overrides: Any) -> ContractReview:
    case = contract(org, **overrides)
    do(case, "give_opinion", reviewer, opinion_on=on, outcome=outcome, opinion="合同主体适格，第八条应补充违约责任", adviser=who.pk)
    return case


def test_the_figures_count_reviews_amount_outcomes_advisers_with_their_records(org: Any, reviewer: Any) -> None:
    from fazhi.indicators.catalogue import catalogue
    from fazhi.indicators.engine import Period, compute, trace

    who = adviser(org)  # term 2025-01-01 .. 2025-12-31: serving at the year's end
    adviser(org, unit=org.dept, name="林清", kind="staff_lawyer", licence_number="G1", term_start=dt.date(2020, 1, 1), term_end=None)
    adviser(org, unit=org.dept, name="周远", licence_number="x-3", term_start=dt.date(2023, 1, 1), term_end=dt.date(2024, 12, 31))
    on_time = _answered(org, reviewer, who, "2025-03-07", "agree_modified")
    late = _answered(org, reviewer, who, "2025-03-12", "agree", amount="14000.50", title="物业服务合同")
    data = {"received_on": dt.date(2025, 4, 1), "kind": "opinion", "category": "petition", "title": "信访"}
    opinion = matter_create(register="contract_review", unit=org.dept, actor=org.erin, data=data)
    do(opinion, "give_opinion", reviewer, opinion_on="2025-04-08", outcome="disagree", opinion="缺乏法律依据，不宜采纳", adviser=who.pk)
    pending = contract(org, title="尚在审查的合同")  # received 2025-03-03, still open: overdue at the year's end
    codes = ["cr.submitted", "cr.reviewed", "cr.contracts", "cr.contract_amount", "cr.opinions", "cr.agree", "cr.agree_modified", "cr.disagree"]
    codes += ["cr.on_time_rate", "fl.legal_advisers", "fl.staff_lawyers"]
    year = Period.year(2025)
    values = compute([org.district, org.dept], year, codes, source="raw")
    got = {code: v[org.district.pk].value for code, v in values.items()}
    assert (got["cr.submitted"], got["cr.reviewed"], got["cr.contracts"], got["cr.opinions"]) == (4, 3, 2, 1)
    assert got["cr.contract_amount"] == decimal.Decimal("400000.50")
    assert (got["cr.agree"], got["cr.agree_modified"], got["cr.disagree"]) == (1, 1, 1)
    assert round(got["cr.on_time_rate"], 1) == decimal.Decimal("50.0")  # 2 of 3 answered in time, and the overdue one counts as late
    assert (got["fl.legal_advisers"], got["fl.staff_lawyers"]) == (1, 1)  # 周远's term is over
    assert (values["fl.legal_advisers"][org.dept.pk].value, values["fl.staff_lawyers"][org.dept.pk].value) == (0, 1)
    rows = trace(catalogue()["cr.on_time_rate"], org.district, year)
    assert sorted(rows["numerator"].values_list("case_number", flat=True)) == sorted([on_time.case_number, opinion.case_number])
    assert late.case_number in rows["denominator"].values_list("case_number", flat=True)
    assert list(rows["overdue"].values_list("case_number", flat=True)) == [pending.case_number]
    advisers = trace(catalogue()["fl.legal_advisers"], org.district, year)
    assert list(advisers["value"].values_list("name", flat=True)) == ["顾明"]


def test_the_annual_report_prints_the_figures_after_the_major_decisions(org: Any, reviewer: Any) -> None:
    from fazhi.reports.generator import generate

    who = adviser(org)
    _answered(org, reviewer, who, "2025-03-07", "agree_modified")
    _title, parts = generate("fzzf", org.district, 2025)
    topics = [p.topic for p in parts[0].paragraphs]
    assert topics.index("合同合法性审查和法律顾问") == topics.index("重大行政决策") + 1
    text = next(p for p in parts[0].paragraphs if p.topic == "合同合法性审查和法律顾问").text
    assert text.startswith("发挥政府法律顾问、公职律师作用，全区在聘法律顾问1人、公职律师0人。审查合同1件，涉及金额38.6万元")
    assert "修改后同意1件" in text and "按期出具率100" in text


def test_a_review_overdue_beyond_the_threshold_raises_a_supervision_lead(org: Any, reviewer: Any) -> None:
    from fazhi.supervision.services import leads_scan

    who = adviser(org)
    late = contract(org)
    _answered(org, reviewer, who, "2025-03-20", "agree", title="已出具意见的合同")  # answered late: no open matter, no lead
    leads = [lead for lead in leads_scan(org.district, dt.date(2025, 5, 1)) if lead.register == "contract_review"]
    assert [lead.matter_id for lead in leads] == [late.pk]
    assert "2025-03-10" in leads[0].summary


def test_the_ledger_round_trips_with_the_adviser_named(org: Any, reviewer: Any) -> None:
    from fazhi.registers.framework.ledger import ledger_export, ledger_import
    from fazhi.registers.framework.registry import register_get

    who = adviser(org)
    _answered(org, reviewer, who, "2025-03-07", "agree_modified")
    case = contract(org, title="审查中的合同", counterparty_type="natural_person", counterparty_name="李四", counterparty_id_number="420102198001011234")
    do(case, "assign", reviewer, assigned_on="2025-03-04", adviser=who.pk)
    reg = register_get("contract_review")
    data = ledger_export(reg, ContractReview.objects.order_by("pk"))
    result = ledger_import(reg=reg, data=data, filename="x.xlsx", cli=True)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
