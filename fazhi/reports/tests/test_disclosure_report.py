"""政府信息公开工作年度报告: the three tables from the registers, their checks enforced before the
report moves on, the records behind each cell, the entered items, the document."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from docx import Document

from conftest import do
from fazhi.core.errors import TransitionNotAllowed, ValidationFailed
from fazhi.reports import services
from fazhi.reports.disclosure_tables import Row, cell_records, check3, table3, table4
from fazhi.reports.docx import render
from fazhi.reports.models import Version

pytestmark = pytest.mark.django_db


def _cells(table: Any, key: str) -> list[Any]:
    return next(r.cells for r in table.rows if r.key == key)


def test_table_three_counts_new_carried_and_handled_by_applicant_type_and_adds_up(org: Any, requests: Any) -> None:
    t = table3(org.district, 2025)
    # all four requests of 东湖 are from natural persons: column 0, total column 6
    assert _cells(t, "new")[0] == 3 and _cells(t, "carried_in")[0] == 1  # a was received on 2024-12-20
    assert _cells(t, "disclosed")[0] == 2 and _cells(t, "refused_state_secret")[0] == 1 and _cells(t, "refused")[0] == 1
    assert _cells(t, "total") == [3, 0, 0, 0, 0, 0, 3] and _cells(t, "carried_out")[0] == 1  # d is still open
    assert t.problems == []
    # the same table a year earlier: a was new and is carried out
    before = table3(org.district, 2024)
    assert _cells(before, "new")[6] == 1 and _cells(before, "carried_out")[6] == 1 and before.problems == []
    # 西山 sees only its own request
    assert _cells(table3(org.other_district, 2025), "new")[6] == 1


def test_the_checks_find_a_subtotal_or_a_balance_that_does_not_add_up(org: Any, requests: Any) -> None:
    t = table3(org.district, 2025)
    rows = [Row(r.key, r.label, r.level, list(r.cells)) for r in t.rows]
    next(r for r in rows if r.key == "refused_state_secret").cells[0] = 2  # one more than its group says
    problems = check3(rows)
    assert any("（三）不予公开" in p and "自然人" in p for p in problems)
    assert any("各列之和" in p for p in problems)
    rows = [Row(r.key, r.label, r.level, list(r.cells)) for r in t.rows]
    carried = next(r for r in rows if r.key == "carried_out")
    carried.cells[0] += 1
    carried.cells[6] += 1
    assert any("本年新收 + 上年结转" in p for p in check3(rows))


def test_table_four_counts_disclosure_appeals_by_result(org: Any, requests: Any, make_case: Any) -> None:
    corrected = make_case(received_on=dt.date(2025, 3, 3), respondent_unit=org.dept, disclosure_related=True)
    do(corrected, "accept", org.bob, accepted_on="2025-03-04", procedure="ordinary")
    do(corrected, "decide", org.bob, decided_on="2025-04-20", outcome="set_aside")
    make_case(received_on=dt.date(2025, 12, 1), respondent_unit=org.dept, disclosure_related=True)  # pending at the end of the year
    make_case(received_on=dt.date(2025, 5, 1), respondent_unit=org.dept)  # not about disclosure
    t = table4(org.district, 2025)
    assert t.rows[0].cells[:5] == [0, 1, 0, 1, 2] and t.problems == []
    assert t.rows[0].cells[5:] == [0] * 10
    reg, qs = cell_records(org.district, 2025, "table4", "cases", 1)  # type: ignore[misc]
    assert reg == "reconsideration" and list(qs) == [corrected]


def test_the_report_carries_the_tables_and_refuses_to_move_on_when_a_frozen_table_does_not_add_up(org: Any, requests: Any) -> None:
    with pytest.raises(ValidationFailed, match="全国统一格式"):
        services.report_create(
            unit=org.district, kind="gkndbg", year=2025, actor=org.dave, order=["proactive", "overview", "requests", "appeals", "problems", "other"]
        )
    report = services.report_create(unit=org.district, kind="gkndbg", year=2025, actor=org.dave)
    with pytest.raises(ValidationFailed) as exc:
        services.report_manual_set(report=report, values={"normative_issued": "abc", "rules_in_force": "-1", "fees": "3.5"}, actor=org.dave)
    assert set(exc.value.errors) == {"normative_issued", "rules_in_force"}
    services.report_manual_set(report=report, values={"normative_issued": "12", "fees": "3.5"}, actor=org.dave)
    version = services.version_generate(report=report, actor=org.dave)
    parts = {p["key"]: p for p in version.content["parts"]}
    assert [p["key"] for p in version.content["parts"]] == ["overview", "proactive", "requests", "appeals", "problems", "other"]
    assert parts["overview"]["paragraphs"][0]["text"].startswith("2025年，共收到政府信息公开申请3件")
    table2 = {r["key"]: r["cells"] for r in parts["proactive"]["table"]["rows"]}
    assert table2["normative"] == [12, None, None] and table2["fees"] == [3.5]
    assert parts["requests"]["table"]["rows"][0]["cells"] == [3, 0, 0, 0, 0, 0, 3]
    assert services.table_problems(version) == []
    # a version whose frozen table was altered behind the application cannot be submitted
    content = version.content
    content["parts"][2]["table"]["rows"][0]["cells"][0] = 4
    Version.objects.filter(pk=version.pk).update(content=content)
    with pytest.raises(TransitionNotAllowed, match="表格数据不能通过核对"):
        services.report_step(report=report, action="submit", actor=org.dave)
    fresh = services.version_generate(report=report, actor=org.dave)
    assert services.table_problems(fresh) == []
    assert services.report_step(report=report, action="submit", actor=org.dave).state == "review"


def test_each_cell_opens_the_records_behind_it_and_the_docx_has_the_three_tables(org: Any, requests: Any) -> None:
    report = services.report_create(unit=org.district, kind="gkndbg", year=2025, actor=org.dave)
    version = services.version_generate(report=report, actor=org.dave)
    dave, frank = Client(), Client()
    dave.force_login(org.dave)
    frank.force_login(org.frank)
    html = dave.get(f"/baogao/{report.pk}/v/{version.number}/").content.decode()
    url = f"/baogao/{report.pk}/v/{version.number}/cell/table3/refused_state_secret/0/"
    assert url in html
    page = dave.get(url).content.decode()
    assert requests["c"].case_number in page and requests["a"].case_number not in page and "<strong>1</strong>" in page
    carried = dave.get(f"/baogao/{report.pk}/v/{version.number}/cell/table3/carried_in/6/").content.decode()
    assert requests["a"].case_number in carried and requests["b"].case_number not in carried
    assert dave.get(f"/baogao/{report.pk}/v/{version.number}/cell/table2/rules/0/").status_code == 404  # entered, no records
    assert dave.get(f"/baogao/{report.pk}/v/{version.number}/cell/table3/nope/0/").status_code == 404
    assert frank.get(url).status_code == 404
    doc = Document(io.BytesIO(render(report, version, signed_on=dt.date(2026, 1, 20))))
    assert len(doc.tables) == 3
    t3 = doc.tables[1]
    assert t3.rows[1].cells[0].text == "一、本年新收政府信息公开申请数量" and [c.text for c in t3.rows[1].cells[1:]] == ["3", "0", "0", "0", "0", "0", "3"]
    t4 = doc.tables[2]
    assert t4.rows[0].cells[1].text == "行政复议" and t4.rows[1].cells[1].text == "结果维持"
    assert [d.isoformat() for d, _ in services.deadlines(report)] == ["2026-03-31"]  # a government: 3月31日


def test_the_statutory_dates_come_from_the_definition_by_kind_of_unit(org: Any) -> None:
    from fazhi.core.errors import DefinitionError
    from fazhi.core.strictyaml import loads_strict
    from fazhi.reports.generator import parse

    department = services.report_create(unit=org.dept, kind="gkndbg", year=2025, actor=org.dave)
    assert services.deadlines(department) == [(dt.date(2026, 1, 31), "向社会公布（部门：1月31日前）")]
    bad = "kind: x\ntitle: t\ndeadlines:\n  - {month: 2, day: 30, label: l, citation: c}\nparts:\n  - {key: a, title: A}\n"
    with pytest.raises(DefinitionError, match="不是有效日期"):
        parse(loads_strict(bad, "bad.yaml"), "bad.yaml")


def test_a_cell_lists_only_the_records_of_the_users_units_and_counts_the_others(org: Any, requests: Any) -> None:
    report = services.report_create(unit=org.district, kind="gkndbg", year=2025, actor=org.dave)
    version = services.version_generate(report=report, actor=org.dave)
    url = f"/baogao/{report.pk}/v/{version.number}/cell/table3/new/6/"
    alice, erin = Client(), Client()
    alice.force_login(org.alice)  # the reconsideration body: the district's report, none of these requests
    erin.force_login(org.erin)  # the department that holds them
    page = alice.get(url).content.decode()
    assert "<strong>3</strong>" in page  # the figure is the district's
    assert all(requests[k].case_number not in page for k in "abcd")
    assert "另有3件属其他单位" in page
    own = erin.get(url).content.decode()
    assert all(requests[k].case_number in own for k in "bcd") and "属其他单位" not in own
