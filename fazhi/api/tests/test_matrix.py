"""The permission matrix (fazhi/api/tests/matrix.py) on a small organisation; the demo runs it
over every register's records in fazhi/core/tests/test_demo.py."""

from __future__ import annotations

from typing import Any

from conftest import application
from fazhi.api.tests.matrix import api_matrix
from fazhi.registers.framework.services import matter_create
from fazhi.registers.reconsideration.models import ReconsiderationCase


def test_nothing_of_another_unit_is_visible_or_writable(org: Any, make_case: Any) -> None:
    make_case()
    matter_create(register="reconsideration", unit=org.other_body, actor=org.frank, data=application(applicant_name="李四"))
    before = ReconsiderationCase.objects.count()
    result = api_matrix(district_code="T-D", department_code=org.body.code, other_code="T-X")
    print(f"API matrix: {result.operations} operations, {result.pairs} pairs, leaks {len(result.leaks)}")
    assert result.operations > 200 and result.pairs > 750
    assert result.server_errors == []
    assert result.leaks == []
    assert ReconsiderationCase.objects.count() == before  # the matrix rolls back what it was allowed to write
