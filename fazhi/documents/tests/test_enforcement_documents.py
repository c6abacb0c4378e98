"""行政执法: the 行政处罚事先告知书 at 告知 (陈述、申辩; 听证 only where the penalty gives the right), the
行政处罚决定书 and the 不予行政处罚决定书 at 作出决定, with the 第五十九条 contents the case records, the
payment period and the remedy sentence from the dated rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import Org, do
from fazhi.core.errors import ValidationFailed
from fazhi.documents import services
from fazhi.documents.definition import templates
from fazhi.documents.models import IssuedDocument
from fazhi.law.clocks import clock_rules
from fazhi.registers.enforcement import rules
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.registry import REGISTRY

pytestmark = pytest.mark.django_db

REMEDY = "当事人如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"


@pytest.fixture
def agency(org: Org, settings: Any, tmp_path: Any) -> Agency:
    settings.FAZHI_EVIDENCE_DIR = tmp_path / "evidence"
    return make_agency(org)


def docs_at(case: Any, step: str) -> list[IssuedDocument]:
    return [d for d in services.documents_of("enforcement", case.pk) if d.step == step]


def filled(doc: IssuedDocument) -> str:
    text = "\n".join([doc.title, *doc.paragraphs])
    assert "{" not in text and "}" not in text, text
    return text


def test_placeholders_through_a_related_record_name_real_fields() -> None:
    from fazhi.registers.framework.workflow import WORKFLOWS

    for t in templates().values():
        base = REGISTRY[t.register].model if t.register in REGISTRY else WORKFLOWS[t.register].model
        for name in t.names():
            if "__" in name:
                model = base
                *path, last = name.split("__")
                for step in path:
                    model = model._meta.get_field(step).related_model
                model._meta.get_field(last)  # raises if the template names a field that is not there


def test_the_document_periods_agree_with_the_enforcement_rules() -> None:
    """The 告知书 prints the periods the register's checks enforce: one value, stated twice."""
    day = dt.date(2025, 3, 10)
    assert clock_rules()["penalty.statement_window"].value_on(day).length == rules.rule_in_force("statement_window", day).values["workdays"]  # type: ignore[union-attr]
    assert clock_rules()["penalty.hearing_request"].value_on(day).length == rules.rule_in_force("hearing_right", day).values["request_within_workdays"]  # type: ignore[union-attr]


def test_the_prior_notice_states_the_proposed_penalty_and_the_rights_without_a_hearing_below_the_threshold(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="5000")
    assert not case.hearing_right
    (doc,) = docs_at(case, "notify")
    text = filled(doc)
    assert (doc.title, doc.number, doc.addressee) == ("行政处罚事先告知书", "市监罚告字〔2025〕1号", "王小明")
    assert f"本机关于2025年3月3日对你（单位）立案调查（案号：{case.case_number}）。" in doc.paragraphs
    assert "经查：销售不合格电热水壶" in doc.paragraphs
    assert "依据《产品质量法》第五十条的规定" in text and "拟作出的行政处罚：罚款、没收金额人民币5000元。" in text
    assert "第四十四条、第四十五条" in text and "自收到本告知书之日起五个工作日内" in text
    assert "听证" not in text


def test_the_prior_notice_tells_of_the_hearing_right_where_the_penalty_gives_it(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 4, 28), proposed_measure="licence_revocation")
    assert case.hearing_right
    (doc,) = docs_at(case, "notify")
    text = filled(doc)
    assert "拟作出的行政处罚：吊销许可证件。" in text and "罚款" not in text
    assert "第六十三条、第六十四条" in text and "应当在本机关告知后五个工作日内提出" in text


def test_no_notice_for_a_licence_or_an_inspection(agency: Agency) -> None:
    case = open_case(agency, item=agency.licence)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10))
    assert docs_at(case, "notify") == []


def test_the_penalty_decision_has_the_contents_of_article_59(agency: Agency) -> None:
    case = open_case(agency)
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="8000")
    do(case, "waive_rights", agency.clerk, rights_waived_on=dt.date(2025, 3, 11), rights_waived="statement")
    do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="罚1", fine_amount="8000")
    (doc,) = docs_at(case, "decide")
    text = filled(doc)
    # one decision, one number: the 决定书文号 the step recorded
    assert (doc.title, doc.number, doc.template) == ("行政处罚决定书", "罚1", "enforcement/penalty_decision")
    assert doc.issued_on == dt.date(2025, 3, 20) and doc.unit == agency.unit
    # (一) party and address, (二) facts and evidence, (三) kind and basis, (四) how and by when, (五) remedy
    assert doc.paragraphs[:3] == ["当事人：王小明", "证件号码或统一社会信用代码：420102199001011234", "住址（住所）：东湖区幸福路8号"]
    assert "经查明：销售不合格电热水壶" in doc.paragraphs and "以上事实有本案调查取得的证据证实。" in doc.paragraphs
    assert "本机关于2025年3月10日告知当事人" in text and "当事人于2025年3月11日明确表示放弃陈述、申辩权利。" in text
    assert "依据《产品质量法》第五十条的规定" in text and "第五十七条第一款第（一）项" in text
    assert "罚款、没收金额人民币8000元。" in doc.paragraphs
    assert "自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款" in text and "百分之三加处罚款" in text
    assert "听证" not in text.replace("要求听证等权利", "")
    assert doc.paragraphs[-1].startswith(REMEDY) and "不停止执行" in doc.paragraphs[-1]


def test_a_decision_after_a_hearing_says_so_and_a_measure_without_a_fine_has_no_payment(agency: Agency) -> None:
    case = open_case(agency, party_address="", party_id_number="")
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 4, 28), proposed_measure="licence_revocation")
    do(case, "request_hearing", agency.clerk, hearing_requested_on=dt.date(2025, 4, 29))
    do(case, "notice_hearing", agency.clerk, hearing_noticed_on=dt.date(2025, 4, 30))
    do(case, "hold_hearing", agency.head, hearing_held_on=dt.date(2025, 5, 15))
    do(case, "submit_review", agency.clerk, review_submitted_on=dt.date(2025, 5, 16))
    do(case, "pass_review", agency.reviewer, reviewed_on=dt.date(2025, 5, 19), reviewer_name="李审", review_opinion="同意")
    do(case, "discuss", agency.head, discussed_on=dt.date(2025, 5, 20), discussion_conclusion="同意吊销")
    do(case, "decide", agency.head, decided_on=dt.date(2025, 5, 21), outcome="penalty_imposed", decision_number="罚2", measure="licence_revocation")
    (doc,) = docs_at(case, "decide")
    text = filled(doc)
    assert doc.paragraphs[0] == "当事人：王小明" and "住址" not in text and "证件号码" not in text
    assert "本机关于2025年5月15日依法举行了听证" in text and "吊销许可证件。" in doc.paragraphs
    assert "缴纳罚款" not in text and doc.paragraphs[-1].startswith(REMEDY)


def test_the_no_penalty_decision(agency: Agency) -> None:
    case = open_case(agency, amount_involved=Decimal("100"))
    do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="no_penalty", decision_number="不罚1")
    (doc,) = docs_at(case, "decide")
    text = filled(doc)
    assert (doc.title, doc.number) == ("不予行政处罚决定书", "不罚1")
    assert "第五十七条第一款第（二）项" in text and "决定对当事人不予行政处罚" in text and "缴纳" not in text
    assert doc.paragraphs[-1] == REMEDY


def test_serving_and_other_outcomes_issue_nothing_here(agency: Agency) -> None:
    case = open_case(agency, item=agency.inspection)
    do(case, "decide", agency.head, decided_on=dt.date(2025, 3, 5), outcome="inspection_compliant", decision_number="检查1")
    do(case, "serve", agency.clerk, served_on=dt.date(2025, 3, 6))
    assert not services.documents_of("enforcement", case.pk).exists()


def test_a_decision_number_already_on_another_document_refuses_the_step(agency: Agency) -> None:
    first, second = open_case(agency), open_case(agency)
    for case in (first, second):
        do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="8000")
        do(case, "waive_rights", agency.clerk, rights_waived_on=dt.date(2025, 3, 11), rights_waived="statement")
    do(first, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="罚7", fine_amount="8000")
    with pytest.raises(ValidationFailed, match="文号 罚7 已用于另一份文书"):
        do(second, "decide", agency.head, decided_on=dt.date(2025, 3, 20), outcome="penalty_imposed", decision_number="罚7", fine_amount="8000")
    second.refresh_from_db()
    assert second.state != "decided" and docs_at(second, "decide") == []
