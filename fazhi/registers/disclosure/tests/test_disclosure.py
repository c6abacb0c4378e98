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
from fazhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fazhi.core.models import ThrottleHit
from fazhi.registers.disclosure.models import DisclosureRequest
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
    # excluded for at most the third party's 15 working days (3/11–3/31, art.32), then the clock
    # runs again by itself: 3/31 + 15 working days, 清明 4/4 skipped
    assert case.state == "consulting" and case.due_on == dt.date(2025, 4, 22)
    do(case, "third_party_answered", org.erin, consultation_answered_on="2025-03-24")
    assert case.due_on == dt.date(2025, 4, 15)  # 10 working days excluded (art.33 para.3), 清明 4/4 skipped
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


def _staff(org: Any) -> tuple[Any, Any]:
    """A reviewer and a head of the department (roles are cached on the user object)."""
    from django.contrib.auth import get_user_model

    from fazhi.core.services import membership_grant

    users = get_user_model().objects
    reviewer, head = users.create_user(username="dis_reviewer"), users.create_user(username="dis_head")
    membership_grant(user=reviewer, unit=org.dept, role="reviewer")
    membership_grant(user=head, unit=org.dept, role="head")
    return users.get(pk=reviewer.pk), users.get(pk=head.pk)


def test_a_correction_notice_restarts_the_reply_period_only_when_sent_within_7_working_days(org: Any) -> None:
    reviewer, _ = _staff(org)
    in_time = request_(org, received_on=dt.date(2025, 3, 3))  # 7 working days → 3/12
    do(in_time, "request_correction", org.erin, correction_requested_on="2025-03-12", correction_items="请写明文号")
    assert in_time.due_on is None
    do(in_time, "receive_correction", org.erin, correction_received_on="2025-03-24")
    assert in_time.due_on == dt.date(2025, 4, 22)  # afresh from 3/24 (art.30)

    late = request_(org, received_on=dt.date(2025, 3, 3))
    do(late, "request_correction", org.erin, correction_requested_on="2025-03-13", correction_items="请写明文号")
    assert (late.state, late.due_on) == ("correction_requested", dt.date(2025, 3, 31))  # not paused
    do(late, "receive_correction", org.erin, correction_received_on="2025-03-24")
    assert late.due_on == dt.date(2025, 3, 31)  # not restarted
    do(late, "reply", reviewer, replied_on="2025-04-10", outcome="disclosed")
    assert late.deadlines == {"disclosure.reply": "late"}
    with pytest.raises(TransitionNotAllowed, match="最多只能执行 1 次"):  # 一次性告知
        do(in_time, "request_correction", org.erin, correction_requested_on="2025-03-25", correction_items="再写明年份")


def test_a_reply_after_an_unanswered_consultation_ran_out_is_late(org: Any) -> None:
    reviewer, _ = _staff(org)
    case = request_(org, received_on=dt.date(2025, 3, 3))
    do(case, "consult_third_party", org.erin, consultation_sent_on="2025-03-10", third_party="某公司")
    assert case.due_on == dt.date(2025, 4, 22)  # the 15 working days end 3/31, then the clock runs
    do(case, "reply", reviewer, replied_on="2025-04-23", outcome="refused_third_party")
    assert case.deadlines == {"disclosure.reply": "late"}


def test_the_time_to_pay_the_fee_is_not_counted_and_an_unpaid_fee_withdraws_the_request(org: Any) -> None:
    reviewer, _ = _staff(org)
    paid = request_(org, received_on=dt.date(2025, 3, 3))
    do(paid, "notify_fee", reviewer, fee_notified_on="2025-03-05", fee_amount="300")
    assert (paid.state, paid.due_on) == ("fee_pending", None)
    do(paid, "fee_paid", org.erin, fee_paid_on="2025-03-14")  # 7 working days excluded, 清明 4/4 skipped
    assert (paid.state, paid.due_on) == ("received", dt.date(2025, 4, 10))

    unpaid = request_(org, received_on=dt.date(2025, 3, 3))
    do(unpaid, "notify_fee", reviewer, fee_notified_on="2025-03-05", fee_amount="300")  # pay by 4/2
    with pytest.raises(ValidationFailed) as refused:
        do(unpaid, "fee_paid", org.erin, fee_paid_on="2025-04-03")
    assert "2025-04-02" in str(refused.value.errors["fee_paid_on"])
    with pytest.raises(ValidationFailed) as early:
        do(unpaid, "abandon_unpaid", reviewer, replied_on="2025-04-02")
    assert "届满前不能视为放弃申请" in str(early.value.errors["replied_on"])
    do(unpaid, "abandon_unpaid", reviewer, replied_on="2025-04-03")
    assert (unpaid.state, unpaid.outcome, unpaid.closed_on) == ("replied", "other_unpaid_fee", dt.date(2025, 4, 3))

    other = request_(org, received_on=dt.date(2025, 3, 3))
    with pytest.raises(ValidationFailed) as outside:  # the notice goes out within the reply period
        do(other, "notify_fee", reviewer, fee_notified_on="2025-04-01", fee_amount="300")
    assert "2025-03-31" in str(outside.value.errors["fee_notified_on"])
    with pytest.raises(ValidationFailed) as by_reply:  # withdrawn only through the fee steps
        do(other, "reply", reviewer, replied_on="2025-03-20", outcome="other_unpaid_fee")
    assert "outcome" in by_reply.value.errors
    assert MatterEvent.objects.filter(register="disclosure", object_id=other.pk).count() == 1


def test_a_delayed_reply_moves_the_due_date_to_the_date_set_and_survives_a_recompute(org: Any) -> None:
    from fazhi.registers.framework.clocks import clocks_recompute, deadlines_recompute

    reviewer, _ = _staff(org)
    case = request_(org, received_on=dt.date(2025, 3, 3))
    with pytest.raises(ValidationFailed) as not_later:
        do(case, "delay_reply", reviewer, delay_notified_on="2025-03-20", delayed_reply_due_on="2025-03-28", delay_reason="数量明显超过合理范围")
    assert "2025-03-31" in str(not_later.value.errors["delayed_reply_due_on"])
    with pytest.raises(ValidationFailed) as too_late:
        do(case, "delay_reply", reviewer, delay_notified_on="2025-04-01", delayed_reply_due_on="2025-05-30", delay_reason="数量明显超过合理范围")
    assert "已于 2025-03-31 届满" in str(too_late.value.errors["delay_notified_on"])
    do(case, "delay_reply", reviewer, delay_notified_on="2025-03-20", delayed_reply_due_on="2025-05-30", delay_reason="数量明显超过合理范围")
    assert (case.state, case.due_on) == ("received", dt.date(2025, 5, 30))
    DisclosureRequest.objects.filter(pk=case.pk).update(due_on=dt.date(2025, 3, 31))  # a stale cache
    _, moved = clocks_recompute(registers=["disclosure"])
    assert [(m.old, m.new) for m in moved] == [(dt.date(2025, 3, 31), dt.date(2025, 5, 30))]
    do(case, "reply", reviewer, replied_on="2025-05-30", outcome="partly_disclosed", reply_note="涉及第三方商业秘密的部分不予公开")
    DisclosureRequest.objects.filter(pk=case.pk).update(deadlines={"disclosure.reply": "late"})
    _, changed = deadlines_recompute(registers=["disclosure"])
    assert [c.new for c in changed] == [{"disclosure.reply": "met"}]


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
    assert DisclosureRequest.objects.count() == 0 and ThrottleHit.objects.count() == 0
    settings.FAZHI_PORTAL_PER_CLIENT_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/gongkai/", _form(client, org)).status_code == 200
    flooded = client.post("/gongkai/", _form(client, org))
    assert flooded.status_code == 429 and "上限" in flooded.content.decode()
    assert DisclosureRequest.objects.count() == 2
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post("/gongkai/", _form(csrf_client, org)).status_code == 403
    assert DisclosureRequest.objects.count() == 2


# --- the clock wiring keys this register uses -----------------------------------------------
def _definition_with(tmp_path: Any, old: str, new: str) -> tuple[Any, str]:
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.FAZHI_DEFINITIONS_DIR) / "registers" / "disclosure.yaml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    path = tmp_path / "disclosure.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_the_wiring_keys_name_a_pausing_step_and_a_model_field(tmp_path: Any) -> None:
    from fazhi.core.errors import DefinitionError
    from fazhi.registers.framework.definition import load_definition

    definition = register_get("disclosure").definition
    (use,) = definition.clocks
    assert use.pause_limit == {"consult_third_party": "disclosure.third_party_opinion"}
    assert use.pause_within == {"request_correction": "disclosure.correction_notice"}
    assert use.set_due == {"delay_reply": "delayed_reply_due_on"}
    from fazhi.law.clocks import clock_rules

    assert {*use.pause_limit.values(), *use.pause_within.values()} <= set(clock_rules())

    fields = {f.name for f in DisclosureRequest._meta.get_fields()}
    path, text = _definition_with(tmp_path, "pause_limit: {consult_third_party:", "pause_limit: {third_party_answered:")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "pause_limit:" in s)
    with pytest.raises(DefinitionError, match=rf"{path}:{line}: .*pause_limit 引用了不在 pause 中的 transition 'third_party_answered'"):
        load_definition(path, fields)
    path, _ = _definition_with(tmp_path, "set_due: {delay_reply: delayed_reply_due_on}", "set_due: {delay_reply: delayed_on}")
    with pytest.raises(DefinitionError, match="set_due 引用了模型中不存在的字段 'delayed_on'"):
        load_definition(path, fields)


def test_the_new_steps_through_the_web_forms(org: Any) -> None:
    reviewer, _ = _staff(org)
    case = request_(org, received_on=dt.date(2025, 3, 3))
    staff = Client()
    staff.force_login(reviewer)
    do(case, "consult_third_party", org.erin, consultation_sent_on="2025-03-10", third_party="某公司")
    page = staff.get(f"/r/disclosure/{case.pk}/").content.decode()
    assert "2025-04-22" in page  # the consultation's 15 working days run out by themselves
    form = f"/r/disclosure/{case.pk}/do/delay_reply/"
    refused = staff.post(form, {"delay_notified_on": "2025-03-20", "delayed_reply_due_on": "2025-04-01", "delay_reason": "数量明显超过合理范围"})
    assert refused.status_code == 200 and "应晚于现行答复期限 2025-04-22" in refused.content.decode()
    done = staff.post(form, {"delay_notified_on": "2025-03-20", "delayed_reply_due_on": "2025-06-30", "delay_reason": "数量明显超过合理范围"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.due_on == dt.date(2025, 6, 30)

    other = request_(org, received_on=dt.date(2025, 3, 3))
    fee = staff.post(f"/r/disclosure/{other.pk}/do/notify_fee/", {"fee_notified_on": "2025-03-05", "fee_amount": "150.5"})
    assert fee.status_code == 302
    other.refresh_from_db()
    assert (other.state, str(other.fee_amount), other.due_on) == ("fee_pending", "150.50", None)
    assert "待缴纳信息处理费" in staff.get(f"/r/disclosure/{other.pk}/").content.decode()
