"""Appeals in the 行政应诉 register: the appeal periods (行政诉讼法 art.85), the result of a
lawsuit by its last decision (art.89) in the indicators and in Table 四, and the 复议机关
co-defendant flag (art.26(2))."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import do
from fazhi.core.errors import ValidationFailed
from fazhi.indicators.engine import Period, compute
from fazhi.registers.framework.clocks import matter_clocks
from fazhi.registers.litigation.models import LitigationCase
from fazhi.registers.litigation.tests.test_litigation import lawsuit
from fazhi.reports.disclosure_tables import cell_records, table4

pytestmark = pytest.mark.django_db

FINAL = ["ys.decided_finally", "ys.loss_rate", "ys.win_rate", "ys.corrected"]


def judged(org: Any, number: str, outcome: str, *, served: str = "2025-06-12", **overrides: Any) -> LitigationCase:
    case = lawsuit(org, received_on=dt.date(2025, 3, 3), court_case_number=number, **overrides)
    do(case, "judge", org.erin, judged_on="2025-06-10", outcome=outcome)
    do(case, "record_service", org.erin, judgment_served_on=served)
    return case


def appealed(org: Any, first: LitigationCase, appellant: str, second_outcome: str | None, **judge: Any) -> LitigationCase:
    do(first, "appeal", org.erin, appealed_on="2025-06-20", appellant=appellant)
    second = lawsuit(
        org,
        instance="second",
        received_on=dt.date(2025, 7, 1),
        prior_case_number=first.court_case_number,
        court_case_number=first.court_case_number.replace("行初", "行终"),
        disclosure_related=first.disclosure_related,
        after_reconsideration=first.after_reconsideration,
    )
    if second_outcome:
        do(second, "judge", org.erin, judged_on="2025-09-10", outcome=second_outcome, **judge)
    return second


def appeal_clock(case: LitigationCase) -> tuple[str, dt.date | None] | None:
    running = [c for c in matter_clocks(case) if c.rule.startswith("litigation.appeal")]
    return (running[0].rule, running[0].result.due) if running else None


def final_figures(org: Any) -> dict[str, tuple[Any, Any, Any]]:
    out = {}
    for source in ("raw", "rollup"):
        values = compute([org.dept], Period.year(2025), FINAL, source=source)
        out[source] = {code: (v[org.dept.pk].value, v[org.dept.pk].numerator, v[org.dept.pk].denominator) for code, v in values.items()}
    assert out["raw"] == out["rollup"]
    return out["raw"]


def test_the_appeal_period_runs_from_service_15_days_for_a_judgment_10_for_a_ruling(org: Any, client: Client) -> None:
    judgment = judged(org, "（2025）鄂0102行初1号", "set_aside", served="2025-11-24")
    assert appeal_clock(judgment) == ("litigation.appeal", dt.date(2025, 12, 9))
    assert judgment.due_on is None, "the appeal period is not a deadline of the agency"
    client.force_login(org.erin)
    page = client.get(f"/r/litigation/{judgment.pk}/").content.decode()
    assert "上诉期限（判决）" in page and "2025-12-09" in page and "裁判发生法律效力" in page and "登记上诉" in page
    with pytest.raises(ValidationFailed, match="上诉期至 2025-12-09 届满"):
        do(judgment, "close", org.erin, closed_on="2025-12-09")
    with pytest.raises(ValidationFailed, match="上诉期已于 2025-12-09 届满"):
        do(judgment, "appeal", org.erin, appealed_on="2025-12-10", appellant="agency")
    do(judgment, "appeal", org.erin, appealed_on="2025-12-09", appellant="agency")
    assert judgment.state == "appealed" and appeal_clock(judgment) is None

    ruling = judged(org, "（2025）鄂0102行初2号", "suit_dismissed", served="2025-11-24")
    assert appeal_clock(ruling) == ("litigation.appeal_ruling", dt.date(2025, 12, 4))
    with pytest.raises(ValidationFailed, match="上诉期至 2025-12-04 届满"):
        do(ruling, "close", org.erin, closed_on="2025-12-04")
    do(ruling, "close", org.erin, closed_on="2025-12-05")
    assert ruling.state == "closed" and appeal_clock(ruling) is None

    withdrawn = lawsuit(org, court_case_number="（2025）鄂0102行初3号")
    do(withdrawn, "judge", org.erin, judged_on="2025-11-20", outcome="withdrawn")
    assert withdrawn.appeal_period == "none"
    with pytest.raises(ValidationFailed, match="不能上诉"):
        do(withdrawn, "appeal", org.erin, appealed_on="2025-11-25", appellant="plaintiff")
    do(withdrawn, "close", org.erin, closed_on="2025-11-21")


def test_a_second_instance_follows_the_recorded_first_and_is_final(org: Any) -> None:
    first = judged(org, "（2025）鄂0102行初4号", "claim_rejected")
    with pytest.raises(ValidationFailed, match="尚未登记上诉"):
        lawsuit(org, instance="second", prior_case_number=first.court_case_number)
    do(first, "appeal", org.erin, appealed_on="2025-06-20", appellant="plaintiff")
    with pytest.raises(ValidationFailed) as exc:
        lawsuit(org, instance="second", prior_case_number=first.court_case_number, appellant="agency")
    assert "appellant" in exc.value.errors
    second = lawsuit(org, instance="second", received_on=dt.date(2025, 7, 1), prior_case_number=first.court_case_number)
    assert (second.appellant, second.first_instance_result) == ("plaintiff", "won")
    do(second, "judge", org.erin, judged_on="2025-09-10", outcome="appeal_dismissed")
    with pytest.raises(ValidationFailed, match="终审"):
        do(second, "appeal", org.erin, appealed_on="2025-09-15", appellant="plaintiff")
    do(second, "close", org.erin, closed_on="2025-09-11")


def test_a_first_instance_loss_reversed_on_the_agencys_appeal_counts_as_won_and_the_reverse(org: Any) -> None:
    reversed_for = appealed(org, judged(org, "（2025）鄂0102行初5号", "set_aside"), "agency", "appeal_varied")
    assert reversed_for.agency_result == "won"
    reversed_against = appealed(org, judged(org, "（2025）鄂0102行初6号", "claim_rejected"), "plaintiff", "appeal_varied")
    assert reversed_against.agency_result == "lost"
    kept = appealed(org, judged(org, "（2025）鄂0102行初7号", "claim_rejected"), "plaintiff", "appeal_dismissed")
    assert kept.agency_result == "won"
    judged(org, "（2025）鄂0102行初8号", "declared_illegal")  # not appealed: lost
    figures = final_figures(org)
    # four lawsuits, each once by its last decision: two won, two lost (改判 is not "lost" as such)
    assert figures["ys.decided_finally"][0] == 4
    assert figures["ys.loss_rate"][1:] == (2, 4) and figures["ys.win_rate"][1:] == (2, 4)
    assert figures["ys.corrected"][0] == 2
    # a remand leaves the lawsuit undecided: it leaves the denominator until the retrial decides
    remanded = appealed(org, judged(org, "（2025）鄂0102行初9号", "set_aside"), "agency", "remanded")
    assert remanded.agency_result == ""
    assert final_figures(org)["ys.decided_finally"][0] == 4


def test_an_appeal_pending_leaves_the_first_instance_out_and_both_sides_appealing_needs_the_result(org: Any) -> None:
    first = judged(org, "（2025）鄂0102行初10号", "set_aside")
    assert final_figures(org)["ys.loss_rate"][1:] == (1, 1)
    second = appealed(org, first, "both", None)
    assert final_figures(org)["ys.decided_finally"][0] == 0, "an appealed decision does not take effect"
    with pytest.raises(ValidationFailed, match="均上诉"):
        do(second, "judge", org.erin, judged_on="2025-09-10", outcome="appeal_varied")
    do(second, "judge", org.erin, judged_on="2025-09-10", outcome="appeal_varied", agency_result="lost")
    assert final_figures(org)["ys.loss_rate"][1:] == (1, 1)
    # 改判 on the agency's own appeal may still find against it (e.g. 撤销 changed to 确认违法)
    other = appealed(org, judged(org, "（2025）鄂0102行初11号", "set_aside"), "agency", "appeal_varied", agency_result="lost")
    assert other.agency_result == "lost"
    # ...but 驳回上诉 keeps the first-instance result: a stated result against it is refused
    third = appealed(org, judged(org, "（2025）鄂0102行初12号", "set_aside"), "agency", None)
    with pytest.raises(ValidationFailed, match="第八十九条"):
        do(third, "judge", org.erin, judged_on="2025-09-10", outcome="appeal_dismissed", agency_result="won")


def test_the_reconsideration_body_as_co_defendant_needs_a_case_after_reconsideration(org: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        lawsuit(org, reconsideration_codefendant=True)
    assert set(exc.value.errors) == {"reconsideration_codefendant", "co_defendant_name"}
    assert "第二十六条第二款" in exc.value.errors["reconsideration_codefendant"][0]
    case = lawsuit(org, after_reconsideration=True, reconsideration_codefendant=True, co_defendant_name="东湖区人民政府")
    assert case.reconsideration_codefendant
    values = compute([org.dept], Period.year(2025), ["ys.reconsideration_codefendant"], source="raw")
    assert values["ys.reconsideration_codefendant"][org.dept.pk].value == 1


def test_table_four_counts_a_disclosure_lawsuit_by_its_final_result(org: Any) -> None:
    # 原告上诉，二审改判: the agency's first-instance win is corrected in the end
    won_then_lost = judged(org, "（2025）鄂0102行初20号", "claim_rejected", disclosure_related=True)
    appealed(org, won_then_lost, "plaintiff", "appeal_varied")
    # 本机关上诉，二审改判: a first-instance loss reversed is 结果维持
    lost_then_won = judged(org, "（2025）鄂0102行初21号", "set_aside", disclosure_related=True, after_reconsideration=True)
    appealed(org, lost_then_won, "agency", "appeal_varied")
    # appealed, not yet decided at the end of the year: 尚未审结
    pending = judged(org, "（2025）鄂0102行初22号", "set_aside", disclosure_related=True)
    appealed(org, pending, "agency", None)
    t = table4(org.district, 2025)
    direct, after = t.rows[0].cells[5:10], t.rows[0].cells[10:15]
    assert direct == [0, 1, 0, 1, 2] and after == [1, 0, 0, 0, 1] and t.problems == []
    reg, qs = cell_records(org.district, 2025, "table4", "cases", 6)  # type: ignore[misc]
    assert reg == "litigation" and list(qs) == [won_then_lost]
    reg, qs = cell_records(org.district, 2025, "table4", "cases", 10)  # type: ignore[misc]
    assert list(qs) == [lost_then_won]
