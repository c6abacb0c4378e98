"""Every staff view: who may see it, who may act, what bad input gets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_transition


def login(client: Client, user: Any) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def case(org: Any, make_case: Any) -> Any:
    return make_case(received_on=dt.date.today() - dt.timedelta(days=1))


def urls(case: Any) -> list[str]:
    return [
        reverse("home"),
        reverse("matter_list", args=["reconsideration"]),
        reverse("matter_new", args=["reconsideration"]),
        reverse("matter_detail", args=["reconsideration", case.pk]),
        reverse("matter_do", args=["reconsideration", case.pk, "accept"]),
        reverse("matter_amend", args=["reconsideration", case.pk]),
        reverse("audit"),
    ]


def test_anonymous_users_are_sent_to_login(client: Client, case: Any) -> None:
    for url in urls(case):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_the_clerk_sees_the_case_everywhere(client: Client, org: Any, case: Any) -> None:
    login(client, org.alice)
    assert case.case_number in client.get(reverse("home")).content.decode()
    assert case.case_number in client.get(reverse("matter_list", args=["reconsideration"])).content.decode()
    page = client.get(reverse("matter_detail", args=["reconsideration", case.pk])).content.decode()
    assert "受理" in page and "办理过程" in page and "reconsideration.acceptance" in page


def test_a_clerk_of_another_district_cannot_see_or_open_it(client: Client, org: Any, case: Any) -> None:
    login(client, org.frank)
    assert case.case_number not in client.get(reverse("home")).content.decode()
    assert case.case_number not in client.get(reverse("matter_list", args=["reconsideration"])).content.decode()
    for url in urls(case)[3:6]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("matter_do", args=["reconsideration", case.pk, "accept"]), {"accepted_on": dt.date.today(), "procedure": "ordinary"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "received"


def test_the_rule_of_law_office_sees_but_cannot_act(client: Client, org: Any, case: Any) -> None:
    login(client, org.dave)
    page = client.get(reverse("matter_detail", args=["reconsideration", case.pk])).content.decode()
    assert case.case_number in page and "matter_do" not in page and "/do/accept/" not in page
    response = client.post(reverse("matter_do", args=["reconsideration", case.pk, "accept"]), {"accepted_on": dt.date.today(), "procedure": "ordinary"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "received"
    assert client.get(reverse("matter_new", args=["reconsideration"])).status_code == 404


def test_a_department_clerk_does_not_see_the_body_cases(client: Client, org: Any, case: Any) -> None:
    login(client, org.erin)
    assert client.get(reverse("matter_detail", args=["reconsideration", case.pk])).status_code == 404


def test_only_the_steps_allowed_now_are_offered(client: Client, org: Any, case: Any) -> None:
    login(client, org.alice)
    page = client.get(reverse("matter_detail", args=["reconsideration", case.pk])).content.decode()
    assert "/do/accept/" in page and "/do/request_correction/" in page
    assert "/do/reject_at_intake/" not in page  # reviewer or head only
    assert "/do/decide/" not in page  # not in this state


def test_a_clerk_registers_and_accepts_through_the_forms(client: Client, org: Any) -> None:
    login(client, org.alice)
    today = dt.date.today()
    response = client.post(
        reverse("matter_new", args=["reconsideration"]),
        {
            "handling_unit": org.body.pk,
            "received_on": today,
            "applicant_name": "李四",
            "applicant_type": "natural_person",
            "respondent_name": "东湖区城管局",
            "disputed_act": "责令限期拆除决定",
            "channel": "post",
        },
    )
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert f"东复〔{today.year}〕1号" in detail
    pk = int(response.url.rstrip("/").split("/")[-1])
    response = client.post(reverse("matter_do", args=["reconsideration", pk, "accept"]), {"accepted_on": today, "procedure": "ordinary"})
    assert response.status_code == 302
    assert MatterEvent.objects.filter(object_id=pk, transition="accept").exists()


def test_bad_input_gets_a_chinese_message_and_writes_nothing(client: Client, org: Any, case: Any) -> None:
    login(client, org.alice)
    before = MatterEvent.objects.count()
    response = client.post(reverse("matter_do", args=["reconsideration", case.pk, "accept"]), {"accepted_on": "2025-02-30", "procedure": "ordinary"})
    assert response.status_code == 200 and "有效的日期" in response.content.decode()
    response = client.post(reverse("matter_do", args=["reconsideration", case.pk, "accept"]), {"accepted_on": "2000-01-01", "procedure": "ordinary"})
    assert response.status_code == 200 and "不能早于" in response.content.decode()
    response = client.post(reverse("matter_do", args=["reconsideration", case.pk, "decide"]), {"decided_on": dt.date.today(), "outcome": "upheld"})
    assert response.status_code == 302  # not offered in this state: refused with a message
    assert MatterEvent.objects.count() == before


def test_a_forged_request_without_csrf_token_is_refused(org: Any, case: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, org.alice)
    response = client.post(reverse("matter_do", args=["reconsideration", case.pk, "accept"]), {"accepted_on": dt.date.today(), "procedure": "ordinary"})
    assert response.status_code == 403


def test_list_filters_and_keyset_pagination(client: Client, org: Any, make_case: Any) -> None:
    cases = [make_case(received_on=dt.date.today() - dt.timedelta(days=i)) for i in range(1, 60)]
    matter_transition(matter=cases[0], transition="accept", actor=org.alice, data={"accepted_on": dt.date.today(), "procedure": "ordinary"})
    login(client, org.alice)
    url = reverse("matter_list", args=["reconsideration"])
    first = client.get(url).content.decode()
    assert "下一页" in first
    assert client.get(url, {"state": "accepted"}).content.decode().count("/r/reconsideration/") >= 1
    accepted_only = client.get(url, {"state": "accepted"}).content.decode()
    assert cases[0].case_number in accepted_only and cases[1].case_number not in accepted_only
    old = make_case(received_on=dt.date.today() - dt.timedelta(days=200))
    overdue = client.get(url, {"overdue": "on"}).content.decode()
    assert old.case_number in overdue and cases[0].case_number not in overdue
    page2 = client.get(url, {"after": cases[-1].pk + 1}).content.decode()
    assert cases[-1].case_number in page2


def test_amendment_through_the_form_needs_a_reason(client: Client, org: Any, case: Any) -> None:
    login(client, org.alice)
    url = reverse("matter_amend", args=["reconsideration", case.pk])
    data = {
        "applicant_name": "张叁",
        "applicant_type": "natural_person",
        "respondent_name": case.respondent_name,
        "disputed_act": case.disputed_act,
        "channel": case.channel,
    }
    assert "更正必须说明理由" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "note": "证件姓名"}).status_code == 302
    assert MatterEvent.objects.filter(object_id=case.pk, transition="amend").count() == 1


def test_unknown_register_is_a_404(client: Client, org: Any) -> None:
    login(client, org.alice)
    assert client.get("/r/nothing/").status_code == 404


def test_the_back_office_is_read_only_for_matters(client: Client, org: Any, case: Any) -> None:
    login(client, org.alice)
    assert client.get("/admin/").status_code == 302  # not staff: sent to the admin login
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    login(client, org.admin)
    assert client.get(f"/admin/reconsideration/reconsiderationcase/{case.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/reconsideration/reconsiderationcase/{case.pk}/change/", {"state": "closed"})
    assert response.status_code == 403
    assert client.get("/admin/reconsideration/reconsiderationcase/add/").status_code == 403
    case.refresh_from_db()
    assert case.state == "received"


def test_the_audit_page_shows_the_current_root(client: Client, org: Any, case: Any) -> None:
    from fazhi.audit.services import checkpoint_take, tree_root

    checkpoint_take()
    login(client, org.frank)
    page = client.get(reverse("audit")).content.decode()
    assert tree_root()[1].hex() in page


def test_whether_deadlines_were_kept_reads_as_words_not_a_dict(client: Client, org: Any, make_case: Any) -> None:
    case = make_case(received_on=dt.date(2025, 9, 1))
    url = reverse("matter_detail", args=["reconsideration", case.pk])
    login(client, org.alice)
    assert "期限遵守情况" not in client.get(url).content.decode()  # nothing has stopped yet
    matter_transition(matter=case, transition="accept", actor=org.bob, data={"accepted_on": "2025-09-05", "procedure": "ordinary"})
    matter_transition(matter=case, transition="send_copy", actor=org.alice, data={"copy_sent_on": "2025-09-20"})
    page = client.get(url).content.decode()
    assert "发送申请书副本（普通程序）：超期" in page
    assert "{" not in page.split("期限遵守情况")[1].split("</tr>")[0]


def test_the_timeline_names_the_fields_and_keeps_the_audit_leaf_behind_technical_detail(client: Client, org: Any, case: Any) -> None:
    from fazhi.registers.framework.services import matter_amend
    from fazhi.registers.reconsideration.models import ReconsiderationCase
    from fazhi.web.pagecheck import page_problems

    channel = ReconsiderationCase._meta.get_field("channel")
    was, now = dict(channel.flatchoices)[case.channel], dict(channel.flatchoices)["post"]
    matter_amend(matter=case, actor=org.alice, changes={"applicant_name": "张叁", "channel": "post"}, reason="证件姓名")
    login(client, org.alice)
    page = client.get(reverse("matter_detail", args=["reconsideration", case.pk])).content.decode()
    timeline = page.split('id="timeline"')[1]
    name = ReconsiderationCase._meta.get_field("applicant_name").verbose_name
    assert f"{name}：张三；{channel.verbose_name}：{was} → {name}：张叁；{channel.verbose_name}：{now}" in timeline
    assert "applicant_name" not in timeline and "<summary>技术信息</summary>审计叶子 #" in timeline
    assert page_problems(page) == []


def test_a_file_stored_with_a_step_reads_as_its_name_size_and_description() -> None:
    from fazhi.registers.framework.registry import register_get
    from fazhi.web.templatetags.fazhi import event_fields

    data = {"sha256": "ab" * 32, "file_name": "现场照片.jpg", "size": 55, "description": "现场检查照片"}
    assert event_fields(data, register_get("enforcement")) == [("文件名", "现场照片.jpg"), ("大小", "55 字节"), ("说明", "现场检查照片")]


def test_the_amend_form_is_not_offered_to_someone_without_the_right(client: Client, org: Any, case: Any) -> None:
    """dave (依法治区办) sees the case but holds no role that may correct it: no form, no button."""
    login(client, org.dave)
    detail = client.get(reverse("matter_detail", args=["reconsideration", case.pk])).content.decode()
    assert reverse("matter_amend", args=["reconsideration", case.pk]) not in detail
    response = client.get(reverse("matter_amend", args=["reconsideration", case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("matter_detail", args=["reconsideration", case.pk])
    assert "没有更正该案件登记信息的权限" in response.content.decode()
    client.post(reverse("matter_amend", args=["reconsideration", case.pk]), {"applicant_name": "改名", "note": "试图更正"})
    case.refresh_from_db()
    assert case.applicant_name == "张三"
