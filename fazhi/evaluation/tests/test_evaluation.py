"""考核: schemes as data, scores from indicators and manual entries, ranking, publication, pages."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import do
from fazhi.core.errors import DefinitionError, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.evaluation import services
from fazhi.evaluation.models import Result
from fazhi.indicators.tests.conftest import request_

pytestmark = pytest.mark.django_db

SCHEME = """
name: 2025年度考核（测试）
year: 2025
evaluated: {kinds: [department]}
min_applicable: 60
items:
  - code: A1
    name: 政府信息公开按期答复
    indicator: gk.on_time_rate
    points: 10
    standard: {type: linear, full_at: 100, zero_at: 50}
  - code: B1
    name: 领导干部学法
    manual: true
    points: 10
  - code: V1
    name: 重大违法行政行为
    veto: true
"""


@pytest.fixture
def scheme(org: Any) -> Any:
    from fazhi.core.services import unit_create

    # the district's departments: 市监 (records) and 司法 (none of these records)
    for i in range(6):
        r = request_(org, org.dept, org.erin, f"2025-0{i + 1}-03")
        replied = "2025-05-30" if i == 2 else f"2025-0{i + 1}-10"  # one late of six
        do(r, "reply", org.erin, replied_on=replied, outcome="disclosed")
    evaluator = _user("eva")
    membership_grant(user=evaluator, unit=org.district, role=Role.EVALUATOR)
    org.eva = evaluator
    unit_create(name="东湖区法治办", short_name="法治", code="T-D-FZ", level="district", kind="committee", parent=org.district)  # not a department
    return services.scheme_load_text(unit=org.district, text=SCHEME, filename="test.yaml")


def _user(name: str) -> Any:
    from django.contrib.auth import get_user_model

    from conftest import PASSWORD

    return get_user_model().objects.create_user(name, password=PASSWORD)


def _justice(org: Any) -> Any:
    return org.body.parent


def _manual(scheme: Any, unit: Any, item: str, points: Any, actor: Any, vetoed: bool = False) -> Any:
    return services.manual_score_enter(
        scheme=scheme, unit=unit, item_code=item, points=points, vetoed=vetoed, note="材料齐全", actor=actor, evidence=("述法报告.pdf", b"%PDF-1.4 demo")
    )


def test_scores_normalise_over_scoreable_points_and_units_without_enough_are_not_ranked(org: Any, scheme: Any) -> None:
    justice = _justice(org)
    assert {u.pk for u in services.evaluated_units(scheme)} == {org.dept.pk, justice.pk}
    _manual(scheme, org.dept, "B1", 9, org.eva)
    _manual(scheme, justice, "B1", 8, org.eva)
    results = {r.unit_id: r for r in services.scheme_compute(scheme, org.eva)}
    dept, just = results[org.dept.pk], results[justice.pk]
    items = {i["code"]: i for i in dept.breakdown["items"]}
    # 5 of 6 on time = 83.3 %: (83.3 - 50) / (100 - 50) x 10 = 6.66
    assert items["A1"]["status"] == "scored" and items["A1"]["value"] == "83.3" and items["A1"]["earned"] == "6.66"
    assert (items["A1"]["numerator"], items["A1"]["denominator"]) == (5, 6)
    assert str(dept.earned) == "15.66" and str(dept.applicable) == "20.00" and str(dept.score) == "78.30" and dept.rank == 1
    # 司法局 has no disclosure records: the item is not scored, and 10 of 20 points is below 60 %
    assert {i["code"]: i["status"] for i in just.breakdown["items"]}["A1"] == "no_records"
    assert str(just.score) == "80.00" and just.rank is None and "不参与排名" in just.not_ranked_reason
    # the committee-kind unit is not evaluated
    assert set(results) == {org.dept.pk, justice.pk}


def test_a_share_below_the_minimum_is_not_scored_and_a_veto_withholds_the_rating(org: Any, scheme: Any) -> None:
    # 2024: a single reply, below the minimum of 5 for a share
    small = services.scheme_load_text(unit=org.district, text=SCHEME.replace("year: 2025", "year: 2024"), filename="2024.yaml")
    r = request_(org, org.dept, org.erin, "2024-03-04")
    do(r, "reply", org.erin, replied_on="2024-03-08", outcome="disclosed")
    _manual(small, org.dept, "B1", 10, org.eva)
    _manual(small, org.dept, "V1", None, org.eva, vetoed=True)
    result = {x.unit_id: x for x in services.scheme_compute(small, org.eva)}[org.dept.pk]
    statuses = {i["code"]: i["status"] for i in result.breakdown["items"]}
    assert statuses["A1"] == "small" and statuses["V1"] == "vetoed"
    assert result.vetoed and result.rank is None and "一票否决" in result.not_ranked_reason


def test_manual_scores_are_checked_and_only_organisers_enter_them(org: Any, scheme: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.manual_score_enter(scheme=scheme, unit=org.dept, item_code="B1", points=11, vetoed=False, note="", actor=org.eva, evidence=None)
    assert set(exc.value.errors) == {"points", "note", "evidence"}
    with pytest.raises(ValidationFailed):
        _manual(scheme, org.dept, "A1", 5, org.eva)  # an indicator item is not scored by hand
    with pytest.raises(PermissionDenied):
        _manual(scheme, org.dept, "B1", 5, org.erin)
    with pytest.raises(PermissionDenied):
        _manual(scheme, org.body, "B1", 5, org.eva)  # not an evaluated unit
    first = _manual(scheme, org.dept, "B1", 5, org.eva)
    second = _manual(scheme, org.dept, "B1", 7, org.eva)
    assert services.latest_manual(scheme)[(org.dept.pk, "B1")] == second and first.pk < second.pk  # history kept


def test_publication_freezes_the_scores_with_a_checksum_and_next_years_scheme_changes_nothing(org: Any, scheme: Any) -> None:
    services.scheme_compute(scheme, org.eva)
    with pytest.raises(TransitionNotAllowed, match="未评分"):
        services.scheme_publish(scheme, org.dave)
    _manual(scheme, org.dept, "B1", 9, org.eva)
    _manual(scheme, _justice(org), "B1", 8, org.eva)
    services.scheme_compute(scheme, org.eva)
    with pytest.raises(PermissionDenied):
        services.scheme_publish(scheme, org.erin)
    published = services.scheme_publish(scheme, org.dave)
    assert published.results_sha256 == hashlib.sha256(services.canonical_results(published)).hexdigest()
    before = list(Result.objects.filter(scheme=scheme).values_list("unit_id", "score", "rank"))
    with pytest.raises(TransitionNotAllowed):
        services.scheme_compute(published, org.eva)
    with pytest.raises(TransitionNotAllowed):
        _manual(published, org.dept, "B1", 1, org.eva)
    with pytest.raises(TransitionNotAllowed):
        services.scheme_load_text(unit=org.district, text=SCHEME.replace("points: 10", "points: 20"), filename="changed.yaml")
    # a later record changes the indicators, not the published scores; next year has its own scheme
    late = request_(org, org.dept, org.erin, "2025-07-01")
    do(late, "reply", org.erin, replied_on="2025-10-30", outcome="disclosed")
    services.scheme_load_text(unit=org.district, text=SCHEME.replace("year: 2025", "year: 2026").replace("points: 10", "points: 20"), filename="2026.yaml")
    assert list(Result.objects.filter(scheme=scheme).values_list("unit_id", "score", "rank")) == before
    assert published.results_sha256 == hashlib.sha256(services.canonical_results(published)).hexdigest()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("indicator: gk.on_time_rate", "indicator: gk.nope"), "不在指标目录"),
        (("indicator: gk.on_time_rate", "indicator: gk.received"), "不是比例类指标"),
        (("    points: 10\n    standard: {type: linear", "    standard: {type: linear"), "缺少分值"),
        (("code: B1", "code: A1"), "重复"),
        (("type: linear", "type: curve"), "评分标准类型"),
        (("full_at: 100", "full_at: 50"), "满分线与零分线相同"),
        (("evaluated: {kinds: [department]}", "evaluated: {levels: [district]}"), "未知的键"),
    ],
)
def test_malformed_schemes_are_refused_naming_the_problem(org: Any, change: tuple[str, str], message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        services.spec_parse(SCHEME.replace(*change), "bad.yaml")


def test_pages_show_results_to_organisers_and_once_published_to_each_unit(org: Any, scheme: Any) -> None:
    office, erin, frank = Client(), Client(), Client()
    office.force_login(org.dave)
    erin.force_login(org.erin)
    frank.force_login(org.frank)
    assert office.post(f"/kaohe/{scheme.pk}/compute/").status_code == 302
    page = office.get(f"/kaohe/{scheme.pk}/").content.decode()
    assert org.dept.name in page and _justice(org).name in page and "不参与排名" in page
    # why this score: the indicator item links to its trace for the unit and year
    unit_page = office.get(f"/kaohe/{scheme.pk}/unit/{org.dept.pk}/").content.decode()
    assert f"/zhibiao/gk.on_time_rate/?unit={org.dept.pk}&amp;year=2025" in unit_page and "83.3%" in unit_page and "5 / 6" in unit_page
    # the evaluator enters a manual score with its evidence in the page
    eva = Client()
    eva.force_login(org.eva)
    upload = SimpleUploadedFile("述法报告.pdf", b"%PDF-1.4 x")
    r = eva.post(f"/kaohe/{scheme.pk}/unit/{org.dept.pk}/", {"item": "B1", "points": "9", "note": "材料齐全", "evidence": upload})
    assert r.status_code == 302
    assert "15.66" in eva.get(f"/kaohe/{scheme.pk}/unit/{org.dept.pk}/").content.decode()
    manual = services.latest_manual(scheme)[(org.dept.pk, "B1")]
    assert eva.get(f"/kaohe/{scheme.pk}/evidence/{manual.pk}/").status_code == 200
    # before publication the units see nothing; they cannot compute, publish or score
    for c in (erin, frank):
        assert c.get(f"/kaohe/{scheme.pk}/").status_code == 404
        assert c.get(f"/kaohe/{scheme.pk}/unit/{org.dept.pk}/").status_code == 404
        assert c.post(f"/kaohe/{scheme.pk}/compute/").status_code == 404
        assert c.post(f"/kaohe/{scheme.pk}/publish/").status_code == 404
        assert c.get(f"/kaohe/{scheme.pk}/evidence/{manual.pk}/").status_code == 404
        assert str(scheme.name) not in c.get("/kaohe/").content.decode()
    _manual(scheme, _justice(org), "B1", 8, org.eva)
    services.scheme_compute(scheme, org.eva)
    assert office.post(f"/kaohe/{scheme.pk}/publish/").status_code == 302
    # published: 市监 sees its own result and not 司法's; 西山 still nothing; nobody may score
    page = erin.get(f"/kaohe/{scheme.pk}/").content.decode()
    assert org.dept.name in page and _justice(org).name not in page
    assert erin.get(f"/kaohe/{scheme.pk}/unit/{_justice(org).pk}/").status_code == 404
    assert erin.post(f"/kaohe/{scheme.pk}/unit/{org.dept.pk}/", {"item": "B1", "points": "10", "note": "x"}).status_code == 404
    assert frank.get(f"/kaohe/{scheme.pk}/").status_code == 404
    assert Client().get(f"/kaohe/{scheme.pk}/").status_code == 302
