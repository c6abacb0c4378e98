"""案卷评查: reproducible stratified sampling, scoring with vetoes, results, notices, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conftest import PASSWORD, Org
from fazhi.casefile_review.models import RectificationNotice, ReviewCampaign
from fazhi.casefile_review.services import campaign_close, campaign_create, campaign_results, campaign_sample, campaign_sample_pick, sampled_file_score
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.registers.enforcement.tests.fixtures import Agency

pytestmark = pytest.mark.django_db
FULL = {
    "cover": 5,
    "order": 5,
    "documents": 5,
    "signatures": 5,
    "filing": 10,
    "evidence": 20,
    "notice": 10,
    "review": 10,
    "decision": 15,
    "service": 5,
    "execution": 10,
}


def campaign(org: Org, seed: str = "abc") -> ReviewCampaign:
    return campaign_create(
        organiser=org.district, actor=org.dave, scope=org.district, name="2025年执法案卷评查", year=2025, sheet="penalty-2026", files_per_stratum=2, seed=seed
    )


def test_sampling_is_stratified_and_reproducible_from_the_seed(agency: Agency, org: Org) -> None:
    c = campaign(org)
    first = [x.pk for x in campaign_sample_pick(c)]
    assert first == [x.pk for x in campaign_sample_pick(c)] and len(first) == 4  # 2 penalty + 2 inspection files of one unit
    kinds = sorted(x.kind for x in campaign_sample_pick(c))
    assert kinds == ["inspection", "inspection", "penalty", "penalty"]
    assert any({x.pk for x in campaign_sample_pick(campaign(org, seed=s))} != set(first) for s in ("s1", "s2", "s3", "s4"))  # the seed decides
    assert campaign_sample(campaign=c, actor=org.dave) == 4


def test_scores_vetoes_results_and_notices(agency: Agency, org: Org) -> None:
    c = campaign(org)
    campaign_sample(campaign=c, actor=org.dave)
    files = list(c.files.order_by("position"))
    with pytest.raises(ValidationFailed) as exc:
        sampled_file_score(file=files[0], actor=org.dave, points=FULL | {"evidence": 25}, vetoes=[], comment="")
    assert "0 至 20" in exc.value.errors["evidence"][0]
    with pytest.raises(PermissionDenied):
        sampled_file_score(file=files[0], actor=agency.clerk, points=FULL, vetoes=[], comment="")
    sampled_file_score(file=files[0], actor=org.dave, points=FULL, vetoes=["no_review"], comment="应审核未审核")
    assert files[0].total == 0  # a veto item makes the file fail whatever its points
    for f in files[1:]:
        sampled_file_score(file=f, actor=org.dave, points=FULL | {"evidence": 10}, vetoes=[], comment="")
    result = campaign_results(c)[0]
    assert (result.files, result.failed, result.vetoed) == (4, 1, 1) and str(result.average) == "67.5"
    notices = campaign_close(campaign=c, actor=org.dave, on=dt.date(2025, 12, 1))
    assert len(notices) == 1 and notices[0].unit == agency.unit and "否决项：依法应当法制审核而未审核" in notices[0].text
    assert notices[0].due_on == dt.date(2025, 12, 31)
    # the unit sees its notice and reports back; another district sees nothing
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    page = client.get(f"/pingcha/{c.pk}/").content.decode()
    assert "整改" in page and files[0].case.case_number in page
    notice = RectificationNotice.objects.get()
    assert client.post(f"/pingcha/{c.pk}/notice/{notice.pk}/", {"report": "已补正卷宗并组织培训"}).status_code == 302
    notice.refresh_from_db()
    assert notice.report == "已补正卷宗并组织培训"
    other = Client()
    assert other.login(username="frank", password=PASSWORD)
    assert other.get(f"/pingcha/{c.pk}/").status_code == 404
    assert other.post(f"/pingcha/{c.pk}/notice/{notice.pk}/", {"report": "x"}).status_code == 404


def test_online_scoring_page(agency: Agency, org: Org) -> None:
    c = campaign(org)
    campaign_sample(campaign=c, actor=org.dave)
    f = c.files.first()
    assert f is not None
    client = Client()
    assert client.login(username="dave", password=PASSWORD)
    response = client.post(f"/pingcha/{c.pk}/file/{f.pk}/", {k: str(v) for k, v in FULL.items()} | {"comment": "规范"})
    assert response.status_code == 302
    f.refresh_from_db()
    assert f.total == 100
    erin = Client()
    assert erin.login(username="erin", password=PASSWORD)
    assert erin.get(f"/pingcha/{c.pk}/file/{f.pk}/").status_code == 404  # the reviewed unit does not score itself
