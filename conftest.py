"""Shared test personas (healthchecks style): one small organisation, people in known roles."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from fazhi.core.models import Kind, Level, Role, Unit
from fazhi.core.services import membership_grant, unit_create

PASSWORD = "test-pass-123"


@dataclass
class Org:
    city: Unit
    district: Unit
    body: Unit
    dept: Unit
    other_district: Unit
    other_body: Unit
    alice: Any  # clerk of the reconsideration body
    bob: Any  # reviewer of the reconsideration body
    carol: Any  # head of the reconsideration body
    dave: Any  # rule-of-law office, whole district
    erin: Any  # clerk of a department (not the body)
    frank: Any  # clerk of the other district's body
    admin: Any


def _user(username: str, name: str) -> Any:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=name)
    return user


@pytest.fixture
def org(db: Any) -> Org:
    city = unit_create(name="测试市人民政府", short_name="测市", code="T", level=Level.CITY, kind=Kind.GOVERNMENT)
    district = unit_create(name="东湖区人民政府", short_name="东湖", code="T-D", level=Level.DISTRICT, kind=Kind.GOVERNMENT, parent=city)
    justice = unit_create(name="东湖区司法局", short_name="司法", code="T-D-J", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=district)
    body = unit_create(
        name="东湖区行政复议办公室", short_name="东", code="T-D-FY", level=Level.DISTRICT, kind=Kind.SECTION, parent=justice, is_reconsideration_body=True
    )
    dept = unit_create(name="东湖区市场监督管理局", short_name="市监", code="T-D-SJ", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=district)
    other = unit_create(name="西山区人民政府", short_name="西山", code="T-X", level=Level.DISTRICT, kind=Kind.GOVERNMENT, parent=city)
    other_body = unit_create(
        name="西山区行政复议办公室", short_name="西", code="T-X-FY", level=Level.DISTRICT, kind=Kind.SECTION, parent=other, is_reconsideration_body=True
    )
    people = {}
    for username, name, unit, role in [
        ("alice", "爱丽丝", body, Role.CLERK),
        ("bob", "鲍勃", body, Role.REVIEWER),
        ("carol", "卡罗尔", body, Role.HEAD),
        ("dave", "戴夫", district, Role.RULE_OF_LAW_OFFICE),
        ("erin", "艾琳", dept, Role.CLERK),
        ("frank", "弗兰克", other_body, Role.CLERK),
        ("admin", "管理员", city, Role.ADMIN),
    ]:
        people[username] = _user(username, name)
        membership_grant(user=people[username], unit=unit, role=role)
    return Org(city=city, district=district, body=body, dept=dept, other_district=other, other_body=other_body, **people)


def application(**overrides: Any) -> dict[str, Any]:
    data = {
        "received_on": dt.date(2025, 9, 29),
        "applicant_name": "张三",
        "applicant_type": "natural_person",
        "applicant_id_number": "420102198001011234",
        "respondent_name": "东湖区市场监督管理局",
        "disputed_act": "行政处罚决定",
        "channel": "in_person",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_case(org: Org) -> Any:
    from fazhi.registers.framework.services import matter_create

    def make(**overrides: Any) -> Any:
        return matter_create(register="reconsideration", unit=org.body, actor=org.alice, data=application(**overrides))

    return make


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_the_log() -> Any:
    """Django's flush between transactional tests deletes every row on SQLite; the log's DELETE
    guard (fazhi.audit.appendonly) lets only that through, every other delete stays refused."""
    from django.core.management.commands import flush

    from fazhi.audit.appendonly import log_maintenance

    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        with log_maintenance():
            return original(self, *args, **options)

    flush.Command.handle = handle  # type: ignore[method-assign]
    yield
    flush.Command.handle = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _empty_page_cache() -> None:
    # values cached until the next write (fazhi/core/pagecache.py) are keyed by a version counter
    # in the database: a test's rolled-back transaction takes the counter back with it, so the
    # next test could meet the previous one's entries under the same version
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2 at production strength costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_checkpoint_key_of_the_machine(settings: Any, tmp_path_factory: Any) -> None:
    # A key in var/keys (after scripts/run) must not sign test checkpoints into var/witness; tests
    # that sign make their own key (fazhi/audit/tests/test_tamper.py).
    scratch = tmp_path_factory.getbasetemp()
    settings.FAZHI_CHECKPOINT_KEY_FILE = scratch / "no-checkpoint-key.pem"
    settings.FAZHI_WITNESS_DIR = scratch / "witness-unused"
    # files the tests store (evidence, documents) and text messages stay out of the checkout's var/
    settings.FAZHI_EVIDENCE_DIR = scratch / "files"
    settings.FAZHI_SMS_DIR = scratch / "sms"
    # personal data at rest: the published development keys, whatever var/keys holds (tests of
    # the key file make their own: fazhi/core/tests/test_fieldcrypt.py)
    settings.FAZHI_FIELD_KEYS_FILE = scratch / "no-field-keys.json"


def do(matter: Any, name: str, actor: Any, **data: Any) -> Any:
    """Take one step of a matter through the transition service (the matter is refreshed by it)."""
    from fazhi.registers.framework.services import matter_transition

    return matter_transition(matter=matter, transition=name, actor=actor, data=data)


# --- the CI's two databases ----------------------------------------------------------------------
# .ci/run runs the suite on SQLite and on PostgreSQL at once on two cores. Each test runs on both
# databases when it touches one; what cannot differ between them runs once: the tests that touch
# no database (pytest-django refuses them any query) only in the SQLite half, and the browser
# journeys (Chromium driving pages whose views the test client also tests on both databases) only
# in the PostgreSQL half, the production database. FAZHI_TEST_HALF selects the half; without it
# (scripts/test by hand) every test runs.
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def _uses_database(item: Any) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))


# The longest test files, started first: with a file per pytest-xdist worker the run ends when
# its last file ends, so the demo (minutes) must not be the last file a worker picks up.
FIRST = (
    "fazhi/core/tests/test_demo.py",
    "fazhi/indicators/tests/test_province_spark.py",
    "fazhi/registers/framework/tests/test_scenarios.py",
    "fazhi/api/tests/test_matrix.py",
    "fazhi/api/tests/test_schemathesis.py",
    "fazhi/ops/tests/test_backup.py",
    "fazhi/web/tests/test_production_server.py",
    "fazhi/law/tests/test_clocks.py",
)


ONE_HALF_FIXTURES = {"browser", "spark"}


def _first(item: Any) -> int:
    path = item.nodeid.split("::", 1)[0]
    return FIRST.index(path) if path in FIRST else len(FIRST)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    items.sort(key=_first)  # stable: the order within and after them is unchanged
    half = os.environ.get("FAZHI_TEST_HALF", "")
    if not half:
        return
    if half not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"FAZHI_TEST_HALF={half}: sqlite or postgresql")
    keep, elsewhere = [], []
    for item in items:
        # browser journeys and the Spark job (a JVM each) run in one half only: the PostgreSQL one
        browser = bool(ONE_HALF_FIXTURES & set(getattr(item, "fixturenames", ())))
        if browser and not _uses_database(item):
            raise pytest.UsageError(f"{item.nodeid}: a browser test without the database would run in neither half")
        runs_here = not browser if half == "sqlite" else _uses_database(item)
        (keep if runs_here else elsewhere).append(item)
    config.hook.pytest_deselected(items=elsewhere)
    items[:] = keep
    config._fazhi_half = (half, len(elsewhere))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    half = getattr(config, "_fazhi_half", None)
    if half:
        journeys = "the browser journeys and the Spark job, in the PostgreSQL half"
        other = journeys if half[0] == "sqlite" else "the tests that touch no database, in the SQLite half"
        terminalreporter.write_line(f"FAZHI_TEST_HALF={half[0]}: {half[1]} tests run in the other half instead: {other}")
