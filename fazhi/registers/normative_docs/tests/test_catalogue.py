"""The public list: filters, the list as of a past date from the events, xlsx, the sealed publication."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from fazhi.audit.models import AuditLeaf
from fazhi.audit.testing import append_only_bypass
from fazhi.core.errors import PermissionDenied
from fazhi.registers.framework.services import matter_create
from fazhi.registers.normative_docs.catalogue import catalogue, catalogue_publish
from fazhi.registers.normative_docs.models import CatalogueSnapshot, NormativeDocument

pytestmark = pytest.mark.django_db


def published(
    org: Any, staff: dict[str, Any], title: str, number: int, on: dt.date, *, until: dt.date | None = None, filed: dt.date | None = None
) -> NormativeDocument:
    doc = matter_create(
        register="normative_docs",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": on - dt.timedelta(days=80), "title": title, "doc_kind": "department", "issuing_body": "东湖区市场监督管理局"},
    )
    start = on - dt.timedelta(days=60)
    do(doc, "solicit_comment", org.erin, comment_from=start, comment_to=start + dt.timedelta(days=20), comment_channel="网站")
    do(doc, "submit_review", org.erin, submitted_on=start + dt.timedelta(days=25), reviewing_body="东湖区司法局")
    reviewer = {"reviewer_name": "王审核", "reviewer_qualification": "legal_profession", "reviewer_certificate": "A1"}
    do(doc, "review_pass", staff["reviewer"], reviewed_on=start + dt.timedelta(days=35), review_opinion="passed", **reviewer)
    do(doc, "deliberate", staff["head"], meeting_on=start + dt.timedelta(days=45), meeting_name="局长办公会议")
    until = until or dt.date(on.year + 5, on.month, on.day) - dt.timedelta(days=1)
    do(doc, "publish", org.erin, doc_number=f"东市监规〔{on.year}〕{number}号", published_on=on, publication_place="网站", effective_on=on, valid_until=until)
    if filed:
        do(doc, "file", org.erin, filed_on=filed, filed_with="东湖区人民政府")
    assert isinstance(doc, NormativeDocument)
    return doc


@pytest.fixture
def docs(org: Any, staff: dict[str, Any]) -> dict[str, NormativeDocument]:
    a = published(org, staff, "东湖区住所登记管理办法", 1, dt.date(2023, 3, 1), filed=dt.date(2023, 3, 20))
    b = published(org, staff, "东湖区广告管理暂行办法", 2, dt.date(2023, 5, 1), until=dt.date(2024, 4, 30), filed=dt.date(2023, 5, 10))
    c = published(org, staff, "东湖区农贸市场管理办法", 3, dt.date(2023, 8, 1), filed=dt.date(2023, 8, 30))
    do(c, "clean_repeal", staff["head"], cleaned_on=dt.date(2024, 9, 1), cleanup_reason="上位法已废止")
    d = published(org, staff, "东湖区计量监督办法", 1, dt.date(2024, 8, 1))
    return {"a": a, "b": b, "c": c, "d": d}


def test_the_list_of_a_past_day_is_reproduced_from_the_events(docs: dict[str, NormativeDocument]) -> None:
    on = {e.doc.title: e.status_label for e in catalogue(dt.date(2024, 6, 30))}
    # b's validity ended on 2024-04-30 (no lapse recorded: lapsed all the same); c repealed only in
    # September; d published only in August
    assert on == {"东湖区住所登记管理办法": "现行有效", "东湖区广告管理暂行办法": "已失效（有效期届满）", "东湖区农贸市场管理办法": "现行有效"}
    in_force = [e.doc.title for e in catalogue(dt.date(2024, 6, 30), status="in_force")]
    assert in_force == ["东湖区住所登记管理办法", "东湖区农贸市场管理办法"]
    later = {e.doc.title: e.status_label for e in catalogue(dt.date(2024, 12, 31))}
    assert later["东湖区农贸市场管理办法"] == "已废止" and later["东湖区计量监督办法"] == "现行有效"
    entry = next(e for e in catalogue(dt.date(2024, 12, 31)) if e.doc.title == "东湖区农贸市场管理办法")
    assert [what for _, what in entry.history] == ["公布", "施行", "报送备案", "清理：废止"]


def test_the_portal_filters_searches_exports_and_shows_the_history(client: Client, docs: dict[str, NormativeDocument]) -> None:
    page = client.get("/gongkai/guifan/", {"as_of": "2024-06-30"}).content.decode()
    assert "东湖区住所登记管理办法" in page and "东湖区农贸市场管理办法" in page and "东湖区广告管理暂行办法" not in page
    page = client.get("/gongkai/guifan/", {"as_of": "2024-06-30", "status": "all", "q": "东市监规〔2023〕2号"}).content.decode()
    assert "东湖区广告管理暂行办法" in page and "已失效（有效期届满）" in page and "共 1 件" in page
    page = client.get("/gongkai/guifan/", {"year": "2024", "status": "all"}).content.decode()
    assert "东湖区计量监督办法" in page and "东湖区住所登记管理办法" not in page
    bad = client.get("/gongkai/guifan/", {"as_of": "2024-13-01", "year": "abc"})
    assert bad.status_code == 200 and "截至日期" in bad.content.decode() and "公布年度" in bad.content.decode()
    detail = client.get(f"/gongkai/guifan/{docs['c'].pk}/").content.decode()
    assert "清理：废止" in detail and "王审核" not in detail
    xlsx = client.get("/gongkai/guifan/export.xlsx", {"as_of": "2024-06-30"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[0][:2] == ("文号", "文件名称") and sorted(r[1] for r in rows[1:]) == ["东湖区住所登记管理办法", "东湖区农贸市场管理办法"]


def test_a_draft_is_not_on_the_portal(client: Client, org: Any) -> None:
    doc = matter_create(
        register="normative_docs",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": dt.date(2025, 2, 1), "title": "尚在起草的办法", "doc_kind": "department", "issuing_body": "东湖区市场监督管理局"},
    )
    assert "尚在起草的办法" not in client.get("/gongkai/guifan/", {"status": "all"}).content.decode()
    assert client.get(f"/gongkai/guifan/{doc.pk}/").status_code == 404


def test_only_the_rule_of_law_office_publishes_the_list_and_the_seal_is_verifiable(org: Any, docs: dict[str, NormativeDocument]) -> None:
    with pytest.raises(PermissionDenied):
        catalogue_publish(unit=org.district, actor=org.erin)
    clerk = Client()
    clerk.login(username="erin", password=PASSWORD)
    assert clerk.get("/guifan/fabu/").status_code == 403
    assert clerk.post("/guifan/fabu/", {"unit": org.district.pk}).status_code == 403
    assert Client().get("/guifan/fabu/").status_code == 302  # to the login page
    assert CatalogueSnapshot.objects.count() == 0
    office = Client()
    office.login(username="dave", password=PASSWORD)
    assert "现行有效 2 件" in office.get("/guifan/fabu/").content.decode()
    leaves = AuditLeaf.objects.count()
    assert office.post("/guifan/fabu/", {"unit": org.district.pk, "note": "2025年第一季度"}).status_code == 302
    snap = CatalogueSnapshot.objects.get()
    assert (snap.unit, snap.count, snap.published_by) == (org.district, 2, org.dave)
    assert AuditLeaf.objects.count() == leaves + 1 and AuditLeaf.objects.order_by("-index").first().source == "normative_catalogue"
    public = json.loads(Client().get(f"/gongkai/guifan/mulu/{snap.pk}.json").content)
    digest = hashlib.sha256(json.dumps(public["rows"], ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert digest == public["sha256"] == snap.sha256
    assert snap.sha256 in Client().get("/gongkai/guifan/").content.decode()
    from fazhi.audit.services import audit_verify, checkpoint_take

    checkpoint_take()
    assert audit_verify().ok
    append_only_bypass("normative_docs_cataloguesnapshot")
    CatalogueSnapshot.objects.filter(pk=snap.pk).update(rows=[*snap.rows[:1], {**snap.rows[1], "状态": "已废止"}])
    assert any("已被改动" in p for p in audit_verify().problems)
    other = Client()
    other.login(username="frank", password=PASSWORD)
    assert other.get("/guifan/fabu/").status_code == 403
