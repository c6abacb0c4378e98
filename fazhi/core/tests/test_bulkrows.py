"""Bulk writers' values: db_values gives what each field's own conversion gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fazhi.core.bulkrows import db_values
from fazhi.registers.reconsideration.models import ReconsiderationCase

pytestmark = pytest.mark.django_db


def test_db_values_are_the_fields_own_conversions_and_personal_data_is_encrypted(org: Any) -> None:
    case = ReconsiderationCase(
        unit=org.body,
        case_number="东复〔2025〕1号",
        year=2025,
        sequence=1,
        state="received",
        received_on=dt.date(2025, 3, 3),
        applicant_name="张三",
        applicant_type="natural_person",
        respondent_name="东湖区市场监督管理局",
        disputed_act="行政处罚决定",
        channel="post",
        deadlines={"reconsideration.decision": "2025-05-02"},
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    fields = [f for f in ReconsiderationCase._meta.concrete_fields if not f.primary_key]
    fast = dict(zip([f.name for f in fields], db_values(fields)(case, False), strict=True))
    for f in fields:
        if f.name in ("applicant_name", "updated_at"):
            continue  # encrypted with a fresh nonce / stamped at saving: compared below
        full = f.get_db_prep_save(f.pre_save(case, False), connection)
        assert type(fast[f.name]) is type(full), f.name
        assert getattr(fast[f.name], "obj", fast[f.name]) == getattr(full, "obj", full), f.name  # psycopg's Jsonb wraps .obj
    assert fast["applicant_name"] and "张三" not in str(fast["applicant_name"])  # the full path: encrypted
    assert fast["received_on"] == connection.ops.adapt_datefield_value(dt.date(2025, 3, 3))
