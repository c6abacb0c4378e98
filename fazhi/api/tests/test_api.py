"""The REST API: token, scopes, the same rules and audit leaves as the site, problem+json in Chinese."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from conftest import application
from fazhi.api.models import ApiRate
from fazhi.api.services import api_client_create, api_client_revoke, api_client_rotate
from fazhi.audit.models import AuditLeaf
from fazhi.core.models import Role
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.reconsideration.models import ReconsiderationCase


def call(token: str, method: str, path: str, body: Any = None, **params: Any) -> Any:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, params, **headers)
    return client.post(path, json.dumps(body, ensure_ascii=False, default=str), content_type="application/json", **headers)


@pytest.fixture
def body_writer(org: Any) -> str:
    _client, token = api_client_create(name="12345热线", units=[org.body], roles=[Role.CLERK, Role.REVIEWER, Role.HEAD], can_write=True)
    return token


@pytest.fixture
def body_reader(org: Any) -> str:
    _client, token = api_client_create(name="省级平台", units=[org.body], roles=[Role.CLERK], registers=["reconsideration"])
    return token


BASE = "/api/v1/registers/reconsideration"


def test_a_system_registers_a_case_takes_a_step_and_amends_it_through_the_services(org: Any, body_writer: str) -> None:
    r = call(body_writer, "post", f"{BASE}/matters", {"unit": org.body.pk, **application(received_on=dt.date.today())})
    assert r.status_code == 201, r.content.decode()
    case = r.json()
    assert case["case_number"].startswith("东复〔")
    assert case["state"] == "received" and case["events"][0]["step_label"] == "登记"
    assert case["events"][0]["actor"] == "12345热线（接口）"
    assert "accept" in case["steps_available"]
    r = call(body_writer, "post", f"{BASE}/matters/{case['id']}/steps/accept", {"procedure": "ordinary", "accepted_on": dt.date.today()})
    assert r.status_code == 200, r.content.decode()
    assert r.json()["state"] == "accepted"
    r = call(body_writer, "post", f"{BASE}/matters/{case['id']}/amendments", {"applicant_name": "张叁", "reason": "申请书姓名笔误"})
    assert r.status_code == 200, r.content.decode()
    detail = r.json()
    assert detail["fields"]["applicant_name"] == "张叁"
    assert [e["step"] for e in detail["events"]] == ["register", "accept", "amend"]
    # every step an event and an audit leaf, as on the site
    events = MatterEvent.objects.filter(register="reconsideration", object_id=case["id"]).values_list("pk", flat=True)
    assert AuditLeaf.objects.filter(source="matter_event", source_id__in=list(events)).count() == 3


def test_the_list_filters_as_the_site_and_pages_by_cursor(org: Any, make_case: Any, body_reader: str) -> None:
    for name, respondent in (("王五", "东湖区城市管理执法局"), ("赵六", "东湖区市场监督管理局"), ("王七", "东湖区城市管理执法局")):
        make_case(applicant_name=name, respondent_name=respondent)
    # a person's name is found whole (it is stored encrypted), other text by any part
    assert call(body_reader, "get", f"{BASE}/matters", q="赵六").json()["count"] == 1
    r = call(body_reader, "get", f"{BASE}/matters", q="城市管理", limit=1)
    assert r.status_code == 200
    page = r.json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next_after"]
    r = call(body_reader, "get", f"{BASE}/matters", q="城市管理", limit=1, after=page["next_after"])
    assert r.json()["next_after"] is None
    assert {page["results"][0]["party"], r.json()["results"][0]["party"]} == {"王五", "王七"}


def test_errors_are_problem_json_in_chinese_naming_the_field(org: Any, body_writer: str, make_case: Any) -> None:
    r = call(body_writer, "post", f"{BASE}/matters", {"unit": org.body.pk, **application(received_on="2025-02-30")})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["title"] == "数据未通过校验" and "received_on" in problem["errors"]
    assert "日期" in problem["errors"]["received_on"][0]
    r = call(body_writer, "post", f"{BASE}/matters", {"unit": org.body.pk, **application(), "applicant_nmae": "x"})
    assert r.status_code == 422 and "不是可提交的字段" in r.json()["errors"]["applicant_nmae"][0]
    case = make_case()
    r = call(body_writer, "post", f"{BASE}/matters/{case.pk}/steps/decide", {"decided_on": dt.date.today(), "outcome": "upheld"})
    assert r.status_code == 409 and "当前状态为" in r.json()["detail"]
    r = call("", "get", f"{BASE}/matters")
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Bearer" and "令牌" in r.json()["detail"]
    r = call("fz_wrong", "get", f"{BASE}/matters")
    assert r.status_code == 401


def test_scopes_unit_register_and_read_only(org: Any, make_case: Any, body_reader: str) -> None:
    mine = make_case()
    from fazhi.registers.framework.services import matter_create

    theirs = matter_create(register="reconsideration", unit=org.other_body, actor=org.frank, data=application())
    assert call(body_reader, "get", f"{BASE}/matters/{mine.pk}").status_code == 200
    r = call(body_reader, "get", f"{BASE}/matters/{theirs.pk}")
    assert r.status_code == 404 and theirs.case_number not in r.content.decode()
    assert [m["id"] for m in call(body_reader, "get", f"{BASE}/matters").json()["results"]] == [mine.pk]
    # a register outside the client's list; a write with a read-only token
    assert call(body_reader, "get", "/api/v1/registers/litigation/matters").status_code == 403
    r = call(body_reader, "post", f"{BASE}/matters/{mine.pk}/steps/accept", {"procedure": "ordinary", "accepted_on": dt.date.today()})
    assert r.status_code == 403 and "只能读取" in r.json()["detail"]
    assert ReconsiderationCase.objects.get(pk=mine.pk).state == "received"


def test_a_unit_outside_the_scope_cannot_be_written_to(org: Any, body_writer: str) -> None:
    r = call(body_writer, "post", f"{BASE}/matters", {"unit": org.other_body.pk, **application()})
    assert r.status_code == 422 and "unit" in r.json()["errors"]
    assert not ReconsiderationCase.objects.exists()


def test_revoked_and_rotated_tokens_stop_at_once(org: Any, body_reader: str) -> None:
    from fazhi.api.models import ApiClient

    client = ApiClient.objects.get(name="省级平台")
    new = api_client_rotate(client)
    assert call(body_reader, "get", f"{BASE}/matters").status_code == 401
    assert call(new, "get", f"{BASE}/matters").status_code == 200
    api_client_revoke(client)
    assert call(new, "get", f"{BASE}/matters").status_code == 401


def test_the_rate_limit_answers_429_with_retry_after(org: Any) -> None:
    client, token = api_client_create(name="限流测试", units=[org.body], roles=[Role.CLERK], per_minute=3)
    codes = [call(token, "get", f"{BASE}/matters").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = call(token, "get", f"{BASE}/matters")
    assert 0 < int(r["Retry-After"]) <= 60 and "每分钟最多 3 次" in r.json()["detail"]
    assert ApiRate.objects.get(client=client).count == 6


def test_the_schema_and_the_docs_page_are_served(db: Any) -> None:
    r = Client().get("/api/schema/")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    ops = [op for item in schema["paths"].values() for op in item.values()]
    assert len(ops) > 200
    accept = schema["paths"]["/api/v1/registers/reconsideration/matters/{pk}/steps/accept"]["post"]
    assert "application/problem+json" in accept["responses"]["422"]["content"]
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200 and b"<script>" not in docs.content  # no inline script under the CSP


def test_the_command_creates_lists_rotates_and_revokes_with_the_token_shown_once(org: Any) -> None:
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("api", "add", "--name", "一网通办", "--unit", org.body.code, "--role", "clerk", "--register", "reconsideration", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("fz_")
    assert call(token, "get", f"{BASE}/matters").status_code == 200
    listing = io.StringIO()
    call_command("api", "list", stdout=listing)
    assert "一网通办" in listing.getvalue() and "只读" in listing.getvalue() and token not in listing.getvalue()
    with pytest.raises(CommandError, match="没有编码为 NOPE 的单位"):
        call_command("api", "add", "--name", "x", "--unit", "NOPE", "--role", "clerk", stdout=io.StringIO())
    with pytest.raises(CommandError, match="已存在"):
        call_command("api", "add", "--name", "一网通办", "--unit", org.body.code, "--role", "clerk", stdout=io.StringIO())
    call_command("api", "revoke", "--name", "一网通办", stdout=io.StringIO())
    assert call(token, "get", f"{BASE}/matters").status_code == 401


def test_reading_personal_data_through_the_api_is_in_the_access_log(org: Any, make_case: Any, body_reader: str) -> None:
    from fazhi.core.models import PersonalDataAccess

    case = make_case()
    call(body_reader, "get", f"{BASE}/matters/{case.pk}")
    call(body_reader, "get", f"{BASE}/matters", q="张三")
    views = PersonalDataAccess.objects.order_by("pk")
    assert [(a.kind, a.username, a.case_number) for a in views][:1] == [("view", views[0].username, case.case_number)]
    assert views[0].user.first_name == "省级平台（接口）"
    assert views[1].kind == "list" and views[1].rows == 1 and "张三" not in views[1].filters  # the search text is not kept
