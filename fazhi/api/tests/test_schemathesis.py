"""schemathesis against the live OpenAPI schema, in process (WSGI): every operation, generated
requests, zero server errors, and every answer as the schema documents it (status, content type,
body). Run with a writing token over records of the token's units, so that the writes reach the
services' checks and not only the scope's refusals."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conftest import application
from fazhi.api.services import api_client_create
from fazhi.core.models import Role
from fazhi.registers.framework.services import matter_create

EXAMPLES = 3  # per operation (about 250 operations); FAZHI_FUZZ_EXAMPLES=50 for a deeper run by hand


def test_every_operation_answers_as_documented_and_never_with_a_server_error(org: Any, make_case: Any, settings: Any) -> None:
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    load_all_checks()
    _client, token = api_client_create(name="模糊测试", units=[org.body], roles=[Role.CLERK, Role.REVIEWER, Role.HEAD], can_write=True, per_minute=10**6)
    mine = [make_case(received_on=dt.date.today()).pk for _ in range(3)]
    theirs = matter_create(register="reconsideration", unit=org.other_body, actor=org.frank, data=application()).pk
    # in process, as Django's test client does: a request must not close the test's connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        run_all(token, [*mine, theirs])
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def run_all(token: str, ids: list[int]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 200
    failures: list[str] = []
    calls = [0]
    statuses: dict[int, int] = {}
    for op in operations:
        strategy = op.as_strategy()
        if "{pk}" in op.path and "/reconsideration/" in op.path:
            # the records there (the client's three and another district's one), besides generated numbers
            strategy = st.tuples(strategy, st.sampled_from([None, *ids])).map(lambda pair: _with_pk(*pair))

        @given(case=strategy)
        @hypothesis_settings(
            max_examples=int(os.environ.get("FAZHI_FUZZ_EXAMPLES", EXAMPLES)),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            calls[0] += 1
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}  # the auth the case is sent with
            response = case.call()
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.path}: {response.status_code} {response.text[:300]}")
                return
            try:
                # excluded: "schema-valid data must be accepted" — the registers' rules (dates in their
                # order, a record of the client's units) refuse well-typed data with 422, as the site does
                case.validate_response(response, excluded_checks=[positive_data_acceptance])
            except Exception as exc:
                failures.append(f"{case.method} {case.path} → {response.status_code}: {str(exc)[:300]}")

        run()
    print(f"schemathesis: {len(operations)} operations, {calls[0]} requests, answers by status {dict(sorted(statuses.items()))}")
    assert statuses.get(200, 0) + statuses.get(201, 0) > len(operations) / 4  # the run reaches the records, not only refusals
    assert failures == [], "\n".join(failures[:30])


def _with_pk(case: Any, pk: int | None) -> Any:
    if pk is not None:
        case.path_parameters = {**(case.path_parameters or {}), "pk": pk}
    return case
