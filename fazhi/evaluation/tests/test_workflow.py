"""考核 on the audited workflow: every step one event and one leaf, refusals by state and role,
tampering behind the application found by ``audit verify``, the data migration."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import VerifyReport, audit_verify, checkpoint_take
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed
from fazhi.core.models import Role
from fazhi.core.services import membership_grant
from fazhi.evaluation import services
from fazhi.evaluation.models import ManualScore, Result, Scheme
from fazhi.evaluation.tests.test_evaluation import SCHEME, _justice, _manual, _user
from fazhi.registers.framework.models import WorkflowEvent
from fazhi.registers.framework.workflow import SOURCE, workflow_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def eva(org: Any) -> Any:
    evaluator = _user("eva")
    membership_grant(user=evaluator, unit=org.district, role=Role.EVALUATOR)
    return evaluator


def _verify() -> VerifyReport:
    """``fazhi audit verify`` as the operator runs it: the log's checkpoint taken (the daily one)."""
    checkpoint_take()
    return audit_verify()


def _leaves() -> int:
    return AuditLeaf.objects.filter(source=SOURCE).count()


def _events(scheme: Scheme) -> list[tuple[str, str, str]]:
    return [(e.action, e.state_before, e.state_after) for e in workflow_events(services.WORKFLOW, scheme)]


def _published(org: Any, eva: Any) -> Scheme:
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    _manual(scheme, org.dept, "B1", 9, eva)
    _manual(scheme, _justice(org), "B1", 8, eva)
    services.scheme_compute(scheme, eva)
    return services.scheme_publish(scheme, org.dave)


def test_every_step_writes_one_event_and_one_leaf_and_the_log_verifies(org: Any, eva: Any) -> None:
    leaves = _leaves()
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME.replace("10\n", "12\n", 1), filename="draft.yaml", actor=eva)
    assert _leaves() == leaves + 1 and services.scheme_state(scheme) == "loaded"
    first = services.scheme_compute(scheme, eva)
    assert _leaves() == leaves + 2 and services.scheme_state(scheme) == "computed" and len(first) == 2
    # loaded again before publication: the results go, recorded as removed by the step
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    assert _leaves() == leaves + 3 and services.scheme_state(scheme) == "loaded" and not Result.objects.filter(scheme=scheme).exists()
    reload = WorkflowEvent.objects.filter(workflow="evaluation", object_id=scheme.pk, action="reload").get()
    assert sorted(r["id"] for r in reload.values["removed"]) == sorted(r.pk for r in first)
    _manual(scheme, org.dept, "B1", 9, eva)
    _manual(scheme, _justice(org), "B1", 8, eva)
    assert _leaves() == leaves + 5 and services.scheme_state(scheme) == "loaded"
    results = services.scheme_compute(scheme, eva)
    services.scheme_compute(scheme, eva)  # again: the results just written are replaced, recorded
    published = services.scheme_publish(scheme, org.dave)
    assert _leaves() == leaves + 8 and services.scheme_state(published) == "published"
    assert _events(scheme) == [
        ("register", "", "loaded"),
        ("compute", "loaded", "computed"),
        ("reload", "computed", "loaded"),
        ("manual", "loaded", "loaded"),
        ("manual", "loaded", "loaded"),
        ("compute", "loaded", "computed"),
        ("compute", "computed", "computed"),
        ("publish", "computed", "published"),
    ]
    events = list(workflow_events(services.WORKFLOW, scheme))
    assert events[5].values["rows"] and {r["id"] for r in events[6].values["removed"]} == {r.pk for r in results}
    assert events[7].actor == org.dave and published.results_sha256 in events[7].text
    report = _verify()
    assert report.ok, report.problems


def test_steps_without_an_actor_are_the_platforms(org: Any, eva: Any) -> None:
    """The command line and the demo load and compute without an actor, as before."""
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml")
    services.scheme_compute(scheme)
    assert [e.actor for e in workflow_events(services.WORKFLOW, scheme)] == [None, None]
    assert _verify().ok


def test_forbidden_steps_and_wrong_roles_are_refused_and_write_nothing(org: Any, eva: Any) -> None:
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    with pytest.raises(PermissionDenied):
        services.scheme_load_text(unit=org.district, text=SCHEME.replace("year: 2025", "year: 2024"), filename="2024.yaml", actor=org.erin)
    with pytest.raises(PermissionDenied):
        services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=org.erin)  # reload
    with pytest.raises(TransitionNotAllowed, match="已载入，未计分"):
        services.scheme_publish(scheme, org.dave)  # not computed
    with pytest.raises(PermissionDenied):
        services.scheme_compute(scheme, org.erin)  # a department's clerk
    with pytest.raises(PermissionDenied):
        services.scheme_compute(scheme, org.frank)
    services.scheme_compute(scheme, eva)
    _manual(scheme, org.dept, "B1", 9, eva)
    _manual(scheme, _justice(org), "B1", 8, eva)
    services.scheme_compute(scheme, eva)
    with pytest.raises(PermissionDenied):
        services.scheme_publish(scheme, org.erin)
    services.scheme_publish(scheme, org.dave)
    count = WorkflowEvent.objects.filter(workflow="evaluation").count()
    # published: nothing more, whoever asks
    with pytest.raises(TransitionNotAllowed, match="结果已发布"):
        services.scheme_compute(scheme, eva)
    with pytest.raises(TransitionNotAllowed, match="结果已发布"):
        services.scheme_compute(scheme)
    with pytest.raises(TransitionNotAllowed, match="结果已发布"):
        _manual(scheme, org.dept, "B1", 1, eva)
    with pytest.raises(TransitionNotAllowed, match="结果已发布"):
        services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    with pytest.raises(TransitionNotAllowed, match="结果已发布"):
        services.scheme_publish(scheme, org.dave)
    assert WorkflowEvent.objects.filter(workflow="evaluation").count() == count
    assert services.scheme_actions(org.dave, scheme) == [] and services.scheme_actions(eva, scheme) == []
    assert _verify().ok


def test_the_offered_buttons_follow_the_definition(org: Any, eva: Any) -> None:
    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    assert [a for a, *_ in services.scheme_actions(eva, scheme)] == ["compute"]
    assert services.scheme_actions(org.erin, scheme) == []
    services.scheme_compute(scheme, eva)
    assert [a for a, *_ in services.scheme_actions(eva, scheme)] == ["compute", "publish"]


def _problems() -> list[str]:
    report = _verify()
    assert not report.ok
    return report.problems


def test_a_published_score_or_rank_changed_behind_the_application_is_found(org: Any, eva: Any) -> None:
    scheme = _published(org, eva)
    assert _verify().ok
    first, other = Result.objects.filter(scheme=scheme).order_by("pk")
    Result.objects.filter(pk=first.pk).update(score="99.00")
    problems = _problems()
    assert any(f"考核方案的考核结果 #{first.pk}：折算得分（百分制）" in p for p in problems), problems
    Result.objects.filter(pk=first.pk).update(score=first.score)
    assert _verify().ok
    with connection.cursor() as cur:
        cur.execute("UPDATE evaluation_result SET rank = 1 WHERE id = %s", [other.pk])
    problems = _problems()
    assert any(f"考核方案的考核结果 #{other.pk}：名次" in p for p in problems), problems


def test_a_deleted_manual_score_is_found(org: Any, eva: Any) -> None:
    scheme = _published(org, eva)
    m = ManualScore.objects.filter(scheme=scheme, unit=org.dept).get()
    ManualScore.objects.filter(pk=m.pk).delete()
    problems = _problems()
    assert any(f"考核方案的人工评分 #{m.pk} 已被删除" in p for p in problems), problems


def test_a_changed_manual_score_the_checksum_or_a_result_written_outside_a_step_is_found(org: Any, eva: Any) -> None:
    scheme = _published(org, eva)
    m = ManualScore.objects.filter(scheme=scheme, unit=org.dept).get()
    ManualScore.objects.filter(pk=m.pk).update(points="10.00")
    Scheme.objects.filter(pk=scheme.pk).update(results_sha256="0" * 64)
    problems = _problems()
    assert any(f"考核方案的人工评分 #{m.pk}：得分" in p for p in problems), problems
    assert any(f"考核方案 #{scheme.pk}：结果校验值" in p for p in problems), problems
    ManualScore.objects.filter(pk=m.pk).update(points=m.points)
    Scheme.objects.filter(pk=scheme.pk).update(results_sha256=scheme.results_sha256)
    assert _verify().ok
    extra = Result.objects.create(scheme=scheme, unit=org.body, earned=0, applicable=0, breakdown={"items": []})
    assert any(f"考核方案的考核结果 #{extra.pk} 没有任何步骤记录" in p for p in _problems())
    Result.objects.filter(pk=extra.pk).delete()
    gone = Result.objects.filter(scheme=scheme).first()
    assert gone is not None
    Result.objects.filter(pk=gone.pk).delete()
    assert any(f"考核方案的考核结果 #{gone.pk} 已被删除" in p for p in _problems())


@pytest.mark.django_db(transaction=True)
def test_the_migration_records_existing_schemes_scores_and_results_as_they_stand(org: Any) -> None:
    before = [("evaluation", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    OldScheme, OldManual, OldResult = (apps.get_model("evaluation", m) for m in ("Scheme", "ManualScore", "Result"))
    evaluator = _user("eva")
    published = OldScheme.objects.create(
        unit_id=org.district.pk,
        year=2024,
        name="2024",
        text=SCHEME,
        sha256="a" * 64,
        computed_at=timezone.now(),
        published_at=timezone.now(),
        published_by_id=org.dave.pk,
        results_sha256="b" * 64,
    )
    computed = OldScheme.objects.create(unit_id=org.district.pk, year=2025, name="2025", text=SCHEME, sha256="c" * 64, computed_at=timezone.now())
    loaded = OldScheme.objects.create(unit_id=org.district.pk, year=2026, name="2026", text=SCHEME, sha256="d" * 64)
    manual = OldManual.objects.create(scheme=published, unit_id=org.dept.pk, item="B1", points="9.50", note="材料齐全", entered_by_id=evaluator.pk)
    result = OldResult.objects.create(
        scheme=published, unit_id=org.dept.pk, earned="15.66", applicable="20.00", score="78.30", rank=1, breakdown={"items": [{"value": 0.5}]}
    )
    OldResult.objects.create(scheme=computed, unit_id=org.dept.pk, earned="1.00", applicable="2.00", score="50.00", breakdown={"items": []})
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("evaluation"))

    states = {s.pk: services.scheme_state(s) for s in Scheme.objects.all()}
    assert states == {published.pk: "published", computed.pk: "computed", loaded.pk: "loaded"}
    carried = WorkflowEvent.objects.get(workflow="evaluation", object_id=published.pk)
    assert carried.action == "carry_over" and carried.actor is None
    assert {(r["model"], r["id"]) for r in carried.values["rows"]} == {("evaluation.manualscore", manual.pk), ("evaluation.result", result.pk)}
    assert AuditLeaf.objects.filter(source=SOURCE).count() == 3
    report = _verify()
    assert report.ok, report.problems
    # and from there on the steps go on where the columns left them
    with pytest.raises(TransitionNotAllowed):
        services.scheme_compute(Scheme.objects.get(pk=published.pk))
    Result.objects.filter(pk=result.pk).update(rank=2)
    assert any(f"考核结果 #{result.pk}：名次" in p for p in _verify().problems)


def test_the_page_shows_the_history_to_the_organisers_only_and_the_buttons_the_state_allows(org: Any, eva: Any) -> None:
    from django.test import Client

    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    office, erin = Client(), Client()
    office.force_login(org.dave)
    erin.force_login(org.erin)
    page = office.get(f"/kaohe/{scheme.pk}/").content.decode()
    assert 'id="compute"' in page and 'id="publish"' not in page and "载入考核方案" in page
    _manual(scheme, org.dept, "B1", 9, eva)
    _manual(scheme, _justice(org), "B1", 8, eva)
    services.scheme_compute(scheme, eva)
    page = office.get(f"/kaohe/{scheme.pk}/").content.decode()
    assert 'id="compute"' in page and 'id="publish"' in page
    assert office.post(f"/kaohe/{scheme.pk}/publish/").status_code == 302
    page = office.get(f"/kaohe/{scheme.pk}/").content.decode()
    assert 'id="compute"' not in page and 'id="publish"' not in page
    assert 'id="events"' in page and f"录入人工评分：{_justice(org).name}" in page and "发布结果" in page
    # a unit reads its own published result, not the history naming the other units
    page = erin.get(f"/kaohe/{scheme.pk}/").content.decode()
    assert org.dept.name in page and 'id="events"' not in page and _justice(org).name not in page


def test_a_fractional_score_verifies_as_the_column_stores_it(org: Any, eva: Any) -> None:
    """8.5 written is 8.50 read back: the step records it as the column stores it."""
    from decimal import Decimal

    scheme = services.scheme_load_text(unit=org.district, text=SCHEME, filename="2025.yaml", actor=eva)
    _manual(scheme, org.dept, "B1", Decimal("8.5"), eva)
    _manual(scheme, _justice(org), "B1", "7.25", eva)
    assert _verify().problems == []
