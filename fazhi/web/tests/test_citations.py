"""Citations shown to users are the law's own, never a file, a rule id or a note of ours.

Every clock rule, indicator, report definition, register definition, dated enforcement rule and
model help text is loaded and checked; then the pages a clerk, a leader and a citizen read are
rendered for a small organisation with matters of several registers, and checked the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, do
from fazhi.core.models import Kind, Level, Role
from fazhi.core.services import membership_grant, unit_create
from fazhi.registers.framework.services import matter_create

pytestmark = pytest.mark.django_db

# Our own files and working notes: never on a page.
OURS = re.compile(r"RULES|GLOSSARY|PRODUCT\.md|README|待核实|UNCONFIRMED|\.ya?ml\b|\.md\b|definitions/|§")
# A rule id of ours (proposals.npc_answer, mediation.conclusion): never in a citation.
RULE_ID = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def leaks(text: str, *, citation: bool = False) -> list[str]:
    found = OURS.findall(text)
    if citation:
        found += RULE_ID.findall(text)
    return found


def test_leaks_finds_what_it_must() -> None:
    assert leaks("国办发〔2018〕118号（见 RULES.md §3.5；印发日期待核实）") == ["RULES", ".md", "§", "待核实"]
    assert leaks("definitions/enforcement/criminal_thresholds.yaml 中的罪名编码") == ["definitions/", ".yaml"]
    assert leaks("代表建议处理办法；本系统期限规则 proposals.npc_answer", citation=True) == ["proposals.npc_answer"]
    assert leaks("《政府信息公开条例》第四十九条第一款", citation=True) == []


def test_clock_rules_cite_the_law() -> None:
    from fazhi.law.clocks import clock_rules

    rules = clock_rules()
    assert rules, "no clock rules loaded"
    bad = {}
    for rule_id, rule in rules.items():
        for v in rule.values:
            for text in (rule.label, v.reference, getattr(v, "extension_approver", "") or ""):
                if leaks(text, citation=text == v.reference):
                    bad[rule_id] = text
    assert bad == {}


def test_the_dates_and_articles_the_review_corrected() -> None:
    from fazhi.law.clocks import clock_rules

    rules = clock_rules()
    publicity = rules["publicity.decision_licence_penalty"].values
    # 国办发〔2018〕118号: 成文 2018-12-05, published 2019-01-03.
    assert publicity[0].since == dt.date(2018, 12, 5)
    assert "国办发〔2018〕118号" in publicity[0].reference
    npc = rules["proposals.npc_answer"].values
    # 代表法: the 3 / 6 months came with the 2010 amendment (art.42), art.51 since the 2025 amendment.
    assert [(v.since, v.length, v.unit) for v in npc] == [(dt.date(2010, 10, 28), 3, "months"), (dt.date(2025, 3, 11), 3, "months")]
    assert "第四十二条" in npc[0].reference and "第五十一条" in npc[1].reference
    assert "第三十三条" in rules["mediation.conclusion"].values[0].reference

    from fazhi.reports.generator import definition

    gk = {d.units: d.citation for d in definition("gkndbg").deadlines}
    # 政府信息公开条例 art.49 holds both dates; art.50 is the report's content.
    assert gk == {"department": "《政府信息公开条例》第四十九条第一款", "government": "《政府信息公开条例》第四十九条第二款"}


def test_indicators_cite_the_law() -> None:
    from fazhi.indicators.catalogue import catalogue

    cat = catalogue()
    assert cat, "no indicators loaded"
    bad = {code: (ind.name, ind.formula, ind.source) for code, ind in cat.items() if leaks(ind.name) or leaks(ind.formula) or leaks(ind.source, citation=True)}
    assert bad == {}


def test_report_definitions_cite_the_law() -> None:
    from fazhi.reports.generator import definition

    for kind in ("fzzf", "gkndbg"):
        d = definition(kind)
        for deadline in d.deadlines:
            assert leaks(deadline.label) == [] and leaks(deadline.citation, citation=True) == [], deadline
        for part in d.parts:
            assert leaks(part.title) == [], part.title
            for p in part.paragraphs:
                assert leaks(p.topic) == [] and leaks(p.text) == [] and leaks(p.none) == [], p


def test_register_definitions_show_no_file_of_ours() -> None:
    from fazhi.registers.framework.registry import REGISTRY

    assert REGISTRY
    for name, reg in REGISTRY.items():
        d = reg.definition
        texts = [d.label, d.create.label] + [s.label for s in d.states.values()] + [t.label for t in d.transitions.values()]
        texts += [o.label for o in d.outcomes.values()]
        assert [t for t in texts if leaks(t)] == [], name
        assert [o.article for o in d.outcomes.values() if leaks(o.article, citation=True)] == [], name


def test_dated_enforcement_rules_cite_the_law() -> None:
    from fazhi.registers.enforcement import rules

    for name, versions in rules._rules().items():
        for v in versions:
            assert leaks(v.reference, citation=True) == [], (name, v.reference)
    for code, (meta, versions) in rules._thresholds().items():
        assert leaks(meta["article"]) == [], code
        for v in versions:
            assert leaks(v.reference, citation=True) == [], (code, v.reference)


def test_model_labels_and_help_texts_show_no_file_of_ours() -> None:
    bad = []
    for model in apps.get_models():
        if not model.__module__.startswith("fazhi."):
            continue
        texts = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
        for f in model._meta.get_fields():
            texts += [str(getattr(f, "verbose_name", "") or ""), str(getattr(f, "help_text", "") or "")]
            texts += [str(label) for _, label in (getattr(f, "choices", None) or []) if not isinstance(label, (list, tuple))]
        bad += [f"{model._meta.label}: {t}" for t in texts if leaks(t)]
    assert bad == []


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = response.content.decode()
    assert leaks(text) == [], (url, leaks(text))
    return text


def test_the_pages_users_read_show_the_laws_citations(org: Any, make_case: Any) -> None:
    from fazhi.indicators.catalogue import catalogue
    from fazhi.registers.framework.registry import REGISTRY
    from fazhi.registers.mediation.models import MediationCommittee, Mediator

    today = dt.date.today()
    # 行政复议: a case with its acceptance and decision clocks.
    case = make_case(received_on=today - dt.timedelta(days=3))
    # 人民调解 in a 司法所, 人大建议 and 政协提案 in a department.
    sub = unit_create(name="东湖区长青街道办事处", short_name="长青", code="T-D-J01", level=Level.SUBDISTRICT, kind=Kind.GOVERNMENT, parent=org.district)
    office = unit_create(name="长青司法所", short_name="长青所", code="T-D-J01-SF", level=Level.SUBDISTRICT, kind=Kind.STATION, parent=sub)
    committee = MediationCommittee.objects.create(name="长青街道人民调解委员会", level="subdistrict", unit=office)
    mediator = Mediator.objects.create(committee=committee, name="周调解")
    med_clerk = get_user_model().objects.create_user("med_clerk", password=PASSWORD)
    membership_grant(user=med_clerk, unit=office, role=Role.CLERK)
    dispute = matter_create(
        register="mediation",
        unit=office,
        actor=med_clerk,
        data={
            "received_on": today - dt.timedelta(days=40),
            "committee": committee.pk,
            "mediator": mediator.pk,
            "dispute_type": "neighbour",
            "source": "application",
            "party_a_name": "钱一",
            "party_b_name": "孙二",
            "description": "楼上漏水",
        },
    )
    agreed = matter_create(
        register="mediation",
        unit=office,
        actor=med_clerk,
        data={
            "received_on": today - dt.timedelta(days=10),
            "committee": committee.pk,
            "dispute_type": "family",
            "source": "application",
            "party_a_name": "李三",
            "party_b_name": "王四",
            "description": "赡养费",
        },
    )
    do(agreed, "agree", med_clerk, concluded_on=today - dt.timedelta(days=2), outcome="written_agreement", agreement_terms="乙方于十日内付清欠款")
    proposals = [
        matter_create(
            register="proposals",
            unit=org.dept,
            actor=org.erin,
            data={
                "received_on": today - dt.timedelta(days=80),
                "kind": kind,
                "session": "第十届第五次会议",
                "proposal_number": str(n),
                "title": "关于充电设施的建议",
                "proposer_name": "陈代表",
            },
        )
        for n, kind in enumerate(("npc", "cppcc"), start=1)
    ]

    client = Client()
    client.login(username="alice", password=PASSWORD)
    _page(client, reverse("home"))  # the due list
    page = _page(client, reverse("matter_detail", args=["reconsideration", case.pk]))
    assert "《行政复议法》" in page

    client.login(username="med_clerk", password=PASSWORD)
    _page(client, reverse("home"))
    page = _page(client, reverse("matter_detail", args=["mediation", dispute.pk]))
    assert "《人民调解工作若干规定》（司法部令第75号）第三十三条" in page
    page = _page(client, reverse("matter_detail", args=["mediation", agreed.pk]))

    client.login(username="erin", password=PASSWORD)
    _page(client, reverse("home"))
    page = _page(client, reverse("matter_detail", args=["proposals", proposals[0].pk]))
    assert "代表法》（2025年修正）第五十一条第二款" in page
    page = _page(client, reverse("matter_detail", args=["proposals", proposals[1].pk]))
    assert "政协提案" in page
    for name, reg in REGISTRY.items():
        if "clerk" in reg.definition.create.roles:
            _page(client, reverse("matter_new", args=[name]))  # the form: labels and help texts
    _page(client, reverse("officers"))
    _page(client, reverse("transfer_board"))

    client.login(username="dave", password=PASSWORD)  # the leader's office
    _page(client, reverse("indicators_dashboard"))
    for code in catalogue():
        _page(client, reverse("indicator_trace", args=[code]))
    _page(client, reverse("reports"))

    client.logout()  # a citizen
    for name in ("portal_apply", "portal_reports", "publicity_portal", "powers_portal", "draws_portal"):
        _page(client, reverse(name))
