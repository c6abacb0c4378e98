"""A 规范性文件 challenged in 行政复议 (附带审查, 《行政复议法》第十三条、第五十六条) links to its record."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD, application, do
from fazhi.core.errors import ValidationFailed
from fazhi.registers.framework.services import matter_create
from fazhi.registers.normative_docs.tests.test_normative_docs import draft, to_published

pytestmark = pytest.mark.django_db


def test_a_reconsideration_case_names_the_document_and_its_page_shows_the_review(org: Any, staff: dict[str, Any], client: Any) -> None:
    doc = draft(org)
    to_published(doc, org, staff)
    with pytest.raises(ValidationFailed, match="一并请求审查规范性文件"):
        matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(reviewed_document=doc.pk))
    case = matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(normative_document_review=True, reviewed_document=doc.pk))
    do(case, "accept", org.bob, accepted_on="2025-09-30", procedure="ordinary")
    do(case, "handle_document_review", org.carol, document_review_on="2025-10-20", normative_document_result="lawful")

    assert client.login(username="erin", password=PASSWORD)
    page = client.get(f"/r/normative_docs/{doc.pk}/").content.decode()
    assert 'id="document-reviews"' in page
    assert case.case_number in page and "东湖区行政复议办公室" in page and "审查认为合法" in page
    other = draft(org, title="另一件文件")
    assert 'id="document-reviews"' not in client.get(f"/r/normative_docs/{other.pk}/").content.decode()
