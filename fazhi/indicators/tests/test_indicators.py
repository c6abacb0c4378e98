"""The indicator catalogue: definitions, values for units and periods, rollups against raw rows, traces."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from conftest import do
from fazhi.core.errors import DefinitionError
from fazhi.indicators import rollups
from fazhi.indicators.catalogue import _load_file, catalogue
from fazhi.indicators.engine import Computation, Period, cover, trace
from fazhi.indicators.models import Rollup
from fazhi.indicators.tests.conftest import request_
from fazhi.registers.framework.services import matter_amend

pytestmark = pytest.mark.django_db


CODES = ["gk.received", "gk.replied", "gk.on_time_rate", "gk.disclosed_share", "gk.carried_in", "gk.carried_out", "gk.received.yoy"]


def values(org: Any, period: Period, source: str = "rollup") -> dict[str, dict[int, Any]]:
    units = [org.city.pk, org.district.pk, org.dept.pk, org.body.pk, org.other_district.pk]
    return Computation(period, CODES, source=source).values(units)


def test_a_units_values_cover_its_subtree_for_the_year_with_carried_in_and_out_and_year_over_year(org: Any, requests: Any) -> None:
    v = values(org, Period.year(2025))
    d = org.district.pk
    assert v["gk.received"][d].value == 3 and v["gk.replied"][d].value == 3
    on_time = v["gk.on_time_rate"][d]
    assert (on_time.numerator, on_time.denominator, str(on_time.value), on_time.small) == (2, 3, "66.7", True)
    assert str(v["gk.disclosed_share"][d].value) == "66.7"
    assert v["gk.carried_in"][d].value == 1 and v["gk.carried_out"][d].value == 1
    yoy = v["gk.received.yoy"][d]
    assert (yoy.value, yoy.previous, str(yoy.change)) == (3, 1, "200.0")
    # the department is the district here; the city adds 西山; a unit without records says so
    assert v["gk.received"][org.dept.pk].value == 3 and v["gk.received"][org.city.pk].value == 4
    assert v["gk.received"][org.other_district.pk].value == 1
    assert v["gk.received"][org.body.pk].records == 0 and v["gk.on_time_rate"][org.body.pk].value is None


def test_quarters_months_and_custom_ranges_are_exact(org: Any, requests: Any) -> None:
    q1 = values(org, Period.quarter(2025, 1))
    d = org.district.pk
    assert q1["gk.received"][d].value == 2 and q1["gk.replied"][d].value == 2
    assert q1["gk.carried_in"][d].value == 1 and q1["gk.carried_out"][d].value == 1  # c: received 03-03, replied 05-30
    custom = values(org, Period(dt.date(2025, 2, 10), dt.date(2025, 5, 30)))
    assert custom["gk.replied"][d].value == 2 and custom["gk.received"][d].value == 1
    assert values(org, Period.month(2025, 12))["gk.received"][d].value == 1
    assert cover(dt.date(2024, 12, 30), dt.date(2026, 2, 2)) == [
        ("D", dt.date(2024, 12, 30)),
        ("D", dt.date(2024, 12, 31)),
        ("Y", dt.date(2025, 1, 1)),
        ("M", dt.date(2026, 1, 1)),
        ("D", dt.date(2026, 2, 1)),
        ("D", dt.date(2026, 2, 2)),
    ]


def test_rollups_follow_every_write_and_agree_with_the_raw_rows(org: Any, requests: Any) -> None:
    for period in [Period.year(2025), Period.year(2024), Period.quarter(2025, 2), Period(dt.date(2025, 1, 5), dt.date(2025, 3, 31))]:
        assert values(org, period) == values(org, period, source="raw"), period
    assert rollups.check() == []
    # an amendment moves nothing counted here; a reply moves a request out of "carried out"
    matter_amend(matter=requests["d"], actor=org.erin, changes={"applicant_name": "韩梅梅"}, reason="姓名写错")
    do(requests["d"], "reply", org.erin, replied_on="2026-01-05", outcome="disclosed")
    assert values(org, Period.year(2025))["gk.carried_out"][org.district.pk].value == 1  # still open on 2025-12-31
    assert values(org, Period.year(2026))["gk.replied"][org.district.pk].value == 1
    assert rollups.check() == []


def test_many_rollup_deltas_at_once_add_up_as_a_few_do(org: Any) -> None:
    """apply() of many rows at once (PostgreSQL: COPY into a temporary table and one upsert; a
    bulk write's path) adds to the rows already there exactly as applies of a few rows do."""
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(40)]  # January and February
    deltas: rollups.Deltas = {("bulk.test", org.district.pk, day, 0): [1, 100 * (i + 1)] for i, day in enumerate(days)}
    rollups.apply(deltas)  # 40 days, 2 months, 1 year: under the bulk path's threshold
    rollups.apply(deltas, chunk=1)  # the same, as many rows
    stored = {(g, s): (n, c) for g, s, n, c in Rollup.objects.filter(measure="bulk.test").values_list("grain", "start", "count", "cents")}
    assert stored[("D", dt.date(2025, 1, 3))] == (2, 600)
    assert stored[("M", dt.date(2025, 1, 1))] == (62, 2 * 100 * sum(range(1, 32)))
    assert stored[("M", dt.date(2025, 2, 1))] == (18, 2 * 100 * sum(range(32, 41)))
    assert stored[("Y", dt.date(2025, 1, 1))] == (80, 2 * 100 * sum(range(1, 41)))
    assert len(stored) == 40 + 2 + 1


def test_check_finds_a_rollup_that_disagrees_and_rebuild_repairs_it(org: Any, requests: Any) -> None:
    row = Rollup.objects.filter(grain="Y", count__gt=0).first()
    assert row is not None
    Rollup.objects.filter(pk=row.pk).update(count=row.count + 1)
    problems = rollups.check()
    assert problems and row.measure in problems[0]
    with pytest.raises(CommandError, match="不一致"):
        call_command("indicators", "check", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("indicators", "rebuild", stdout=io.StringIO(), stderr=io.StringIO())
    assert rollups.check() == []


def test_a_trace_lists_the_records_behind_numerator_and_denominator(org: Any, requests: Any) -> None:
    ind = catalogue()["gk.on_time_rate"]
    rows = trace(ind, org.district, Period.year(2025))
    numbers = {role: sorted(qs.values_list("case_number", flat=True)) for role, qs in rows.items()}
    r = requests
    assert numbers["numerator"] == sorted([r["a"].case_number, r["b"].case_number])
    assert numbers["denominator"] == sorted([r["a"].case_number, r["b"].case_number, r["c"].case_number])
    carried = trace(catalogue()["gk.carried_in"], org.district, Period.year(2025))
    assert list(carried["value"].values_list("case_number", flat=True)) == [r["a"].case_number]


def test_an_on_time_share_counts_the_matters_open_and_overdue_at_the_end_of_the_period_as_late(org: Any, requests: Any) -> None:
    from django.test import Client

    open_overdue = request_(org, org.dept, org.erin, "2025-10-09")  # due early November 2025, never answered
    answered_late = request_(org, org.dept, org.erin, "2025-11-20")  # due in December, answered in February
    do(answered_late, "reply", org.erin, replied_on="2026-02-10", outcome="disclosed")
    r = requests
    ind = catalogue()["gk.on_time_rate"]

    def share(period: Period) -> tuple[int, int, str]:
        seen = set()
        for source in ("rollup", "raw"):  # both ways of computing agree
            v = Computation(period, ["gk.on_time_rate"], source=source).values([org.district.pk, org.city.pk])["gk.on_time_rate"]
            d, city = v[org.district.pk], v[org.city.pk]
            assert city.denominator == d.denominator + (1 if period.start <= dt.date(2025, 4, 3) <= period.end else 0)  # 西山's reply, on time
            seen.add((d.numerator, d.denominator, str(d.value)))
        assert len(seen) == 1
        return seen.pop()

    def overdue(period: Period) -> set[str]:
        return set(trace(ind, org.district, period)["overdue"].values_list("case_number", flat=True))

    # 2025: a, b on time; c late; both open at the end of the year with their deadline passed (d is not due yet)
    assert share(Period.year(2025)) == (2, 5, "40.0")
    assert overdue(Period.year(2025)) == {open_overdue.case_number, answered_late.case_number}
    rows = trace(ind, org.district, Period.year(2025))
    assert set(rows["denominator"].values_list("case_number", flat=True)) == {x.case_number for x in (r["a"], r["b"], r["c"], open_overdue, answered_late)}
    # the first quarter: c (due 03-31, answered 05-30) was open and overdue on 31 March
    assert share(Period.quarter(2025, 1)) == (2, 3, "66.7") and overdue(Period.quarter(2025, 1)) == {r["c"].case_number}
    # 2026, a year not yet over: the late answer counts where it was given; the open ones (d, due in
    # January) are overdue today
    assert share(Period.year(2026)) == (0, 3, "0.0") and overdue(Period.year(2026)) == {open_overdue.case_number, r["d"].case_number}
    # the trace page lists them apart, and among the records that keep the share below 100%
    c = Client()
    c.force_login(org.dave)
    html = c.get("/zhibiao/gk.on_time_rate/", {"unit": org.district.pk, "year": 2025}).content.decode()
    part = html[html.index('data-role="overdue"') :]
    assert open_overdue.case_number in part[: part.index("</table>")] and "期末尚未办结且已超期" in html
    outside = html[html.index('data-role="outside"') :]
    assert open_overdue.case_number in outside[: outside.index("</table>")]


def test_the_command_lists_the_catalogue_and_computes_a_unit_as_json(org: Any, requests: Any) -> None:
    out = io.StringIO()
    call_command("indicators", "list", stdout=out)
    text = out.getvalue()
    assert all(code in text for code in catalogue()) and "口径：" in text and "依据：" in text
    out = io.StringIO()
    call_command("indicators", "compute", "--unit", "T-D", "--year", "2025", "--json", stdout=out, stderr=io.StringIO())
    doc = json.loads(out.getvalue())
    assert set(doc["values"]) == set(catalogue())
    assert doc["values"]["gk.received"]["value"] == 3 and doc["values"]["gk.on_time_rate"]["value"] == "66.7"
    assert doc["values"]["fy.received"]["records"] == 0  # no reconsideration records: not "0 as a result"
    raw = io.StringIO()
    call_command("indicators", "compute", "--unit", "T-D", "--year", "2025", "--json", "--raw", stdout=raw, stderr=io.StringIO())
    assert json.loads(raw.getvalue())["values"] == doc["values"]
    with pytest.raises(CommandError, match="没有编码为 NOPE"):
        call_command("indicators", "compute", "--unit", "NOPE", "--year", "2025", stdout=io.StringIO())


def test_every_indicator_says_what_it_is_and_where_it_comes_from() -> None:
    cat = catalogue()
    assert len(cat) >= 60
    for ind in cat.values():
        assert ind.name and ind.formula and ind.source, ind.code
        assert ind.type in ("count", "sum", "mean", "ratio", "on_time", "median_days", "open_at", "yoy")
    variants = {c: i.variant for c, i in cat.items() if i.variant}
    assert {"ys.head_appearance_rate", "fy.correction_rate"} <= set(variants)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  - {code: x, name: X, type: count, date: received_on, where: {colour: red}, formula: f, source: s}", "colour"),
        ("  - {code: x, name: X, type: average, date: received_on, formula: f, source: s}", "average"),
        ("  - {code: x, name: X, type: count, date: content, formula: f, source: s}", "不是日期字段"),
        ("  - {code: x, name: X, type: ratio, date: replied_on, numerator: {outcome_group: lucky}, formula: f, source: s}", "lucky"),
        ("  - {code: x, name: X, type: on_time, date: replied_on, clock: nothing.here, formula: f, source: s}", "nothing.here"),
        ("  - {code: x, name: X, type: count, date: received_on, where: {received_on: {around: 1}}, formula: f, source: s}", "around"),
    ],
)
def test_a_bad_definition_is_refused_with_the_file_and_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("register: disclosure\nindicators:\n" + body + "\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=message) as err:
        _load_file(path, {})
    assert "bad.yaml" in str(err.value)


@pytest.mark.parametrize(
    ("head", "body", "message"),
    [
        (
            "table: officers",
            "  - {code: x, name: X, type: on_time, date: certificate_issued_on, clock: penalty.decision, formula: f, source: s}",
            "只适用于登记簿",
        ),
        ("table: nowhere", "  - {code: x, name: X, type: count, date: held_on, formula: f, source: s}", "未知的数据表"),
        ("register: disclosure\ntable: officers", "  - {code: x, name: X, type: count, date: received_on, formula: f, source: s}", "之一"),
        ("table: casefiles", "  - {code: x, name: X, type: count, date: campaign__nothing, formula: f, source: s}", "campaign__nothing"),
    ],
)
def test_a_bad_table_definition_is_refused(tmp_path: Path, head: str, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(head + "\nindicators:\n" + body + "\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=message):
        _load_file(path, {})


def test_figures_from_tables_officers_training_and_inspections_with_their_traces(org: Any, settings: Any, tmp_path: Any) -> None:
    from decimal import Decimal

    from fazhi.registers.enforcement.models import Officer, TrainingRecord
    from fazhi.registers.enforcement.tests.fixtures import make_agency

    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    agency = make_agency(org)  # three officers of 市监, certified 2020-01-01, valid until 2030-12-31
    Officer.objects.create(
        unit=org.dept, name="执法丁", code="42010009", certificate_issued_on=dt.date(2019, 1, 1), certificate_valid_until=dt.date(2025, 12, 31)
    )
    Officer.objects.create(
        unit=org.dept, name="执法戊", code="42010010", certificate_issued_on=dt.date(2025, 6, 1), certificate_valid_until=dt.date(2031, 5, 31)
    )
    TrainingRecord.objects.create(officer=agency.officers[0], held_on=dt.date(2025, 3, 1), topic="行政处罚法", hours=Decimal("4.5"))
    TrainingRecord.objects.create(officer=agency.officers[1], held_on=dt.date(2025, 3, 1), topic="行政处罚法", hours=Decimal("4.5"))
    TrainingRecord.objects.create(officer=agency.officers[1], held_on=dt.date(2024, 12, 31), topic="去年", hours=Decimal("8"))
    from fazhi.registers.enforcement.models import OfficerExam

    for officer, score in zip(agency.officers, [Decimal("88"), Decimal("59"), Decimal("75")], strict=True):
        OfficerExam.objects.create(officer=officer, year=2025, score=score, passed=score >= 60)  # counted on 2025-12-31
    OfficerExam.objects.create(officer=agency.officers[0], year=2024, score=Decimal("40"), passed=False)
    codes = ["ry.certified", "ry.newly_certified", "ry.trainings", "ry.training_hours", "ry.examined", "ry.exam_pass_rate"]
    units = [org.district.pk, org.other_district.pk]
    v = Computation(Period.year(2025), codes).values(units)
    d = org.district.pk
    # 丁's certificate ends on the last day of the year: not held at the end; 戊 is new in 2025
    assert v["ry.certified"][d].value == 4 and v["ry.newly_certified"][d].value == 1
    assert v["ry.trainings"][d].value == 2 and str(v["ry.training_hours"][d].value) == "9"
    assert v["ry.certified"][org.other_district.pk].records == 0
    rate = v["ry.exam_pass_rate"][d]
    assert v["ry.examined"][d].value == 3 and (rate.numerator, rate.denominator, str(rate.value), rate.small) == (2, 3, "66.7", True)
    assert Computation(Period.year(2025), codes, source="raw").values(units)["ry.training_hours"][d] == v["ry.training_hours"][d]
    held = trace(catalogue()["ry.certified"], org.district, Period.year(2025))["value"]
    assert sorted(held.values_list("name", flat=True)) == ["执法丙", "执法乙", "执法戊", "执法甲"]
    # the trace page and its export show the officers' rows
    from django.test import Client

    c = Client()
    c.force_login(org.dave)
    page = c.get("/zhibiao/ry.certified/", {"unit": d, "year": 2025}).content.decode()
    assert "执法戊" in page and "执法丁" not in page and "执法证号" in page
    assert c.get("/zhibiao/ry.training_hours/export.xlsx", {"unit": d, "year": 2025}).status_code == 200


def test_a_measure_the_catalogue_gains_is_built_on_migrate_and_never_read_as_zeros_before(org: Any, requests: Any) -> None:
    from fazhi.indicators.models import BuiltMeasure

    key = catalogue()["gk.replied"].measures["value"].key
    # as if the catalogue had just gained gk.replied: no rollups, not built
    Rollup.objects.filter(measure=key).delete()
    BuiltMeasure.objects.filter(key=key).delete()
    with pytest.raises(DefinitionError, match="尚未生成汇总"):
        values(org, Period.year(2025))
    call_command("migrate", verbosity=0)  # post_migrate builds what is missing
    assert BuiltMeasure.objects.filter(key=key).exists()
    assert values(org, Period.year(2025))["gk.replied"][org.district.pk].value == 3
    assert rollups.check() == []


def test_reading_only_a_subtree_gives_the_same_values_for_its_units(org: Any, requests: Any) -> None:
    whole = Computation(Period.year(2025), CODES).values([org.district.pk, org.dept.pk])
    for source in ("rollup", "raw"):
        part = Computation(Period.year(2025), CODES, source=source, within=org.district).values([org.district.pk, org.dept.pk])
        assert part == whole
    # a unit outside the subtree read is not computed: it reads as no records
    outside = Computation(Period.year(2025), CODES, within=org.district).values([org.other_district.pk])
    assert outside["gk.received"][org.other_district.pk].records == 0


def test_clock_recompute_restores_whether_deadlines_were_kept_and_the_rollups_follow(org: Any, requests: Any) -> None:
    from fazhi.registers.disclosure.models import DisclosureRequest

    late = requests["c"]
    assert DisclosureRequest.objects.get(pk=late.pk).deadlines == {"disclosure.reply": "late"}
    # as if computed under another calendar: the stored flag (and so the rollups) say "met"
    DisclosureRequest.objects.filter(pk=late.pk).update(deadlines={"disclosure.reply": "met"})
    rollups.rebuild()
    assert values(org, Period.year(2025))["gk.on_time_rate"][org.district.pk].numerator == 3
    out = io.StringIO()
    call_command("clock", "recompute", "--dry-run", stdout=out, stderr=io.StringIO())
    assert f"{late.case_number}\t答复申请：按期 → 超期" in out.getvalue()
    assert DisclosureRequest.objects.get(pk=late.pk).deadlines == {"disclosure.reply": "met"}  # a dry run writes nothing
    call_command("clock", "recompute", stdout=io.StringIO(), stderr=io.StringIO())
    assert DisclosureRequest.objects.get(pk=late.pk).deadlines == {"disclosure.reply": "late"}
    assert values(org, Period.year(2025))["gk.on_time_rate"][org.district.pk].numerator == 2
    assert rollups.check() == []


def test_a_case_overdue_for_its_decision_counts_as_late_while_another_deadline_is_the_one_its_row_shows(org: Any) -> None:
    from conftest import application
    from fazhi.registers.framework.services import matter_create

    case = matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(received_on=dt.date(2025, 3, 3)))
    do(case, "accept", org.bob, accepted_on="2025-03-05", procedure="ordinary")  # never sent to the respondent, never decided
    case.refresh_from_db()
    assert case.due_rule == "reconsideration.copy_to_respondent"  # the earliest running deadline, not the decision's
    ind = catalogue()["fy.on_time_rate"]
    v = Computation(Period.year(2025), [ind.code]).values([org.district.pk])[ind.code][org.district.pk]
    assert (v.numerator, v.denominator, str(v.value)) == (0, 1, "0.0")
    assert list(trace(ind, org.district, Period.year(2025))["overdue"].values_list("pk", flat=True)) == [case.pk]
    # at the end of March its decision (60 days) was not yet due
    assert Computation(Period.quarter(2025, 1), [ind.code]).values([org.district.pk])[ind.code][org.district.pk].denominator == 0
