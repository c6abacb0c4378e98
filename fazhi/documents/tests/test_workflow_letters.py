"""The workflows' steps issue their letters the same way as the registers' steps: the 考核结果通报
when a scheme is published, the 报送函 when a 法治政府 report's signature is complete, the 督察 letter
(fazhi/documents/tests/test_delivery.py and the supervision tests) — numbered, bound to the step's
event, audited."""

from __future__ import annotations

from typing import Any

import pytest

from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.documents.services import documents_of, documents_suppressed
from fazhi.evaluation.tests.test_workflow import _published, eva  # noqa: F401 - fixtures
from fazhi.indicators.tests.conftest import requests  # noqa: F401 - fixture
from fazhi.registers.framework.models import WorkflowEvent
from fazhi.reports.models import Report
from fazhi.reports.tests.test_report_audit import published  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_publishing_a_schemes_results_issues_the_notice(org: Any, eva: Any) -> None:  # noqa: F811
    scheme = _published(org, eva)
    doc = documents_of("evaluation", scheme.pk).get()
    step = WorkflowEvent.objects.get(workflow="evaluation", object_id=scheme.pk, action="publish")
    assert doc.title == f"关于{scheme.year}年度法治政府建设考核结果的通报" and doc.addressee == "各被考核单位"
    assert doc.number.startswith(f"{org.district.short_name}考通字〔") and doc.event_id == step.pk and doc.unit == org.district
    assert scheme.name in doc.paragraphs[0] and AuditLeaf.objects.filter(source="document", source_id=doc.pk).exists()
    checkpoint_take()
    assert audit_verify().problems == []


def test_the_signed_report_issues_its_submission_letter_once(published: Report) -> None:  # noqa: F811
    doc = documents_of("report", published.pk).get()
    assert doc.title == f"关于报送{published.unit.name}{published.year}年法治政府建设年度报告的函"
    assert doc.step == "signed" and "第二十四条" in doc.paragraphs[1]
    assert doc.event_id == WorkflowEvent.objects.get(workflow="report", object_id=published.pk, action="signed").pk


def test_suppressed_workflow_steps_issue_nothing(org: Any, eva: Any) -> None:  # noqa: F811
    with documents_suppressed():
        scheme = _published(org, eva)
    assert not documents_of("evaluation", scheme.pk).exists()


def test_a_workflow_letter_is_reached_through_its_record_only_by_who_sees_the_record(org: Any, client: Any) -> None:
    """The 督察 letter: on the lead's page and downloadable by the organiser and by the supervised unit
    it is addressed to; another district's clerk gets 404."""
    import datetime as dt

    from django.urls import reverse

    from fazhi.supervision import services as supervision

    lead = supervision.lead_create(organiser=org.district, unit=org.dept, summary="群众反映执法不规范", actor=org.dave, on=dt.date(2025, 5, 1))
    supervision.lead_find(lead=lead, founded=True, text="属实", actor=org.dave, on=dt.date(2025, 5, 6))
    supervision.lead_notice(lead=lead, kind="prompt", text="请规范执法。", due_on=dt.date(2025, 6, 30), actor=org.dave, on=dt.date(2025, 5, 7))
    letter = documents_of("lead", lead.pk).get()
    for user in (org.dave, org.erin):
        client.force_login(user)
        page = client.get(reverse("supervision_lead", args=[lead.pk])).content.decode()
        assert letter.number in page and f"/wenshu/{letter.pk}.pdf" in page, user
        response = client.get(f"/wenshu/{letter.pk}.docx")
        assert response.status_code == 200 and response.content[:2] == b"PK", user
    client.force_login(org.frank)
    assert client.get(f"/wenshu/{letter.pk}.docx").status_code == 404
    assert client.get(f"/wenshu/{letter.pk}/songda/").status_code == 404
