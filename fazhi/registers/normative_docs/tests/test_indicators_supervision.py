"""The figures of 规范性文件 trace to their records; the supervision rules raise their leads once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import do
from fazhi.registers.normative_docs.tests.test_catalogue import published
from fazhi.supervision.models import Lead
from fazhi.supervision.services import leads_scan

pytestmark = pytest.mark.django_db


def test_the_figures_count_issued_reviewed_filed_on_time_corrected_cleaned_and_in_force(org: Any, staff: dict[str, Any]) -> None:
    from fazhi.indicators.engine import Period, compute

    a = published(org, staff, "东湖区住所登记管理办法", 1, dt.date(2025, 3, 3), filed=dt.date(2025, 3, 20))
    published(org, staff, "东湖区广告管理办法", 2, dt.date(2025, 4, 1), filed=dt.date(2025, 5, 20))
    c = published(org, staff, "东湖区农贸市场管理办法", 3, dt.date(2025, 5, 6))
    do(a, "request_correction", org.erin, correction_requested_on=dt.date(2025, 6, 3), correction_reason="第五条增设条件")
    do(c, "clean_repeal", staff["head"], cleaned_on=dt.date(2025, 9, 1), cleanup_reason="上位法已废止")
    codes = ["gf.issued", "gf.reviewed", "gf.filed", "gf.corrected", "gf.cleaned.repeal", "gf.in_force", "gf.filed_on_time_rate", "gf.filing_rate"]
    rolled = compute([org.district], Period.year(2025), codes)
    raw = compute([org.district], Period.year(2025), codes, source="raw")
    values = {code: rolled[code][org.district.pk] for code in codes}
    assert values == {code: raw[code][org.district.pk] for code in codes}
    got = {code: values[code].value for code in codes[:6]}
    assert got == {"gf.issued": 3, "gf.reviewed": 3, "gf.filed": 2, "gf.corrected": 1, "gf.cleaned.repeal": 1, "gf.in_force": 2}
    assert values["gf.filed_on_time_rate"].numerator == 1 and values["gf.filed_on_time_rate"].denominator == 2
    assert values["gf.filing_rate"].numerator == 2 and values["gf.filing_rate"].denominator == 3


def test_late_or_missing_filing_and_a_past_validity_raise_one_lead_each(org: Any, staff: dict[str, Any]) -> None:
    late = published(org, staff, "东湖区广告管理办法", 2, dt.date(2025, 4, 1), filed=dt.date(2025, 5, 20))
    missing = published(org, staff, "东湖区计量监督办法", 3, dt.date(2025, 6, 2))
    stale = published(org, staff, "东湖区春季农资市场管理暂行办法", 4, dt.date(2025, 2, 3), until=dt.date(2025, 8, 31), filed=dt.date(2025, 2, 20))
    on_time = published(org, staff, "东湖区住所登记管理办法", 1, dt.date(2025, 3, 3), filed=dt.date(2025, 3, 20))
    leads = leads_scan(org.district, dt.date(2025, 10, 1))
    by_key = {lead.source_key: lead for lead in leads}
    assert set(by_key) == {f"filing:{late.pk}", f"filing:{missing.pk}", f"validity:{stale.pk}"}
    assert "仍未报送" in by_key[f"filing:{missing.pk}"].summary and "2025-05-20才报送备案" in by_key[f"filing:{late.pk}"].summary
    assert by_key[f"validity:{stale.pk}"].get_source_display() == "规范性文件超过有效期仍标为有效"
    assert not any(str(on_time.pk) in k and k.startswith("filing") for k in by_key)
    assert leads_scan(org.district, dt.date(2025, 10, 1)) == [] and Lead.objects.count() == 3
