"""法律援助: the decision on an application is a document to the applicant — 给予 or 不予, the
latter with the way to object (法律援助法 第四十三条, 第四十九条)."""

from __future__ import annotations

import pytest

from conftest import do
from fazhi.documents.services import documents_of
from fazhi.registers.legal_aid.tests.test_legal_aid import Centre, application, centre  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_a_grant_issues_the_decision_to_the_applicant(centre: Centre) -> None:  # noqa: F811
    case = application(centre)
    do(case, "grant", centre.reviewer, decided_on="2025-09-29")
    doc = documents_of("legal_aid", case.pk).get()
    assert (doc.title, doc.number, doc.addressee) == ("给予法律援助决定书", "东援援决字〔2025〕1号", "郑三")
    assert "2025年9月26日" in doc.paragraphs[0] and "决定给予法律援助" in doc.paragraphs[1]


def test_a_refusal_states_its_reason_and_the_objection(centre: Centre) -> None:  # noqa: F811
    case = application(centre)
    do(case, "refuse", centre.reviewer, decided_on="2025-09-29", refusal_reason="申请人的经济状况不符合本地区法律援助经济困难标准")
    doc = documents_of("legal_aid", case.pk).get()
    assert doc.title == "不予法律援助决定书" and "经济困难标准" in doc.paragraphs[1]
    assert "自收到异议之日起五日内" in doc.paragraphs[-1] and "行政复议" in doc.paragraphs[-1]
