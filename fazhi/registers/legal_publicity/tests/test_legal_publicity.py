"""普法: activities recorded against the unit's 普法责任清单, the per-unit coverage and the other
figures, the 法律明白人 and 示范村 tables (form, import, export with masking), permissions."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import PASSWORD, do
from fazhi.audit.models import AuditLeaf
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.errors import ImportFailed, PermissionDenied, ValidationFailed
from fazhi.indicators.engine import Period, compute
from fazhi.registers.framework.services import matter_create
from fazhi.registers.legal_publicity import importers, services
from fazhi.registers.legal_publicity.models import DutyItem, LegalLiaison, ModelVillage, PublicityActivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(org: Any) -> list[DutyItem]:
    duty_list = services.list_create(unit=org.dept, actor=org.erin, year=2025, issued_on=dt.date(2025, 2, 10))
    return [
        services.item_add(duty_list=duty_list, actor=org.erin, content="《食品安全法》", target_groups="食品生产经营者", timing="全年"),
        services.item_add(duty_list=duty_list, actor=org.erin, content="《消费者权益保护法》", target_groups="消费者", timing="3月"),
        services.item_add(duty_list=duty_list, actor=org.erin, content="《广告法》", target_groups="广告经营者"),
    ]


def activity(org: Any, **overrides: Any) -> PublicityActivity:
    data = {
        "received_on": dt.date(2025, 3, 15),
        "kind": "campaign",
        "title": "3·15法治宣传",
        "place": "东湖广场",
        "audience": "消费者",
        "participants": 800,
        "participants_estimated": True,
        "materials": 1500,
    } | overrides
    matter = matter_create(register="legal_publicity", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(matter, PublicityActivity)
    return matter


def values(org: Any, year: int = 2025) -> dict[str, Any]:
    codes = [
        "pf.events",
        "pf.participants",
        "pf.participants_estimated",
        "pf.materials",
        "pf.on_list",
        "pf.campaign",
        "pf.case",
        "pf.duty_items",
        "pf.duty_coverage",
    ]
    result = compute([org.dept], Period.year(year), codes)
    return {c: result[c][org.dept.pk].value for c in codes}


def test_activities_against_the_list_move_the_units_coverage_and_a_withdrawn_one_stops_counting(org: Any, items: list[DutyItem]) -> None:
    assert values(org)["pf.duty_coverage"] is None or values(org)["pf.duty_coverage"] == 0
    first = activity(org, duty_item=items[1].pk)
    activity(
        org,
        received_on=dt.date(2025, 4, 2),
        kind="case",
        title="食品安全以案释法",
        participants=60,
        participants_estimated=False,
        materials=0,
        duty_item=items[0].pk,
    )
    activity(
        org,
        received_on=dt.date(2025, 5, 8),
        kind="case",
        title="第二场以案释法",
        participants=40,
        participants_estimated=False,
        materials=0,
        duty_item=items[0].pk,
    )
    items[0].refresh_from_db()
    assert items[0].first_activity_on == dt.date(2025, 4, 2)
    v = values(org)
    assert (v["pf.events"], v["pf.participants"], v["pf.participants_estimated"], v["pf.materials"]) == (3, 900, 800, 1500)
    assert (v["pf.on_list"], v["pf.campaign"], v["pf.case"], v["pf.duty_items"]) == (3, 1, 2, 3)
    assert float(v["pf.duty_coverage"]) == pytest.approx(66.7, abs=0.1)
    reviewer = _user(org, "dept_reviewer", "reviewer")
    do(first, "withdraw", reviewer, withdrawn_on="2025-03-20", withdrawal_reason="与另一条重复登记")
    items[1].refresh_from_db()
    assert items[1].first_activity_on is None
    v = values(org)
    assert (v["pf.events"], v["pf.participants"], v["pf.participants_estimated"]) == (2, 100, 0)
    assert float(v["pf.duty_coverage"]) == pytest.approx(33.3, abs=0.1)
    # the same figures counted from the records
    raw = compute([org.dept], Period.year(2025), ["pf.events", "pf.participants"], source="raw")
    assert (raw["pf.events"][org.dept.pk].value, raw["pf.participants"][org.dept.pk].value) == (2, 100)
    # by month
    april = compute([org.dept], Period.month(2025, 4), ["pf.events"])["pf.events"][org.dept.pk].value
    assert april == 1


def _user(org: Any, username: str, role: str, unit: Any = None) -> Any:
    from django.contrib.auth import get_user_model

    from fazhi.core.services import membership_grant

    user = get_user_model().objects.create_user(username, password=PASSWORD)
    membership_grant(user=user, unit=unit or org.dept, role=role)
    return get_user_model().objects.get(pk=user.pk)


def test_an_item_of_another_unit_or_year_or_moved_off_the_list_is_refused(org: Any, items: list[DutyItem]) -> None:
    other = services.list_create(unit=org.body, actor=org.alice, year=2025, issued_on=dt.date(2025, 2, 1))
    foreign = services.item_add(duty_list=other, actor=org.alice, content="《行政复议法》", target_groups="群众")
    with pytest.raises(ValidationFailed) as exc:
        activity(org, duty_item=foreign.pk)
    assert "不是东湖区市场监督管理局的" in exc.value.errors["duty_item"][0]
    with pytest.raises(ValidationFailed) as exc:
        activity(org, received_on=dt.date(2024, 12, 20), duty_item=items[0].pk)
    assert "2025年度" in exc.value.errors["duty_item"][0]
    services.item_remove(item=items[2], actor=org.erin, on=dt.date(2025, 6, 30))
    with pytest.raises(ValidationFailed) as exc:
        activity(org, received_on=dt.date(2025, 7, 1), duty_item=items[2].pk)
    assert "移出" in exc.value.errors["duty_item"][0]
    with pytest.raises(ValidationFailed) as exc:
        activity(org, participants=0)
    assert "participants" in exc.value.errors
    assert PublicityActivity.objects.count() == 0


def test_lists_and_items_are_written_only_by_the_units_staff_and_each_write_is_audited(org: Any, items: list[DutyItem]) -> None:
    with pytest.raises(PermissionDenied):
        services.list_create(unit=org.dept, actor=org.frank, year=2026, issued_on=dt.date(2026, 1, 5))
    with pytest.raises(PermissionDenied):
        services.item_add(duty_list=items[0].duty_list, actor=org.alice, content="x", target_groups="y")
    with pytest.raises(ValidationFailed) as exc:
        services.list_create(unit=org.dept, actor=org.erin, year=2025, issued_on=dt.date(2025, 3, 1))
    assert "已有2025年度" in exc.value.errors["year"][0]
    before = AuditLeaf.objects.count()
    services.item_add(duty_list=items[0].duty_list, actor=org.erin, content="《反食品浪费法》", target_groups="餐饮经营者")
    assert AuditLeaf.objects.count() == before + 1
    checkpoint_take()
    assert audit_verify().ok


def test_staff_pages_show_only_the_users_units_and_refuse_writes_to_others(org: Any, items: list[DutyItem]) -> None:
    client = Client()
    client.login(username="frank", password=PASSWORD)
    assert client.get(f"/pufa/qingdan/{items[0].duty_list.pk}/").status_code == 404
    page = client.get("/pufa/?year=2025").content.decode()
    assert "东湖区市场监督管理局2025年度普法责任清单" not in page
    assert client.post("/pufa/", {"unit": org.dept.pk, "year": 2026, "issued_on": "2026-01-05"}).status_code == 200
    from fazhi.registers.legal_publicity.models import DutyList

    assert not DutyList.objects.filter(year=2026).exists()
    client.login(username="erin", password=PASSWORD)
    page = client.get("/pufa/?year=2025").content.decode()
    assert "东湖区市场监督管理局2025年度普法责任清单" in page
    activity(org, duty_item=items[0].pk)
    detail = client.get(f"/pufa/qingdan/{items[0].duty_list.pk}/").content.decode()
    assert "3·15法治宣传" in detail and "尚未开展" in detail and "33.3%" in detail
    response = client.post(f"/pufa/qingdan/{items[0].duty_list.pk}/", {"action": "add", "add-content": "", "add-target_groups": "村民"})
    assert response.status_code == 200 and "普法内容" in response.content.decode() and "text-danger" in response.content.decode()
    assert not DutyItem.objects.filter(target_groups="村民").exists()
    response = client.post(f"/pufa/qingdan/{items[0].duty_list.pk}/", {"action": "add", "add-content": "《土地管理法》", "add-target_groups": "村民"})
    assert response.status_code == 302 and DutyItem.objects.filter(content="《土地管理法》", number=4).exists()


LIAISONS = "单位编码,编号,姓名,联系电话,所在村（社区）,选任日期,本年度参加培训（次）,最近一次培训日期,退出日期\n"


def test_liaisons_import_all_or_nothing_with_row_and_column_and_the_public_export_is_masked(org: Any) -> None:
    bad = LIAISONS + "T-D-SJ,MB-001,张三,13812345678,长青村,2025-03-01,2,2025-06-01,\nT-D-SJ,MB-002,李四,abc,长青村,2025-13-01,1,,\n"
    with pytest.raises(ImportFailed) as exc:
        importers.liaisons_import(data=bad.encode(), filename="mb.csv", actor=org.erin)
    problems = "\n".join(exc.value.problems)
    assert "第3行“选任日期”：无法识别日期" in problems
    assert "第3行“最近一次培训日期”：填写了参加培训次数的" in problems
    assert "第3行“联系电话”" in problems
    assert LegalLiaison.objects.count() == 0
    good = LIAISONS + "T-D-SJ,MB-001,张三,13812345678,长青村,2025-03-01,2,2025-06-01,\nT-D-SJ,MB-002,李四,,长青村,2025-04-01,0,,\n"
    result = importers.liaisons_import(data=good.encode(), filename="mb.csv", actor=org.erin)
    assert (result.created, result.unchanged) == (2, 0)
    assert importers.liaisons_import(data=good.encode(), filename="mb.csv", actor=org.erin).unchanged == 2
    with pytest.raises(PermissionDenied):
        importers.liaisons_import(data=good.encode(), filename="mb.csv", actor=org.frank)
    v = compute([org.dept], Period.year(2025), ["pf.liaisons", "pf.liaisons_selected", "pf.liaison_trainings"])
    assert (v["pf.liaisons"][org.dept.pk].value, v["pf.liaisons_selected"][org.dept.pk].value, v["pf.liaison_trainings"][org.dept.pk].value) == (2, 2, 2)
    client = Client()
    client.login(username="erin", password=PASSWORD)
    internal = load_workbook(io.BytesIO(client.get("/pufa/mingbairen/export.xlsx").content)).active
    public = load_workbook(io.BytesIO(client.get("/pufa/mingbairen/export.xlsx?publish=1").content)).active
    assert [c.value for c in internal[2]][2:4] == ["张三", "13812345678"]
    assert [c.value for c in public[2]][2:4] == ["张*", "138****5678"]
    client.login(username="frank", password=PASSWORD)
    assert "长青村" not in client.get("/pufa/mingbairen/").content.decode()
    assert load_workbook(io.BytesIO(client.get("/pufa/mingbairen/export.xlsx").content)).active.max_row == 1


def test_villages_form_refuses_bad_input_naming_the_field_and_counts_what_holds_at_year_end(org: Any) -> None:
    client = Client()
    client.login(username="erin", password=PASSWORD)
    form = {"action": "save", "unit": org.dept.pk, "code": "SF-001", "name": "长青村", "level": "national", "named_year": 2024, "named_on": "2025-01-10"}
    response = client.post("/pufa/shifancun/", form)
    assert response.status_code == 200 and "命名年度应与命名日期的年份（2025）一致" in response.content.decode()
    assert ModelVillage.objects.count() == 0
    assert client.post("/pufa/shifancun/", form | {"named_year": 2025}).status_code == 302
    client.post("/pufa/shifancun/", form | {"code": "SF-002", "name": "红星社区", "level": "municipal", "named_year": 2025, "named_on": "2025-02-01"})
    response = client.post("/pufa/shifancun/", form | {"code": "SF-003", "named_year": 2025})
    assert "已作为全国示范村（社区）登记" in response.content.decode()
    village = ModelVillage.objects.get(code="SF-002")
    services.table_save(
        "model_village", actor=org.erin, values={**{c.name: getattr(village, c.name) for c in services.VILLAGE_COLUMNS}, "revoked_on": dt.date(2025, 9, 1)}
    )
    v = compute([org.dept], Period.year(2025), ["pf.model_villages", "pf.model_villages_national", "pf.model_villages_named"])
    assert (v["pf.model_villages"][org.dept.pk].value, v["pf.model_villages_national"][org.dept.pk].value, v["pf.model_villages_named"][org.dept.pk].value) == (
        1,
        1,
        2,
    )
    client.login(username="frank", password=PASSWORD)
    assert client.post("/pufa/shifancun/", form | {"code": "SF-009", "name": "别村"}).status_code in (200, 404)
    assert not ModelVillage.objects.filter(code="SF-009").exists()


def test_duty_import_creates_the_list_and_names_row_and_column(org: Any) -> None:
    head = "单位编码,年度,印发日期,序号,普法内容,普法对象,主要措施和活动,时间安排\n"
    bad = head + "T-D-SJ,2025,2025-02-10,1,《食品安全法》,食品经营者,,\nT-D-SJ,2025,2025-02-10,2,,消费者,,\nNOPE,2025,2025-02-10,1,x,y,,\n"
    with pytest.raises(ImportFailed) as exc:
        importers.duties_import(data=bad.encode(), filename="qd.csv", actor=org.erin)
    problems = "\n".join(exc.value.problems)
    assert "第3行“普法内容”：请填写普法内容" in problems and "第4行“单位编码”：找不到单位 NOPE" in problems
    assert not DutyItem.objects.exists()
    good = head + "T-D-SJ,2025,2025-02-10,1,《食品安全法》,食品经营者,以案释法,全年\nT-D-SJ,2025,2025-02-10,2,《民法典》,消费者,,\n"
    assert importers.duties_import(data=good.encode(), filename="qd.csv", actor=org.erin).created == 2
    assert importers.duties_import(data=good.encode(), filename="qd.csv", actor=org.erin).unchanged == 2
    assert list(DutyItem.objects.values_list("code", flat=True)) == ["T-D-SJ-2025-01", "T-D-SJ-2025-02"]


def test_villages_import_takes_the_usual_spellings_of_the_level_and_names_row_and_column(org: Any) -> None:
    head = "单位编码,编号,村（社区）名称,命名级别,命名年度,命名日期,撤销命名日期\n"
    bad = head + "T-D-SJ,SF-1,新桥村,国家级,2025,2025-06-01,\nT-D-SJ,SF-2,新河社区,县级,2024,2025-06-01,\n"
    with pytest.raises(ImportFailed) as exc:
        importers.villages_import(data=bad.encode(), filename="v.csv", actor=org.erin)
    assert exc.value.problems == ["第3行“命名级别”：无法识别“县级”，可填 全国、省级、市级", "第3行“命名年度”：命名年度应与命名日期的年份（2025）一致"]
    assert not ModelVillage.objects.exists()
    good = head + "T-D-SJ,SF-1,新桥村,国家级,2025,2025-06-01,\n"
    assert importers.villages_import(data=good.encode(), filename="v.csv", actor=org.erin).created == 1
    assert ModelVillage.objects.get(code="SF-1").level == "national"
