"""The catalogue's staff pages and the public pages: who sees and changes what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, do
from fazhi.registers.framework.services import matter_create
from fazhi.registers.major_decisions import services
from fazhi.registers.major_decisions.models import CatalogueEvent, DecisionCatalogue

pytestmark = pytest.mark.django_db


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def catalogue(org: Any) -> DecisionCatalogue:
    cat = services.catalogue_create(unit=org.district, actor=org.dave, year=2025, on=dt.date(2025, 1, 6))
    services.item_add(catalogue=cat, actor=org.dave, name="东湖区农贸市场布局规划", lead_unit=org.dept, category="plan", on=dt.date(2025, 1, 6))
    return cat


def test_the_office_compiles_agrees_and_publishes_the_catalogue_through_the_page(org: Any) -> None:
    office = client_for("dave")
    response = office.post(reverse("decision_catalogues"), {"unit": org.district.pk, "year": 2025, "on": "2025-01-06"})
    catalogue = DecisionCatalogue.objects.get()
    assert response.status_code == 302 and catalogue.title == "东湖区人民政府2025年度重大行政决策事项目录"
    url = reverse("decision_catalogue", args=[catalogue.pk])
    add = {"action": "add", "add-name": "东湖区农贸市场布局规划", "add-lead_unit": org.dept.pk, "add-category": "plan", "add-on": "2025-01-06"}
    assert office.post(url, add).status_code == 302
    page = office.post(url, {"action": "publish", "publish-on": "2025-01-24", "publish-channel": "区政府门户网站"}).content.decode()
    assert "经同级党委同意后方可向社会公布" in page  # refused in words, nothing written
    assert office.post(url, {"action": "agree", "agree-on": "2025-01-20", "agree-agreement": "区委常委会2025年第2次会议"}).status_code == 302
    assert office.post(url, {"action": "publish", "publish-on": "2025-01-24", "publish-channel": "区政府门户网站"}).status_code == 302
    # after publication an added item is an adjustment: its reason is asked for by name
    page = office.post(url, add | {"add-name": "东湖区停车设施专项规划", "add-on": "2025-05-06"}).content.decode()
    assert "目录经同级党委同意后的调整应当说明理由" in page
    item = catalogue.items.get()
    change = {"action": "change", "change-item": item.pk, "change-on": "2025-06-01", "change-reason": "并入综合规划", "change-remove": "on"}
    assert office.post(url, change).status_code == 302
    assert list(CatalogueEvent.objects.values_list("kind", flat=True)) == ["created", "item_added", "agreed", "published", "item_removed"]
    page = office.get(url).content.decode()
    assert "调出：并入综合规划" in page and "已向社会公布" in page


def test_a_department_sees_the_catalogue_of_its_items_but_cannot_change_it_and_another_district_sees_nothing(org: Any, catalogue: Any) -> None:
    url = reverse("decision_catalogue", args=[catalogue.pk])
    erin = client_for("erin")
    page = erin.get(url).content.decode()
    assert "东湖区农贸市场布局规划" in page and 'id="form-add"' not in page
    add = {"action": "add", "add-name": "某事项", "add-lead_unit": org.dept.pk, "add-category": "plan", "add-on": "2025-01-07"}
    assert erin.post(url, add).status_code == 404
    # a department may keep a catalogue of its own (art.42), never one for the government above it
    refused = erin.post(reverse("decision_catalogues"), {"unit": org.district.pk, "year": 2026, "on": "2025-01-06"})
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()
    frank = client_for("frank")
    assert frank.get(url).status_code == 404
    assert "东湖区" not in frank.get(reverse("decision_catalogues")).content.decode()
    assert client_for(None).get(url).status_code == 302  # to the login page
    assert catalogue.items.count() == 1 and not DecisionCatalogue.objects.filter(year=2026).exists()


def test_the_portal_shows_the_published_catalogue_and_each_decisions_public_steps(org: Any, catalogue: Any) -> None:
    public = client_for(None)
    assert "东湖区农贸市场布局规划" not in public.get(reverse("decision_portal")).content.decode()  # not yet published
    services.catalogue_agree(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 20), agreement="区委常委会")
    services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 24), channel="区政府门户网站")
    item = catalogue.items.get()
    case = matter_create(
        register="major_decisions",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": dt.date(2025, 3, 3), "title": item.name, "category": "plan", "catalogue_item": item.pk},
    )
    page = public.get(reverse("decision_portal")).content.decode()
    assert "东湖区农贸市场布局规划" in page and "东湖区市场监督管理局" in page
    assert public.get(reverse("decision_portal_detail", args=[case.pk])).status_code == 404  # nothing public yet
    do(case, "draft", org.erin, draft_on="2025-03-20")
    do(case, "open_comment", org.erin, comment_from="2025-03-24", comment_to="2025-04-23", comment_channel="区政府门户网站")
    page = public.get(reverse("decision_portal_detail", args=[case.pk])).content.decode()
    assert "2025-03-24 至 2025-04-23" in page and "集体讨论决定" not in page
    assert "征求意见 2025-03-24 至 2025-04-23" in public.get(reverse("decision_portal")).content.decode()


def test_the_pages_show_no_file_of_ours(org: Any, catalogue: Any) -> None:
    from fazhi.web.tests.test_citations import leaks

    services.catalogue_agree(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 20), agreement="区委常委会")
    services.catalogue_publish(catalogue=catalogue, actor=org.dave, on=dt.date(2025, 1, 24), channel="区政府门户网站")
    case = matter_create(
        register="major_decisions",
        unit=org.dept,
        actor=org.erin,
        data={"received_on": dt.date(2025, 3, 3), "title": "东湖区农贸市场布局规划", "category": "plan", "catalogue_item": catalogue.items.get().pk},
    )
    pages = [
        ("dave", reverse("decision_catalogues")),
        ("dave", reverse("decision_catalogue", args=[catalogue.pk])),
        ("erin", reverse("matter_detail", args=["major_decisions", case.pk])),
        ("erin", reverse("matter_new", args=["major_decisions"])),
        (None, reverse("decision_portal")),
    ]
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert leaks(text) == [], (url, leaks(text))
    detail = client_for("erin").get(reverse("matter_detail", args=["major_decisions", case.pk])).content.decode()
    assert "提交决策机关讨论前尚缺" in detail and "合法性审查" in detail
    # the form offers the items of published catalogues only
    draft = services.catalogue_create(unit=org.other_body, actor=org.frank, year=2025, on=dt.date(2025, 1, 6))
    services.item_add(catalogue=draft, actor=org.frank, name="西山区未公布的事项", lead_unit=org.other_body, category="plan", on=dt.date(2025, 1, 6))
    form = client_for("erin").get(reverse("matter_new", args=["major_decisions"])).content.decode()
    assert "东湖区农贸市场布局规划" in form and "西山区未公布的事项" not in form
