"""A register's list: search, the total count, the party column, sorting with numbered pages,
saved filters (each user's own), and batch steps (all or nothing, roles checked per matter)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, Org, do
from fazhi.core.models import Kind, Level, Role
from fazhi.core.services import membership_grant, unit_create
from fazhi.registers.enforcement.models import EnforcementCase, Officer, PowerItem
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.models import MatterEvent, SavedFilter
from fazhi.web.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

LIST = reverse("matter_list", args=["reconsideration"])
ENFORCEMENT = reverse("matter_list", args=["enforcement"])


def login(client: Client, user: Any) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def listed(page: str) -> list[str]:
    """Case numbers in the order the table lists them."""
    return re.findall(r'<a href="/r/[a-z_]+/\d+/">([^<]+)</a>', page)


def test_search_count_and_party_column(client: Client, org: Org, make_case: Any) -> None:
    a = make_case(applicant_name="张伟", respondent_name="东湖区城市管理执法局")
    b = make_case(applicant_name="李四", respondent_name="东湖区市场监督管理局")
    login(client, org.alice)
    page = client.get(LIST).content.decode()
    assert "共 <strong>2</strong> 件" in page
    assert '<th scope="col">申请人</th>' in page and '<td class="party">张伟</td>' in page
    assert 'placeholder="案号、申请人、被申请人、被申请复议的行政行为"' in page
    assert '<label class="form-label small mb-0" for="id_q">检索</label>' in page
    by_respondent = client.get(LIST, {"q": "城市管理"}).content.decode()
    assert listed(by_respondent) == [a.case_number] and "共 <strong>1</strong> 件" in by_respondent
    assert listed(client.get(LIST, {"q": "张伟"}).content.decode()) == [a.case_number]
    assert listed(client.get(LIST, {"q": "李四", "state": "received"}).content.decode()) == [b.case_number]
    assert "共 <strong>0</strong> 件" in client.get(LIST, {"q": "王五"}).content.decode()
    # another district's clerk finds nothing of ours, even by case number
    login(client, org.frank)
    assert listed(client.get(LIST, {"q": a.case_number}).content.decode()) == []


def test_enforcement_search_by_party_and_decision_number(client: Client, org: Org) -> None:
    agency = make_agency(org)
    case = open_case(agency, party_name="王小明")
    open_case(agency, party_name="赵六")
    do(case, "notify", agency.clerk, notified_on=dt.date(2025, 3, 10), proposed_fine="2000")
    do(case, "decide", agency.head, decided_on=dt.date(2025, 4, 1), outcome="penalty_imposed", decision_number="东市监罚〔2025〕88号", fine_amount="2000")
    login(client, agency.clerk)
    assert listed(client.get(ENFORCEMENT, {"q": "王小明"}).content.decode()) == [case.case_number]
    assert listed(client.get(ENFORCEMENT, {"q": "监罚〔2025〕88"}).content.decode()) == [case.case_number]


def test_sorting_by_a_column_with_numbered_pages(client: Client, org: Org, make_case: Any) -> None:
    days = [dt.date(2025, 9, 1) + dt.timedelta(days=(i * 7) % 53) for i in range(PAGE_SIZE + 5)]
    cases = [make_case(received_on=d) for d in days]
    by_day = [c.case_number for c in sorted(cases, key=lambda c: (c.received_on, c.pk))]
    login(client, org.alice)
    first = client.get(LIST, {"sort": "received"}).content.decode()
    assert listed(first) == by_day[:PAGE_SIZE]
    assert 'aria-sort="ascending"' in first and "共 <strong>55</strong> 件，第 1 页" in first
    assert 'href="?sort=received&amp;page=2"' in first
    second = client.get(LIST, {"sort": "received", "page": 2}).content.decode()
    assert listed(second) == by_day[PAGE_SIZE:]
    assert "上一页" in second and "下一页" not in second
    newest = client.get(LIST, {"sort": "-received"}).content.decode()
    assert listed(newest) == list(reversed(by_day))[:PAGE_SIZE] and 'aria-sort="descending"' in newest
    assert listed(client.get(LIST, {"sort": "received", "page": 99}).content.decode()) == by_day[PAGE_SIZE:]  # past the end: the last page
    by_number = listed(client.get(LIST, {"sort": "case"}).content.decode())
    assert by_number == sorted(by_number)
    # a filter keeps the order; an unknown order is ignored, never an error
    assert client.get(LIST, {"sort": "applicant_id_number"}).status_code == 200
    assert client.get(LIST, {"sort": "received", "page": "x"}).status_code == 200


def test_a_user_saves_lists_and_deletes_their_own_filters_only(client: Client, org: Org, make_case: Any) -> None:
    make_case(applicant_name="张伟")
    login(client, org.alice)
    response = client.post(reverse("saved_filter_save", args=["reconsideration"]), {"name": "张伟的案件", "query": "q=张伟&state=received&after=99"})
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=org.alice)
    assert saved.register == "reconsideration" and "after" not in saved.query and "state=received" in saved.query
    page = client.get(LIST).content.decode()
    assert "张伟的案件" in page and 'href="?' + saved.query.replace("&", "&amp;") + '"' in page
    # bob sees none of alice's filters, and cannot delete hers
    login(client, org.bob)
    assert "张伟的案件" not in client.get(LIST).content.decode()
    assert client.post(reverse("saved_filter_delete", args=["reconsideration", saved.pk])).status_code == 404
    assert client.post(reverse("saved_filter_delete", args=["enforcement", saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    # a nameless save is refused with a message
    client.post(reverse("saved_filter_save", args=["reconsideration"]), {"name": "", "query": "q=x"})
    assert not SavedFilter.objects.filter(user=org.bob).exists()
    login(client, org.alice)
    assert client.get(reverse("saved_filter_delete", args=["reconsideration", saved.pk])).status_code == 405
    assert client.post(reverse("saved_filter_delete", args=["reconsideration", saved.pk])).status_code == 302
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def _decided(agency: Agency, party: str, day: dt.date) -> EnforcementCase:
    case = open_case(agency, party_name=party, received_on=day - dt.timedelta(days=30))
    do(case, "notify", agency.clerk, notified_on=day - dt.timedelta(days=20), proposed_fine="2000")
    do(case, "decide", agency.head, decided_on=day, outcome="penalty_imposed", decision_number=f"东市监罚〔{day.year}〕{case.pk}号", fine_amount="2000")
    return case


def test_batch_publication_is_all_or_nothing_and_names_the_refused(client: Client, org: Org) -> None:
    agency = make_agency(org)
    day = dt.date(2025, 6, 2)
    a, b = _decided(agency, "王小明", day), _decided(agency, "李四", day)
    undecided = open_case(agency, party_name="赵六")
    login(client, agency.clerk)
    page = client.get(ENFORCEMENT).content.decode()
    assert "批量办理" in page and '<option value="publish">公示决定信息</option>' in page and f'aria-label="选择 {a.case_number}"' in page
    url = reverse("matter_batch", args=["enforcement"])
    response = client.post(url, {"transition": "publish", "day": "2025-06-05", "ids": [a.pk, b.pk, undecided.pk], "query": "q=东"}, follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?q=东") or "q=%E4%B8%9C" in response.redirect_chain[-1][0]
    assert "批量办理未执行" in text and f"{undecided.case_number}（当前状态为“调查取证中”，不能执行“公示决定信息”）" in text
    assert a.case_number not in text.split("批量办理未执行")[1].split("</div>")[0]
    assert not MatterEvent.objects.filter(transition="publish").exists()
    assert EnforcementCase.objects.filter(published_on__isnull=False).count() == 0
    response = client.post(url, {"transition": "publish", "day": "2025-06-05", "ids": [a.pk, b.pk]}, follow=True)
    assert "已对 2 件案件办理“公示决定信息”" in response.content.decode()
    events = MatterEvent.objects.filter(transition="publish")
    assert sorted(events.values_list("object_id", flat=True)) == sorted([a.pk, b.pk]) and all(e.note == "批量办理" for e in events)
    assert set(EnforcementCase.objects.filter(published_on=dt.date(2025, 6, 5)).values_list("pk", flat=True)) == {a.pk, b.pk}
    # once published, a second batch is refused for both (公示 at most once), nothing written
    text = client.post(url, {"transition": "publish", "day": "2025-06-06", "ids": [a.pk, b.pk]}, follow=True).content.decode()
    assert "最多只能执行 1 次" in text and events.count() == 2


def test_batch_input_errors_are_messages_and_unknown_steps_refused(client: Client, org: Org) -> None:
    agency = make_agency(org)
    a = _decided(agency, "王小明", dt.date(2025, 6, 2))
    login(client, agency.clerk)
    url = reverse("matter_batch", args=["enforcement"])
    for data, message in [
        ({"transition": "publish", "day": "2025-06-05"}, "请至少勾选一件案件"),
        ({"transition": "publish", "day": "", "ids": [a.pk]}, "办理日期：请填写办理日期"),
        ({"transition": "publish", "day": "2025-13-45", "ids": [a.pk]}, "办理日期：请填写有效的日期"),
        ({"transition": "decide", "day": "2025-06-05", "ids": [a.pk]}, "步骤：该步骤不能批量办理"),  # not batchable
        ({"transition": "publish", "day": "2025-06-05", "ids": ["x"]}, "案件：所选案件无效"),
    ]:
        text = client.post(url, data, follow=True).content.decode()
        assert "批量办理未执行" in text and message in text, data
    assert not MatterEvent.objects.filter(transition__in=["publish", "decide"], object_id=a.pk, event_date=dt.date(2025, 6, 5)).exists()
    # a register without batch steps offers none
    assert "批量办理" not in client.get(LIST).content.decode()


def test_batch_roles_are_checked_per_matter_and_unseen_matters_are_404(client: Client, org: Org) -> None:
    agency = make_agency(org)
    ours = _decided(agency, "王小明", dt.date(2025, 6, 2))
    # zoe: clerk of another department, and 法治督察 for the district (she sees the agency's cases)
    other = unit_create(name="东湖区城市管理执法局", short_name="城管", code="T-D-CG", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=org.district)
    users = get_user_model().objects
    zoe, boss = users.create_user("zoe", password=PASSWORD, first_name="佐伊"), users.create_user("cg_head", password=PASSWORD, first_name="城管局长")
    membership_grant(user=zoe, unit=other, role=Role.CLERK)
    membership_grant(user=zoe, unit=org.district, role=Role.RULE_OF_LAW_OFFICE)
    membership_grant(user=boss, unit=other, role=Role.HEAD)
    officers = [
        Officer.objects.create(unit=other, name=n, code=f"42019{i}", certificate_issued_on=dt.date(2020, 1, 1), certificate_valid_until=dt.date(2030, 12, 31))
        for i, n in enumerate(["城管甲", "城管乙"])
    ]
    item = PowerItem.objects.create(unit=other, code="CG-CF-001", name="对占道经营的处罚", kind="penalty", legal_basis="《城乡规划法》第六十四条")
    hers = _decided(Agency(other, zoe, boss, boss, officers, item, item, item), "孙七", dt.date(2025, 6, 2))
    login(client, zoe)
    page = client.get(ENFORCEMENT).content.decode()
    assert ours.case_number in page and hers.case_number in page
    url = reverse("matter_batch", args=["enforcement"])
    text = client.post(url, {"transition": "publish", "day": "2025-06-05", "ids": [ours.pk, hers.pk]}, follow=True).content.decode()
    refusal = text.split("批量办理未执行")[1].split("</div>")[0]
    assert ours.case_number in refusal and hers.case_number not in refusal and "公示决定信息" in refusal
    assert not MatterEvent.objects.filter(transition="publish").exists()  # not even hers
    assert "已对 1 件" in client.post(url, {"transition": "publish", "day": "2025-06-05", "ids": [hers.pk]}, follow=True).content.decode()
    # another district's clerk: the matter is not there for them
    membership_grant(user=org.frank, unit=org.other_district, role=Role.CLERK)
    login(client, org.frank)
    assert client.post(url, {"transition": "publish", "day": "2025-06-05", "ids": [ours.pk]}).status_code == 404
    assert MatterEvent.objects.filter(transition="publish").count() == 1


def test_every_register_list_renders_its_search_hint_and_party_column(client: Client, org: Org) -> None:
    from fazhi.registers.framework.registry import REGISTRY

    login(client, org.admin)
    for name, reg in REGISTRY.items():
        page = client.get(reverse("matter_list", args=[name]), {"q": "测试", "sort": "-due"}).content.decode()
        assert "共 <strong>0</strong> 件" in page, name
        party = reg.definition.party
        if party:
            assert f'<th scope="col">{reg.model._meta.get_field(party).verbose_name}</th>' in page, name
        else:
            assert page.count('<th scope="col"') == 6, name  # 案号, 单位, 收到日期, 状态, 期限, 提示
        assert 'for="id_q">检索</label>' in page and "可检索：案号、" in page, name


def test_a_list_cell_is_escaped_localized_and_empty_for_nothing() -> None:
    from fazhi.web.views import _shown

    assert _shown(None) == ""  # never the English "None" on a clerk's page
    assert _shown('<b>张"三"</b>') == "&lt;b&gt;张&quot;三&quot;&lt;/b&gt;"
    assert _shown(1234) == "1234"
