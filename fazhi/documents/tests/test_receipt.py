"""The 送达回证 of a document: printed for the receiver's signature, reached only by who sees the matter."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import do
from fazhi.documents.services import documents_of

pytestmark = pytest.mark.django_db


def test_the_receipt_names_the_document_and_is_only_for_who_sees_the_matter(org: Any, make_case: Any, client: Any) -> None:
    case = make_case()
    do(case, "accept", org.alice, accepted_on="2025-09-30", procedure="ordinary")
    doc = documents_of("reconsideration", case.pk).get()
    client.force_login(org.alice)
    page = client.get(f"/wenshu/{doc.pk}/huizheng/").content.decode()
    assert "送达回证" in page and f"《{doc.title}》{doc.number}" in page and case.applicant_name in page
    matter = client.get(f"/r/reconsideration/{case.pk}/").content.decode()
    assert f"/wenshu/{doc.pk}/huizheng/" in matter and f"/wenshu/{doc.pk}/songda/" in matter
    client.force_login(org.frank)
    assert client.get(f"/wenshu/{doc.pk}/huizheng/").status_code == 404
