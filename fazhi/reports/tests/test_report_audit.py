"""The annual report's steps are audited workflow events: each step one leaf, the report, its
versions, signatures and contributions a checked projection of them (issue 20, part 1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from conftest import PASSWORD
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.audit.testing import append_only_bypass
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.registers.framework.models import WorkflowEvent
from fazhi.registers.framework.workflow import workflow_events
from fazhi.reports import services
from fazhi.reports.models import Contribution, Report, Signature, State, Version

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(org: Any, requests: Any) -> Report:
    users = get_user_model().objects
    org.checker = users.create_user("checker", password=PASSWORD, first_name="审核员")
    org.leader = users.create_user("leader", password=PASSWORD, first_name="区长")
    membership_grant(user=org.checker, unit=org.district, role=Role.REVIEWER)
    membership_grant(user=org.leader, unit=org.district, role=Role.HEAD)
    report = services.report_create(unit=org.district, kind="fzzf", year=2025, actor=org.dave)
    services.contribution_save(report=report, part="shortcomings", unit=org.dept, text="执法人员法律素养有待提高", actor=org.erin)
    services.version_generate(report=report, actor=org.dave)
    for action, actor in [("submit", org.dave), ("approve", org.checker), ("clear", org.checker)]:
        report = services.report_step(report=report, action=action, actor=actor)
    report = services.report_sign(report=report, actor=org.leader)
    report = services.report_step(report=report, action="publish", actor=org.dave)
    checkpoint_take()
    return report


def _problems() -> list[str]:
    report = audit_verify()
    return report.problems


def test_every_step_is_one_event_and_one_leaf_and_the_log_verifies(published: Report) -> None:
    steps = list(workflow_events("report", published))
    assert [e.action for e in steps] == ["register", "contribute", "generate", "submit", "approve", "clear", "sign", "signed", "publish"]
    assert [e.state_after for e in steps][-3:] == [State.SIGNING, State.SIGNED, State.PUBLISHED]
    leaves = AuditLeaf.objects.filter(source="workflow_event").values_list("source_id", flat=True)
    assert sorted(leaves) == sorted(e.pk for e in steps)
    assert _problems() == []


def test_the_events_are_append_only(published: Report) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkflowEvent.objects.filter(workflow="report").update(label="改")
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkflowEvent.objects.filter(workflow="report").delete()


def test_a_changed_signature_is_detected(published: Report, org: Any) -> None:
    Signature.objects.filter(version__report=published).update(signer=org.dave)
    assert any("签发人" in p for p in _problems())


def test_a_removed_signature_is_detected(published: Report) -> None:
    Signature.objects.filter(version__report=published).delete()
    assert any("已被删除" in p for p in _problems())


def test_a_changed_published_text_is_detected(published: Report) -> None:
    version = Version.objects.get(report=published)
    content = version.content
    content["parts"][0]["paragraphs"][0]["text"] = "篡改后的段落"
    Version.objects.filter(pk=version.pk).update(content=content)
    assert any("内容" in p and "不符" in p for p in _problems())


def test_a_state_moved_behind_the_application_is_detected(published: Report) -> None:
    Report.objects.filter(pk=published.pk).update(state=State.DRAFT, published_version=None)
    found = [p for p in _problems() if "年度报告 #" in p]
    assert found and "状态" in found[0] and "公开的版本" in found[0]


def test_a_contribution_written_without_a_step_is_detected(published: Report, org: Any) -> None:
    Contribution.objects.create(report=published, part="plans", unit=org.dept, text="未经流程写入", updated_by=org.erin)
    assert any("没有任何步骤记录" in p for p in _problems())


def test_a_rewritten_event_is_detected_by_its_leaf(published: Report) -> None:
    append_only_bypass("framework_workflowevent")
    WorkflowEvent.objects.filter(workflow="report", action="sign").update(text="伪造")
    assert any("已被改动" in p for p in _problems())


def test_the_page_shows_the_history_in_chinese(published: Report, client: Any, org: Any) -> None:
    client.force_login(org.dave)
    page = client.get(f"/baogao/{published.pk}/").content.decode()
    history = re.sub(r"<[^>]+>", " ", page[page.index('id="events"') : page.index("</table>", page.index('id="events"'))])
    assert "起草" in history and "签发完成" in history and "向社会公开（第1版）" in history
    assert not re.search(r"[A-Za-z]{3,}", history.split(">", 1)[1]), history
