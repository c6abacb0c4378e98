"""依申请公开: the reply clock, the 2021 table vocabulary, and the public portal."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from conftest import do
from fazhi.core.errors import PermissionDenied
from fazhi.registers.disclosure.models import DisclosureRequest, PortalSubmission
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.services import matter_create
from fazhi.web.portal import CHALLENGE_SALT

pytestmark = pytest.mark.django_db


def request_(org: Any, **overrides: Any) -> DisclosureRequest:
    data = {
        "received_on": dt.date(2025, 1, 24),
        "applicant_type": "natural_person",
        "applicant_name": "李雷",
        "applicant_phone": "13800001234",
        "channel": "in_person",
        "content": "申请公开某地块征收补偿方案",
    } | overrides
    case = matter_create(register="disclosure", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, DisclosureRequest)
    return case


def test_the_reply_clock_restarts_on_correction_pauses_for_third_parties_and_extends_once(org: Any) -> None:
    case = request_(org)  # 2025-01-24: 20 working days across 春节 → 2025-02-27
    assert (case.due_rule, case.due_on) == ("disclosure.reply", dt.date(2025, 2, 27))
    do(case, "request_correction", org.erin, correction_requested_on="2025-01-27", correction_items="请写明文号")
    assert case.due_on is None  # waiting for the applicant
    do(case, "receive_correction", org.erin, correction_received_on="2025-03-03")
    assert case.due_on == dt.date(2025, 3, 31)  # afresh from 3/3 (art.30)
    do(case, "consult_third_party", org.erin, consultation_sent_on="2025-03-10", third_party="某公司")
    assert case.state == "consulting" and case.due_on is None
    do(case, "third_party_answered", org.erin, consultation_answered_on="2025-03-24")
    assert case.due_on == dt.date(2025, 4, 15)  # 10 working days excluded (art.33 para.2), 清明 4/4 skipped
    with pytest.raises(PermissionDenied, match="角色不符"):
        do(case, "extend", org.erin, extended_on="2025-04-01", extension_reason="复杂")


def test_a_request_not_corrected_in_time_counts_as_other_handling(org: Any) -> None:
    case = request_(org)
    do(case, "request_correction", org.erin, correction_requested_on="2025-01-27", correction_items="请写明文号")
    from fazhi.core.services import membership_grant

    membership_grant(user=org.erin, unit=org.dept, role="reviewer")
    reviewer = type(org.erin).objects.get(pk=org.erin.pk)  # roles are cached on the user object
    do(case, "abandon", reviewer, replied_on="2025-03-10")
    assert (case.state, case.outcome) == ("replied", "other_no_correction")
    event = MatterEvent.objects.filter(register="disclosure", object_id=case.pk, transition="abandon").get()
    assert event.after["outcome"] == "other_no_correction"


def test_every_reply_type_is_a_row_of_the_2021_table() -> None:
    outcomes = register_get("disclosure").definition.outcomes
    groups = {o.group for o in outcomes.values()}
    assert groups == {"disclosed", "partly", "refused", "unavailable", "not_processed", "other"}
    assert sum(o.group == "refused" for o in outcomes.values()) == 8
    assert sum(o.group == "unavailable" for o in outcomes.values()) == 3
    assert sum(o.group == "not_processed" for o in outcomes.values()) == 5
    assert sum(o.group == "other" for o in outcomes.values()) == 3


# --- the public portal ----------------------------------------------------------------------
def _form(client: Client, org: Any, **overrides: Any) -> dict[str, Any]:
    page = client.get("/gongkai/").content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', page)
    assert token is not None
    answer = signing.loads(token.group(1), salt=CHALLENGE_SALT)["s"]
    return {
        "unit": org.dept.pk,
        "applicant_type": "natural_person",
        "applicant_name": "韩梅梅",
        "applicant_phone": "13912345678",
        "content": "请公开2025年本局行政处罚决定汇总",
        "delivery": "电子邮件",
        "applicant_email": "hmm@example.com",
        "website": "",
        "challenge_token": token.group(1),
        "challenge_answer": str(answer),
    } | overrides


def test_a_citizen_applies_without_login_and_follows_it_with_the_tracking_code(org: Any) -> None:
    client = Client(enforce_csrf_checks=False)
    response = client.post("/gongkai/", _form(client, org))
    assert response.status_code == 200
    page = response.content.decode()
    code = re.search(r'id="tracking-code">([A-Z0-9-]+)<', page)
    assert code is not None
    case = DisclosureRequest.objects.get()
    assert (case.channel, case.received_on, case.applicant_name, case.unit) == ("online", timezone.localdate(), "韩梅梅", org.dept)
    assert case.tracking_code_hash and code.group(1) not in case.tracking_code_hash
    event = MatterEvent.objects.get(register="disclosure", object_id=case.pk)
    assert event.actor.username == "portal" and not event.actor.is_active and "tracking_code_hash" not in event.after
    status = client.post("/gongkai/chaxun/", {"code": code.group(1).lower()}).content.decode()
    assert case.case_number in status and "韩*" in status and "韩梅梅" not in status and "已收到申请" in status
    assert "未找到" in client.post("/gongkai/chaxun/", {"code": "AAAA-BBBB-CCCC"}).content.decode()
    # the staff of the unit see it in their register; another unit's clerk does not
    staff = Client()
    staff.force_login(org.erin)
    assert staff.get(f"/r/disclosure/{case.pk}/").status_code == 200
    staff.force_login(org.alice)
    assert staff.get(f"/r/disclosure/{case.pk}/").status_code == 404


def test_the_portal_refuses_bots_wrong_answers_floods_and_forged_posts(org: Any, settings: Any) -> None:
    client = Client()
    assert client.post("/gongkai/", _form(client, org, website="http://spam")).status_code == 400
    wrong = client.post("/gongkai/", _form(client, org, challenge_answer="99"))
    assert wrong.status_code == 400 and "验证问题回答错误" in wrong.content.decode()
    forged = client.post("/gongkai/", _form(client, org, challenge_token="x:y:z"))
    assert forged.status_code == 400
    no_contact = client.post("/gongkai/", _form(client, org, applicant_phone="", applicant_email=""))
    assert no_contact.status_code == 400 and "联系方式" in no_contact.content.decode()
    assert DisclosureRequest.objects.count() == 0 and PortalSubmission.objects.count() == 0
    settings.FAZHI_PORTAL_PER_CLIENT_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/gongkai/", _form(client, org)).status_code == 200
    flooded = client.post("/gongkai/", _form(client, org))
    assert flooded.status_code == 429 and "上限" in flooded.content.decode()
    assert DisclosureRequest.objects.count() == 2
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post("/gongkai/", _form(csrf_client, org)).status_code == 403
    assert DisclosureRequest.objects.count() == 2
