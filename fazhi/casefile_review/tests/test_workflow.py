"""案卷评查 on the audited workflow: every step one event and one audit leaf, the steps refused out
of order or to the wrong people, and rows changed or deleted behind the steps found by audit verify."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.casefile_review.models import RectificationNotice, ReviewCampaign, SampledFile
from fazhi.casefile_review.services import WORKFLOW, campaign_close, campaign_sample, notice_report, sampled_file_score
from fazhi.casefile_review.tests.test_campaign import FULL, campaign
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.registers.enforcement.tests.fixtures import Agency
from fazhi.registers.framework.models import WorkflowEvent

pytestmark = pytest.mark.django_db
LEAF = "workflow_event"


def events(c: ReviewCampaign) -> list[str]:
    return list(WorkflowEvent.objects.filter(workflow=WORKFLOW, object_id=c.pk).order_by("id").values_list("action", flat=True))


def closed(org: Org) -> tuple[ReviewCampaign, list[SampledFile], RectificationNotice]:
    """A campaign through sampling, scoring (one file failed) and closing: one notice to 市监."""
    c = campaign(org)
    campaign_sample(campaign=c, actor=org.dave)
    files = list(c.files.order_by("position"))
    sampled_file_score(file=files[0], actor=org.dave, points=FULL | {"evidence": 0, "decision": 0, "execution": 0}, vetoes=[], comment="证据不足")
    for f in files[1:]:
        sampled_file_score(file=f, actor=org.dave, points=FULL, vetoes=[], comment="")
    campaign_close(campaign=c, actor=org.dave, on=dt.date(2025, 12, 1))
    return c, files, RectificationNotice.objects.get(campaign=c)


def test_every_step_is_one_event_and_one_leaf_and_verify_passes(agency: Agency, org: Org) -> None:
    before = AuditLeaf.objects.filter(source=LEAF).count()
    c, files, notice = closed(org)
    notice_report(notice=notice, actor=agency.head, reported_on=dt.date(2025, 12, 20), report="已补充证据并重新审核")
    assert events(c) == ["register", "sample", *["score"] * len(files), "close", "report"]
    assert AuditLeaf.objects.filter(source=LEAF).count() == before + len(files) + 4
    c.refresh_from_db()
    assert c.state == "closed" and c.closed_on == dt.date(2025, 12, 1)
    by_action = {e.action: e for e in WorkflowEvent.objects.filter(workflow=WORKFLOW, object_id=c.pk)}
    # the steps record the rows they wrote: the sample its files, the close its notice, the report it
    assert {r["id"] for r in by_action["sample"].values["rows"]} == {f.pk for f in files}
    assert [r["id"] for r in by_action["close"].values["rows"]] == [notice.pk]
    assert by_action["report"].values["rows"][0]["fields"]["report"] == "已补充证据并重新审核"
    assert (by_action["close"].state_before, by_action["close"].state_after) == ("sampled", "closed")
    checkpoint_take()
    assert audit_verify().ok
    # the page shows the history; the reviewed unit sees its own scores, not the others'
    dave = Client()
    dave.force_login(org.dave)
    page = dave.get(f"/pingcha/{c.pk}/").content.decode()
    assert 'id="events"' in page and "设立评查活动" in page and "报送整改情况" in page


def test_steps_out_of_order_are_refused_and_write_nothing(agency: Agency, org: Org) -> None:
    c = campaign(org)
    with pytest.raises(TransitionNotAllowed):
        campaign_close(campaign=c, actor=org.dave, on=dt.date(2025, 12, 1))  # nothing sampled yet
    campaign_sample(campaign=c, actor=org.dave)
    with pytest.raises(TransitionNotAllowed):
        campaign_sample(campaign=c, actor=org.dave)  # sampled once only
    with pytest.raises(ValidationFailed, match="未评分"):
        campaign_close(campaign=c, actor=org.dave, on=dt.date(2025, 12, 1))
    assert events(c) == ["register", "sample"] and SampledFile.objects.filter(campaign=c).count() == 4
    c2, files, _notice = closed(org)
    n = len(events(c2))
    with pytest.raises(TransitionNotAllowed):
        sampled_file_score(file=files[1], actor=org.dave, points=FULL | {"evidence": 1}, vetoes=[], comment="")  # closed: scores stand
    with pytest.raises(TransitionNotAllowed):
        campaign_close(campaign=c2, actor=org.dave, on=dt.date(2025, 12, 2))
    files[1].refresh_from_db()
    assert files[1].total == 100 and len(events(c2)) == n


def test_wrong_roles_are_refused(agency: Agency, org: Org) -> None:
    c = campaign(org)
    for step in (lambda: campaign_sample(campaign=c, actor=agency.clerk), lambda: campaign_sample(campaign=c, actor=org.frank)):
        with pytest.raises(PermissionDenied):
            step()
    campaign_sample(campaign=c, actor=org.dave)
    f = c.files.first()
    assert f is not None
    with pytest.raises(PermissionDenied):  # the reviewed unit's own head does not score its files
        sampled_file_score(file=f, actor=agency.head, points=FULL, vetoes=[], comment="")
    c2, _, notice = closed(org)
    with pytest.raises(PermissionDenied):  # the organiser does not report for the unit
        notice_report(notice=notice, actor=org.dave, reported_on=dt.date(2025, 12, 20), report="代为报送")
    with pytest.raises(PermissionDenied):  # nor does another district's staff
        notice_report(notice=notice, actor=org.frank, reported_on=dt.date(2025, 12, 20), report="x")
    with pytest.raises(ValidationFailed, match="请填写整改情况"):
        notice_report(notice=notice, actor=agency.clerk, reported_on=dt.date(2025, 12, 20), report="  ")
    notice.refresh_from_db()
    assert notice.report == "" and events(c2)[-1] == "close"
    # a notice of a campaign not closed cannot exist; reporting on one whose campaign went back is refused
    ReviewCampaign.objects.filter(pk=c2.pk).update(state="sampled")
    with pytest.raises(TransitionNotAllowed):
        notice_report(notice=notice, actor=agency.clerk, reported_on=dt.date(2025, 12, 20), report="已整改")


def _problems(*needles: str) -> list[str]:
    problems = audit_verify().problems
    return [p for p in problems if all(n in p for n in needles)]


def test_a_changed_score_is_found_by_audit_verify(agency: Agency, org: Org) -> None:
    _c, files, _ = closed(org)
    checkpoint_take()
    assert audit_verify().ok
    SampledFile.objects.filter(pk=files[0].pk).update(total=Decimal("95"))
    found = _problems(f"抽取的案卷 #{files[0].pk}", "总分", "未经流程")
    assert found and not any("95" in p for p in found)  # field names, never values


def test_changed_points_a_changed_state_and_a_row_without_a_step_are_found(agency: Agency, org: Org) -> None:
    c, files, _ = closed(org)
    SampledFile.objects.filter(pk=files[1].pk).update(points={**files[1].points, "evidence": "0"})
    ReviewCampaign.objects.filter(pk=c.pk).update(state="sampled")
    stray = ReviewCampaign.objects.create(organiser=org.district, scope=org.district, name="未经流程的活动", year=2025, sheet="penalty-2026", seed="s")
    assert _problems(f"抽取的案卷 #{files[1].pk}", "各项得分")
    assert _problems(f"案卷评查活动 #{c.pk}", "状态")
    assert _problems(f"案卷评查活动 #{stray.pk}", "没有任何步骤记录")


def test_a_deleted_rectification_notice_is_found_by_audit_verify(agency: Agency, org: Org) -> None:
    _, _, notice = closed(org)
    checkpoint_take()
    assert audit_verify().ok
    RectificationNotice.objects.filter(pk=notice.pk).delete()
    assert _problems(f"案卷评查整改通知 #{notice.pk}", "已被删除")


def test_a_reported_notice_changed_afterwards_is_found(agency: Agency, org: Org) -> None:
    _, _, notice = closed(org)
    notice_report(notice=notice, actor=agency.clerk, reported_on=dt.date(2025, 12, 20), report="已整改")
    RectificationNotice.objects.filter(pk=notice.pk).update(report="已全面整改到位")
    assert _problems(f"案卷评查整改通知 #{notice.pk}", "整改情况")


def test_the_unit_reports_from_the_page_and_sees_only_its_own_steps(agency: Agency, org: Org, settings: Any) -> None:
    c, _files, notice = closed(org)
    erin = Client()
    erin.force_login(agency.clerk)
    page = erin.get(f"/pingcha/{c.pk}/").content.decode()
    assert "报送" in page and 'id="action-' not in page  # no organiser's buttons for the unit
    assert erin.post(f"/pingcha/{c.pk}/notice/{notice.pk}/", {"report": "已整改"}).status_code == 302
    assert events(c)[-1] == "report"
    dave = Client()
    dave.force_login(org.dave)
    page = dave.get(f"/pingcha/{c.pk}/").content.decode()
    assert 'name="report"' not in page  # the organiser is not offered the unit's step
