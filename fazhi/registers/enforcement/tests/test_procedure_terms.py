"""行政执法 procedure terms: the 查封、扣押 term (行政强制法 arts.25, 27), the decision term per sector
with its extension and the periods not counted (行政处罚法 art.60; 市场监督管理行政处罚程序规定 art.64),
the party's 陈述、申辩 and hearing windows (行政处罚法 arts.44, 45, 62, 64, 85), and the 行政许可 terms
(行政许可法 arts.32, 42, 45, 82)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import Org, do
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.models import EnforcementCase, PowerItem
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.clocks import matter_clocks

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def agency(org: Org) -> Agency:
    return make_agency(org)


def item(agency: Agency, kind: str, sector: str = "market_regulation") -> PowerItem:
    return PowerItem.objects.create(unit=agency.unit, code=f"T-{kind}-{sector}", name=f"{kind}事项", kind=kind, sector=sector, legal_basis="某法")


def dues(case: EnforcementCase) -> dict[str, dt.date | None]:
    return {c.rule: c.result.due for c in matter_clocks(case)}


def errors_of(exc: pytest.ExceptionInfo[ValidationFailed], field: str) -> str:
    return "；".join(exc.value.errors.get(field, []))


# --- 行政强制 -------------------------------------------------------------------------------


def test_the_seizure_term_runs_from_the_seizure_to_the_decision_not_from_the_case(agency: Agency) -> None:
    case = open_case(agency, item=item(agency, "coercion"))
    assert case.term == "coercion" and dues(case) == {}  # no seizure yet: no term runs
    do(case, "seize", agency.clerk, seized_on=D(2025, 4, 1), seizure_items="冷冻肉品")
    assert dues(case) == {"coercion.seizure": D(2025, 5, 6)}  # 05-01 falls in 劳动节: next working day
    assert case.due_on == D(2025, 5, 6) and case.due_rule == "coercion.seizure"
    do(case, "decide", agency.head, decided_on=D(2025, 4, 25), outcome="measure_taken", decision_number="强1")
    assert case.deadlines == {"coercion.seizure": "met"}  # 立案 03-03 + 30 would have made it late


def test_the_seizure_is_extended_once_by_the_head_and_testing_is_not_counted(agency: Agency) -> None:
    case = open_case(agency, item=item(agency, "coercion"))
    with pytest.raises(ValidationFailed) as exc:
        do(case, "extend_seizure", agency.head, seizure_extended_on=D(2025, 4, 2))
    assert "没有尚未解除的查封、扣押" in errors_of(exc, "seizure_extended_on")
    do(case, "seize", agency.clerk, seized_on=D(2025, 4, 1), seizure_items="冷冻肉品")
    do(case, "start_testing", agency.clerk, testing_started_on=D(2025, 4, 10))
    assert case.testing_open and dues(case) == {"coercion.seizure": None}  # paused
    with pytest.raises(ValidationFailed) as exc:  # no 处理决定 before the result is in
        do(case, "decide", agency.head, decided_on=D(2025, 4, 15), outcome="measure_taken", decision_number="强2")
    assert "结果尚未记录" in errors_of(exc, "decided_on")
    do(case, "finish_testing", agency.clerk, testing_finished_on=D(2025, 4, 20))
    assert dues(case) == {"coercion.seizure": D(2025, 5, 12)}  # 05-01 + 10 days of testing = 05-11 (Sunday)
    with pytest.raises(PermissionDenied):
        do(case, "extend_seizure", agency.clerk, seizure_extended_on=D(2025, 5, 6))  # the head's step
    do(case, "extend_seizure", agency.head, seizure_extended_on=D(2025, 5, 6))
    assert dues(case) == {"coercion.seizure": D(2025, 6, 10)}  # + 30 days
    with pytest.raises(TransitionNotAllowed):  # only once (第二十五条)
        do(case, "extend_seizure", agency.head, seizure_extended_on=D(2025, 5, 8))
    do(case, "release_seizure", agency.head, seizure_released_on=D(2025, 6, 12))
    assert case.deadlines == {"coercion.seizure": "late"} and case.state == "investigating"


def test_an_expired_seizure_term_cannot_be_extended(agency: Agency) -> None:
    case = open_case(agency, item=item(agency, "coercion"))
    do(case, "seize", agency.clerk, seized_on=D(2025, 4, 1), seizure_items="冷冻肉品")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "extend_seizure", agency.head, seizure_extended_on=D(2025, 5, 7))
    assert "2025-05-06 届满" in errors_of(exc, "seizure_extended_on")


def test_a_seizure_in_a_penalty_case_ends_with_the_penalty_decision(agency: Agency) -> None:
    case = open_case(agency)  # a penalty under the 行政处罚法 alone
    do(case, "seize", agency.clerk, seized_on=D(2025, 3, 5), seizure_items="电热水壶")
    # testing pauses the seizure term; this term (第六十条) has no such exclusion, so it runs on
    do(case, "start_testing", agency.clerk, testing_started_on=D(2025, 3, 6))
    assert dues(case) == {"penalty.decision": D(2025, 6, 3), "coercion.seizure": None}
    do(case, "finish_testing", agency.clerk, testing_finished_on=D(2025, 3, 16))
    assert dues(case)["coercion.seizure"] == D(2025, 4, 14)  # 04-04 + 10 = 04-14
    inspection = open_case(agency, item=agency.inspection)
    with pytest.raises(ValidationFailed) as exc:
        do(inspection, "seize", agency.clerk, seized_on=D(2025, 3, 5), seizure_items="x")
    assert "只有行政强制或行政处罚案件" in errors_of(exc, "seized_on")


# --- 行政处罚: 办案期限 ---------------------------------------------------------------------


def test_the_market_regulation_term_is_extended_once_and_excludes_the_periods_its_rule_lists(agency: Agency) -> None:
    case = open_case(agency, item=item(agency, "penalty"))
    assert case.term == "penalty_market" and dues(case) == {"penalty.decision_market": D(2025, 6, 3)}
    with pytest.raises(ValidationFailed) as exc:  # not in the list of 第六十四条
        do(case, "exclude_period", agency.clerk, excluded_from=D(2025, 4, 1), excluded_reason="expert_review")
    assert "不扣除该期间" in errors_of(exc, "excluded_reason") and "听证" in errors_of(exc, "excluded_reason")
    do(case, "exclude_period", agency.clerk, excluded_from=D(2025, 4, 1), excluded_reason="announcement")
    assert case.term_paused and dues(case) == {"penalty.decision_market": None}
    with pytest.raises(ValidationFailed):  # one period at a time
        do(case, "exclude_period", agency.clerk, excluded_from=D(2025, 4, 2), excluded_reason="hearing")
    do(case, "end_excluded_period", agency.clerk, excluded_until=D(2025, 4, 21))
    assert dues(case) == {"penalty.decision_market": D(2025, 6, 23)}  # 06-01 + 20 days of 公告 = 06-21 (Saturday)
    do(case, "extend_term", agency.head, term_extended_on=D(2025, 6, 20), term_extension_reason="案情复杂")
    assert dues(case) == {"penalty.decision_market": D(2025, 7, 21)}
    with pytest.raises(ValidationFailed) as exc:
        do(case, "extend_term", agency.head, term_extended_on=D(2025, 6, 25), term_extension_reason="仍需调查")
    assert "只能延长1次" in errors_of(exc, "term_extended_on") and "第六十四条" in errors_of(exc, "term_extended_on")


def test_a_continued_extension_needs_the_first_and_collective_discussion_and_ends_the_statutory_term(agency: Agency) -> None:
    case = open_case(agency, item=item(agency, "penalty"))
    with pytest.raises(ValidationFailed) as exc:
        do(case, "continue_term", agency.head, term_continued_on=D(2025, 5, 20), term_continued_days=30)
    assert "经负责人批准延长后" in errors_of(exc, "term_continued_on")
    do(case, "extend_term", agency.head, term_extended_on=D(2025, 5, 20), term_extension_reason="案情复杂")
    with pytest.raises(ValidationFailed) as exc:  # after the extended term ended (07-01)
        do(case, "continue_term", agency.head, term_continued_on=D(2025, 7, 2), term_continued_days=30)
    assert "2025-07-01 届满" in errors_of(exc, "term_continued_on")
    do(case, "continue_term", agency.head, term_continued_on=D(2025, 7, 1), term_continued_days=30)
    assert case.deadlines == {"penalty.decision_market": "met"} and dues(case) == {}


def test_without_a_sector_rule_the_ninety_days_are_neither_extended_nor_paused(agency: Agency) -> None:
    case = open_case(agency)
    assert case.term == "penalty"
    with pytest.raises(ValidationFailed) as exc:
        do(case, "extend_term", agency.head, term_extended_on=D(2025, 5, 20), term_extension_reason="案情复杂")
    assert "不能延长" in errors_of(exc, "term_extended_on")
    for reason in ("hearing", "suspension"):
        with pytest.raises(ValidationFailed) as exc:
            do(case, "exclude_period", agency.clerk, excluded_from=D(2025, 4, 1), excluded_reason=reason)
        assert "第六十条" in errors_of(exc, "excluded_reason")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "continue_term", agency.head, term_continued_on=D(2025, 5, 20), term_continued_days=30)
    assert "没有经集体讨论继续延期" in errors_of(exc, "term_continued_on")
    with pytest.raises(ValidationFailed) as exc:  # testing is not excluded here and nothing is seized
        do(case, "start_testing", agency.clerk, testing_started_on=D(2025, 4, 1))
    assert "不扣除检测" in errors_of(exc, "testing_started_on")


def test_the_sector_term_applies_from_the_day_its_rule_is_in_force(agency: Agency) -> None:
    assert rules.term_for("penalty", "market_regulation", False, D(2021, 7, 15)) == "penalty_market"
    assert rules.term_for("penalty", "market_regulation", False, D(2021, 7, 14)) == "penalty"
    assert rules.term_for("penalty", "", False, D(2025, 1, 1)) == "penalty"
    assert rules.term_for("licence", "market_regulation", True, D(2025, 1, 1)) == "licence_joint"
    assert rules.term_for("coercion", "market_regulation", False, D(2025, 1, 1)) == "coercion"


# --- 行政处罚: 陈述、申辩和听证 ------------------------------------------------------------


def test_no_penalty_decision_before_the_statement_window_ends(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=D(2025, 3, 20), proposed_fine="2000")
    for day in (D(2025, 3, 20), D(2025, 3, 27)):  # the notice day, and the window's last day
        with pytest.raises(ValidationFailed) as exc:
            do(case, "decide", agency.head, decided_on=day, outcome="penalty_imposed", decision_number="罚1", fine_amount="2000")
        assert "陈述、申辩的期限至 2025-03-27 届满" in errors_of(exc, "decided_on") and "第六十二条" in errors_of(exc, "decided_on")
    do(case, "decide", agency.head, decided_on=D(2025, 3, 28), outcome="penalty_imposed", decision_number="罚1", fine_amount="2000")
    assert case.state == "decided"


def test_a_waiver_ends_the_window_but_only_for_the_right_waived(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=D(2025, 4, 28), proposed_measure="licence_revocation")
    assert case.hearing_right
    do(case, "waive_rights", agency.clerk, rights_waived_on=D(2025, 4, 29), rights_waived="statement")
    with pytest.raises(ValidationFailed) as exc:  # the hearing-request window (5 working days) still runs
        do(case, "decide", agency.head, decided_on=D(2025, 5, 6), outcome="penalty_imposed", decision_number="罚2", measure="licence_revocation")
    message = errors_of(exc, "decided_on")
    assert "2025-05-08 前要求听证" in message and "陈述、申辩" not in message
    do(case, "waive_rights", agency.clerk, rights_waived_on=D(2025, 5, 6), rights_waived="hearing")
    assert case.rights_waived == "statement_and_hearing"
    with pytest.raises(ValidationFailed) as exc:
        do(case, "request_hearing", agency.clerk, hearing_requested_on=D(2025, 5, 7))
    assert "放弃听证权利" in errors_of(exc, "hearing_requested_on")
    do(case, "discuss", agency.head, discussed_on=D(2025, 5, 6), discussion_conclusion="同意")
    do(case, "decide", agency.head, decided_on=D(2025, 5, 6), outcome="penalty_imposed", decision_number="罚2", measure="licence_revocation")
    assert case.state == "decided"


def test_without_a_hearing_right_there_is_no_hearing_to_waive(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=D(2025, 3, 20), proposed_fine="500")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "waive_rights", agency.clerk, rights_waived_on=D(2025, 3, 21), rights_waived="hearing")
    assert "没有听证权利" in errors_of(exc, "rights_waived")


def test_a_hearing_is_noticed_seven_working_days_before_it(agency: Agency) -> None:
    case = open_case(agency, party_type="legal_person", party_name="东湖电器有限公司")
    do(case, "notify", agency.clerk, notified_on=D(2025, 3, 20), proposed_fine="150000")
    do(case, "request_hearing", agency.clerk, hearing_requested_on=D(2025, 3, 25))
    with pytest.raises(ValidationFailed) as exc:
        do(case, "hold_hearing", agency.head, hearing_held_on=D(2025, 4, 8))
    assert "请先记录通知" in errors_of(exc, "hearing_held_on")
    do(case, "notice_hearing", agency.clerk, hearing_noticed_on=D(2025, 3, 27))
    with pytest.raises(ValidationFailed) as exc:  # 7 working days after 03-27 (清明 04-04): 04-08
        do(case, "hold_hearing", agency.head, hearing_held_on=D(2025, 4, 7))
    assert "最早只能在 2025-04-08 举行" in errors_of(exc, "hearing_held_on")
    do(case, "hold_hearing", agency.head, hearing_held_on=D(2025, 4, 8))
    assert case.hearing_held and case.state == "notified"


# --- 行政许可 -------------------------------------------------------------------------------


def test_a_licence_term_is_extended_by_ten_working_days_once(agency: Agency) -> None:
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    assert case.term == "licence" and dues(case) == {"licence.decision": D(2025, 3, 31)}
    do(case, "extend_term", agency.head, term_extended_on=D(2025, 3, 28), term_extension_reason="需现场核查")
    assert dues(case) == {"licence.decision": D(2025, 4, 15)}
    with pytest.raises(ValidationFailed) as exc:
        do(case, "extend_term", agency.head, term_extended_on=D(2025, 4, 1), term_extension_reason="再延")
    assert "只能延长1次" in errors_of(exc, "term_extended_on")


def test_a_planned_extension_counts_as_one_taken(agency: Agency) -> None:
    """A ledger import plans a row's steps in memory: an extension planned earlier in the row is an
    event the plan holds, not yet a row of the events table; a second one is refused as the
    services refuse it (行政许可法第四十二条: once)."""
    from fazhi.registers.enforcement.hooks import term_errors
    from fazhi.registers.framework.clocks import EventFact, events_known, matter_events

    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    assert term_errors(case, "extend_term", {"term_extended_on": D(2025, 3, 28)}) == {}
    events_known(case, [*matter_events(case), EventFact("extend_term", D(2025, 3, 28))])
    errors = term_errors(case, "extend_term", {"term_extended_on": D(2025, 4, 1)})
    assert "只能延长1次" in "".join(errors.get("term_extended_on", []))


def test_joint_handling_gives_forty_five_working_days_and_fifteen_more(agency: Agency) -> None:
    with pytest.raises(ValidationFailed) as exc:
        open_case(agency, joint_handling=True)
    assert "只有行政许可事项" in errors_of(exc, "joint_handling")
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司", joint_handling=True)
    assert case.term == "licence_joint" and dues(case) == {"licence.decision_joint": D(2025, 5, 8)}
    do(case, "extend_term", agency.head, term_extended_on=D(2025, 5, 6), term_extension_reason="多部门会审")
    assert dues(case) == {"licence.decision_joint": D(2025, 5, 29)}  # + 15 working days


def test_periods_a_licence_does_not_count_and_no_decision_while_one_is_open(agency: Agency) -> None:
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    do(case, "exclude_period", agency.clerk, excluded_from=D(2025, 3, 10), excluded_reason="expert_review")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "decide", agency.head, decided_on=D(2025, 3, 20), outcome="licence_granted", decision_number="许1")
    assert "尚未结束" in errors_of(exc, "decided_on")
    do(case, "end_excluded_period", agency.clerk, excluded_until=D(2025, 3, 17))
    assert dues(case) == {"licence.decision": D(2025, 4, 8)}  # 5 working days (03-11..03-17) added
    do(case, "start_testing", agency.clerk, testing_started_on=D(2025, 3, 18))  # 检验、检测 also excluded (第四十五条)
    do(case, "finish_testing", agency.clerk, testing_finished_on=D(2025, 3, 20))
    assert dues(case) == {"licence.decision": D(2025, 4, 10)}
    with pytest.raises(ValidationFailed):
        do(case, "exclude_period", agency.clerk, excluded_from=D(2025, 3, 21), excluded_reason="announcement")


def test_a_correction_told_within_five_working_days_restarts_the_term_from_the_complete_materials(agency: Agency) -> None:
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    do(case, "request_correction", agency.clerk, correction_requested_on=D(2025, 3, 10), correction_items="平面图")  # the 5th working day
    assert dues(case) == {"licence.decision": None}  # not accepted yet
    with pytest.raises(TransitionNotAllowed):  # 一次告知: once
        do(case, "request_correction", agency.clerk, correction_requested_on=D(2025, 3, 10), correction_items="营业执照")
    do(case, "receive_correction", agency.clerk, correction_received_on=D(2025, 3, 17))
    assert dues(case) == {"licence.decision": D(2025, 4, 15)}
    do(case, "decide", agency.head, decided_on=D(2025, 4, 10), outcome="licence_granted", decision_number="许2")
    assert case.deadlines["licence.decision"] == "met"


def test_a_late_correction_notice_is_refused_and_the_application_counts_as_accepted_on_receipt(agency: Agency) -> None:
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "request_correction", agency.clerk, correction_requested_on=D(2025, 3, 11), correction_items="平面图")
    assert "至 2025-03-10" in errors_of(exc, "correction_requested_on") and "即为受理" in errors_of(exc, "correction_requested_on")
    with pytest.raises(ValidationFailed):  # nothing to receive
        do(case, "receive_correction", agency.clerk, correction_received_on=D(2025, 3, 12))
    with pytest.raises(ValidationFailed):  # only a licence application is corrected
        do(open_case(agency), "request_correction", agency.clerk, correction_requested_on=D(2025, 3, 4), correction_items="x")
    do(case, "decide", agency.head, decided_on=D(2025, 4, 10), outcome="licence_granted", decision_number="许3")
    assert case.deadlines["licence.decision"] == "late"  # due 03-31, counted from receipt


def test_stored_cases_keep_the_term_of_their_kind(agency: Agency, org: Any) -> None:
    """The migration fills the term of cases opened before it from their kind (the law's own)."""
    case = open_case(agency, item=agency.licence, party_type="legal_person", party_name="东湖餐饮有限公司")
    EnforcementCase.objects.filter(pk=case.pk).update(term="")
    from importlib import import_module

    from django.apps import apps

    import_module("fazhi.registers.enforcement.migrations.0004_procedure_terms").fill_term(apps, None)
    case.refresh_from_db()
    assert case.term == "licence" and dues(case) == {"licence.decision": D(2025, 3, 31)}


def test_the_power_list_import_sets_the_sector_that_picks_the_term(agency: Agency, org: Org) -> None:
    from fazhi.core.errors import ImportFailed
    from fazhi.registers.enforcement.importers import powers_import

    header = "单位编码,事项编码,事项名称,职权类别,设定依据,适用的程序规定\n"
    rows = f"{agency.unit.code},SJ-CF-009,对虚假宣传的处罚,行政处罚,《反不正当竞争法》第二十条,市场监督管理\n"
    powers_import(data=(header + rows).encode(), filename="权责清单.csv")  # from the command line
    assert PowerItem.objects.get(code="SJ-CF-009").sector == "market_regulation"
    case = open_case(agency, item=PowerItem.objects.get(code="SJ-CF-009"))
    assert case.term == "penalty_market"
    with pytest.raises(ImportFailed) as exc:
        powers_import(data=(header + rows.replace("市场监督管理\n", "交通运输\n")).encode(), filename="权责清单.csv")
    assert any("适用的程序规定" in p for p in exc.value.problems)


def test_the_new_steps_have_forms_in_chinese_and_post_through_the_services(agency: Agency) -> None:
    from django.test import Client

    from conftest import PASSWORD

    case = open_case(agency, item=item(agency, "penalty"))
    clerk, head = Client(), Client()
    assert clerk.login(username="erin", password=PASSWORD) and head.login(username="sj_head", password=PASSWORD)
    for client, step, label in (
        (clerk, "seize", "查封、扣押日期"),
        (clerk, "exclude_period", "不计入期限的事由"),
        (clerk, "start_testing", "送检测、检验、检疫或鉴定日期"),
        (head, "extend_term", "延长期限的理由"),
    ):
        page = client.get(f"/r/enforcement/{case.pk}/do/{step}/")
        assert page.status_code == 200 and label in page.content.decode(), step
    response = clerk.post(f"/r/enforcement/{case.pk}/do/exclude_period/", {"excluded_from": "2025-04-01", "excluded_reason": "expert_review"})
    assert response.status_code == 200 and "不扣除该期间" in response.content.decode()
    response = clerk.post(f"/r/enforcement/{case.pk}/do/exclude_period/", {"excluded_from": "2025-04-01", "excluded_reason": "hearing"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.term_paused and case.excluded_reason == "hearing"


def test_the_on_time_indicator_counts_every_penalty_term() -> None:
    """按期办结率（处罚） counts a 市场监管 case by its own term, not only the 行政处罚法's 90 days."""
    from fazhi.indicators.catalogue import catalogue

    where = dict(catalogue()["zf.on_time_rate"].measures["denominator"].where)
    assert {"penalty.decision", "penalty.decision_market"} <= set(dict(where["deadline"])["rules"]) and where["kind"] == "penalty"
