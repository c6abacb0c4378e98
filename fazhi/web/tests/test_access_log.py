"""The access log of personal data: a record's page, a list with the party column and a
non-public export are logged (never the values); the office reads its units' entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from fazhi.core.models import AccessKind, PersonalDataAccess
from fazhi.web.pagecheck import page_problems

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def case(org: Any, make_case: Any) -> Any:
    return make_case(received_on=dt.date.today() - dt.timedelta(days=1), applicant_phone="13912345678")


def test_a_record_page_with_personal_data_is_logged_once_without_the_values(org: Any, case: Any) -> None:
    client = login(org.alice)
    assert client.get(reverse("matter_detail", args=["reconsideration", case.pk])).status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.kind, entry.register, entry.object_id, entry.case_number, entry.unit) == (
        org.alice,
        AccessKind.VIEW,
        "reconsideration",
        case.pk,
        case.case_number,
        org.body,
    )
    stored = " ".join(str(v) for v in PersonalDataAccess.objects.values_list().get())
    assert "张三" not in stored and "420102198001011234" not in stored and "13912345678" not in stored


def test_a_record_without_personal_data_is_not_logged(org: Any, case: Any) -> None:
    from fazhi.registers.reconsideration.models import ReconsiderationCase

    ReconsiderationCase.objects.filter(pk=case.pk).update(applicant_name="", applicant_id_number="", applicant_phone="", applicant_address="")
    assert login(org.alice).get(reverse("matter_detail", args=["reconsideration", case.pk])).status_code == 200
    assert not PersonalDataAccess.objects.exists()


def test_the_list_and_the_full_export_are_logged_with_rows_and_filters_but_not_the_search_text(org: Any, case: Any) -> None:
    client = login(org.alice)
    url = reverse("matter_list", args=["reconsideration"])
    assert client.get(url, {"q": "张三", "unit": org.body.pk}).status_code == 200
    listed = PersonalDataAccess.objects.get()
    assert (listed.kind, listed.rows, listed.unit) == (AccessKind.LIST, 1, org.body)
    assert "张三" not in listed.filters and "按关键词检索" in listed.filters and org.body.name in listed.filters
    response = client.get(reverse("ledger_export", args=["reconsideration"]), {"state": case.state})
    assert response.status_code == 200
    exported = PersonalDataAccess.objects.get(kind=AccessKind.EXPORT)
    assert exported.rows == 1 and exported.unit == org.body and "状态：" in exported.filters
    # the 公开版 (masked) shows no personal data: not logged
    assert client.get(reverse("ledger_export", args=["reconsideration"]), {"publish": "1"}).status_code == 200
    assert PersonalDataAccess.objects.filter(kind=AccessKind.EXPORT).count() == 1


def test_the_office_reads_its_units_entries_filtered_by_user_and_date_others_may_not(org: Any, case: Any) -> None:
    alice = login(org.alice)
    alice.get(reverse("matter_detail", args=["reconsideration", case.pk]))
    alice.get(reverse("matter_list", args=["reconsideration"]), {"q": "张三", "received_to": dt.date.today().isoformat()})
    alice.get(reverse("ledger_export", args=["reconsideration"]))
    other = PersonalDataAccess.objects.create(
        user=org.frank,
        username="frank",
        at=timezone.now(),
        kind=AccessKind.VIEW,
        register="reconsideration",
        case_number="西复〔2025〕1号",
        unit=org.other_body,
    )
    page = login(org.dave).get(reverse("access_log"))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.case_number in html and "爱丽丝" in html and org.body.name in html
    assert other.case_number not in html and "弗兰克" not in html  # another district's data
    assert "张三" not in html and page_problems(html) == []
    assert "查看台账列表" in html and "收到日期：不限至" in html and "导出台账（含个人信息）" in html
    # filtered by user and by date
    assert case.case_number not in login(org.dave).get(reverse("access_log"), {"who": "bob"}).content.decode()
    assert case.case_number in login(org.dave).get(reverse("access_log"), {"who": "爱丽"}).content.decode()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert case.case_number not in login(org.dave).get(reverse("access_log"), {"start": tomorrow}).content.decode()
    assert case.case_number in login(org.dave).get(reverse("access_log"), {"end": timezone.localdate().isoformat()}).content.decode()
    bad = login(org.dave).get(reverse("access_log"), {"start": tomorrow, "end": "2020-01-01"})
    assert bad.status_code == 200 and "起始日期晚于截止日期" in bad.content.decode()
    assert login(org.dave).get(reverse("access_log"), {"start": "not-a-date"}).status_code == 200
    # the administrator reads everything; a clerk or a head nothing
    assert other.case_number in login(org.admin).get(reverse("access_log")).content.decode()
    for user in (org.alice, org.carol, org.erin):
        assert login(user).get(reverse("access_log")).status_code == 404


def test_the_log_is_paged(org: Any) -> None:
    now = timezone.now()
    PersonalDataAccess.objects.bulk_create(
        PersonalDataAccess(
            user=org.alice,
            username="alice",
            at=now - dt.timedelta(minutes=i),
            kind=AccessKind.VIEW,
            register="reconsideration",
            case_number=f"东复〔2025〕{i}号",
            unit=org.body,
        )
        for i in range(1, 61)
    )
    client = login(org.dave)
    first = client.get(reverse("access_log")).content.decode()
    assert "东复〔2025〕1号" in first and "东复〔2025〕60号" not in first and "第 1 / 2 页" in first
    second = client.get(reverse("access_log"), {"page": 2}).content.decode()
    assert "东复〔2025〕60号" in second and "东复〔2025〕1号<" not in second
