"""政府信息公开: the reply letter per outcome group, the 补正, 延期, 延迟答复 and fee notices, each issued at
its step with its number series, the text filled from the record and the remedy sentence from the
dated rules; every outcome the register knows is covered by exactly one reply template."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import do
from fazhi.core.errors import ValidationFailed
from fazhi.documents import services
from fazhi.documents.definition import templates, templates_for
from fazhi.documents.models import IssuedDocument
from fazhi.registers.disclosure.models import DisclosureRequest
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.services import matter_create

pytestmark = pytest.mark.django_db

REMEDY = "你（单位）如对本答复不服，可以自收到本答复书之日起六十日内依法申请行政复议，也可以自收到本答复书之日起六个月内依法向人民法院提起行政诉讼。"


def staff(org: Any) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from fazhi.core.services import membership_grant

    users = get_user_model().objects
    reviewer, head = users.create_user(username="doc_reviewer"), users.create_user(username="doc_head")
    membership_grant(user=reviewer, unit=org.dept, role="reviewer")
    membership_grant(user=head, unit=org.dept, role="head")
    return users.get(pk=reviewer.pk), users.get(pk=head.pk)


def request_(org: Any, **overrides: Any) -> DisclosureRequest:
    data = {
        "received_on": dt.date(2025, 3, 3),
        "applicant_type": "natural_person",
        "applicant_name": "李雷",
        "applicant_phone": "13800001234",
        "applicant_email": "lilei@example.com",
        "channel": "in_person",
        "content": "某地块征收补偿方案",
        "delivery": "电子邮件",
    } | overrides
    case = matter_create(register="disclosure", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, DisclosureRequest)
    return case


def only_doc(case: DisclosureRequest, step: str) -> IssuedDocument:
    docs = [d for d in services.documents_of("disclosure", case.pk) if d.step == step]
    assert len(docs) == 1, [d.template for d in docs]
    return docs[0]


def check_filled(doc: IssuedDocument) -> str:
    text = "\n".join([doc.title, *doc.paragraphs])
    assert "{" not in text and "}" not in text, text
    return text


def test_every_outcome_of_a_reply_step_has_exactly_one_letter() -> None:
    definition = register_get("disclosure").definition
    reply = templates_for("disclosure", "reply")
    for code in definition.outcomes:
        matching = [t.key for t in reply if code in t.when.get("outcome", ())]
        assert len(matching) == 1, (code, matching)
    for step in ("abandon", "abandon_unpaid", "request_correction", "extend", "delay_reply", "notify_fee"):
        assert len(templates_for("disclosure", step)) == 1, step
    for t in templates().values():
        if t.register == "disclosure":
            assert (t.addressee, t.email, t.sms) == ("applicant_name", "applicant_email", "applicant_phone"), t.key


# (outcome, reply_note, what the letter must say)
REPLIES = [
    ("disclosed", "", ["第三十六条第（二）项", "决定予以公开", "“电子邮件”方式提供"]),
    ("already_public", "本机关门户网站“政府信息公开”栏目", ["第三十六条第（一）项", "获取该政府信息的方式和途径：本机关门户网站"]),
    ("partly_disclosed", "涉及第三方商业秘密的部分不予公开", ["第三十七条", "理由如下：涉及第三方商业秘密的部分不予公开"]),
    ("refused_state_secret", "", ["属于国家秘密", "第十四条", "决定不予公开"]),
    ("refused_third_party", "涉及他人个人隐私", ["第十五条", "具体理由：涉及他人个人隐私"]),
    ("refused_process", "", ["过程性信息", "第十六条第二款"]),
    ("refused_inquiry", "", ["不动产登记资料", "第三十六条第（七）项"]),
    ("unavailable_not_held", "", ["经检索，本机关没有", "第三十六条第（四）项", "该政府信息不存在"]),
    ("unavailable_not_held", "该信息由东湖区自然资源局负责公开，联系电话：027-12345678", ["不属于本机关负责公开", "第三十六条第（五）项", "东湖区自然资源局"]),
    ("unavailable_needs_creation", "", ["加工、分析", "第三十八条", "不予提供"]),
    ("not_processed_petition", "", ["信访、投诉、举报", "第三十九条", "不作为政府信息公开申请处理"]),
    ("not_processed_repeat", "", ["第三十六条第（六）项", "不予重复处理"]),
    ("not_processed_excessive", "", ["第三十五条", "不予处理"]),
    ("other", "你（单位）所需信息已当面提供", ["本机关答复如下：你（单位）所需信息已当面提供"]),
]


@pytest.mark.parametrize(("outcome", "note", "says"), REPLIES, ids=[f"{o}-{bool(n)}" for o, n, _ in REPLIES])
def test_the_reply_letter_of_each_outcome(org: Any, outcome: str, note: str, says: list[str]) -> None:
    reviewer, _ = staff(org)
    case = request_(org)
    data = {"replied_on": "2025-03-20", "outcome": outcome} | ({"reply_note": note} if note else {})
    do(case, "reply", reviewer, **data)
    doc = only_doc(case, "reply")
    assert doc.title == "政府信息公开申请答复书" and doc.number == "市监依申答字〔2025〕1号" and doc.series == "依申答字"
    assert doc.addressee == "李雷" and doc.issued_on == dt.date(2025, 3, 20) and doc.unit == org.dept
    assert doc.event_id == MatterEvent.objects.get(register="disclosure", object_id=case.pk, transition="reply").pk
    text = check_filled(doc)
    assert (
        doc.paragraphs[0]
        == f"你（单位）于2025年3月3日向本机关提出的政府信息公开申请（申请编号：{case.case_number}）收悉。你（单位）申请获取：某地块征收补偿方案。"
    )
    for phrase in says:
        assert phrase in text, (phrase, text)
    assert doc.paragraphs[-1] == REMEDY
    # the other groups' wording is not there
    # (a 行政查询事项 is pointed to its own procedure, 第三十六条第（七）项, not refused in words)
    assert ("不予公开" in text) == ((outcome.startswith("refused") and outcome != "refused_inquiry") or outcome == "partly_disclosed")
    assert ("该政府信息不存在" in text) == (outcome == "unavailable_not_held" and not note)


@pytest.mark.parametrize("outcome", ["already_public", "partly_disclosed", "other"])
def test_a_reply_that_must_state_what_the_note_holds_is_refused_without_it(org: Any, outcome: str) -> None:
    reviewer, _ = staff(org)
    case = request_(org)
    events = MatterEvent.objects.count()
    with pytest.raises(ValidationFailed, match="生成《政府信息公开申请答复书》需要“答复要点”"):
        do(case, "reply", reviewer, replied_on="2025-03-20", outcome=outcome)
    case.refresh_from_db()
    assert case.state == "received" and MatterEvent.objects.count() == events and not IssuedDocument.objects.exists()


def test_numbers_run_per_unit_and_series_across_letters_and_notices(org: Any) -> None:
    reviewer, head = staff(org)
    first, second = request_(org), request_(org)
    do(first, "reply", reviewer, replied_on="2025-03-20", outcome="disclosed")
    do(second, "extend", head, extended_on="2025-03-25", extension_reason="需要调取档案")
    do(second, "reply", reviewer, replied_on="2025-04-20", outcome="disclosed")
    assert only_doc(first, "reply").number == "市监依申答字〔2025〕1号"
    assert only_doc(second, "reply").number == "市监依申答字〔2025〕2号"
    assert only_doc(second, "extend").number == "市监依申延字〔2025〕1号"


def test_the_correction_notice_states_the_items_and_the_period(org: Any) -> None:
    case = request_(org)
    do(case, "request_correction", org.erin, correction_requested_on="2025-03-05", correction_items="请写明所需信息的文号或者形成时间")
    doc = only_doc(case, "request_correction")
    assert (doc.title, doc.number) == ("政府信息公开申请补正通知书", "市监依申补字〔2025〕1号")
    text = check_filled(doc)
    assert "第三十条" in text and "自收到本通知之日起十五个工作日内" in text
    assert doc.paragraphs[1] == "请写明所需信息的文号或者形成时间"
    assert "视为放弃申请" in doc.paragraphs[-1] and "行政诉讼" not in text  # a procedural notice


def test_abandoned_and_unpaid_requests_get_a_reply_letter(org: Any) -> None:
    reviewer, _ = staff(org)
    abandoned = request_(org)
    do(abandoned, "request_correction", org.erin, correction_requested_on="2025-03-05", correction_items="请写明文号")
    do(abandoned, "abandon", reviewer, replied_on="2025-04-10")
    doc = only_doc(abandoned, "abandon")
    text = check_filled(doc)
    assert doc.number == "市监依申答字〔2025〕1号" and "本机关于2025年3月5日一次性告知" in text and "第三十条" in text
    assert doc.paragraphs[-1] == REMEDY

    unpaid = request_(org)
    do(unpaid, "notify_fee", reviewer, fee_notified_on="2025-03-05", fee_amount="300")
    fee = only_doc(unpaid, "notify_fee")
    text = check_filled(fee)
    assert (fee.title, fee.number) == ("政府信息公开信息处理费缴费通知书", "市监依申费字〔2025〕1号")
    assert "人民币300元" in text and "二十个工作日内缴纳" in text and "国办函〔2020〕109号" in text
    assert "自收到本通知之日起六十日内依法申请行政复议" in fee.paragraphs[-1]
    do(unpaid, "abandon_unpaid", reviewer, replied_on="2025-04-10")
    doc = only_doc(unpaid, "abandon_unpaid")
    text = check_filled(doc)
    assert doc.number == "市监依申答字〔2025〕2号" and "本机关于2025年3月5日向你（单位）发出信息处理费缴费通知" in text and "第四十二条" in text
    assert doc.paragraphs[-1] == REMEDY


def test_the_extension_and_delay_notices_give_the_new_date(org: Any) -> None:
    reviewer, head = staff(org)
    case = request_(org)  # 2025-03-03 + 20 working days = 03-31; extended by 20 → 04-29 (清明 04-04)
    do(case, "extend", head, extended_on="2025-03-25", extension_reason="需要调取档案")
    doc = only_doc(case, "extend")
    text = check_filled(doc)
    assert (doc.title, doc.number) == ("政府信息公开申请延期答复告知书", "市监依申延字〔2025〕1号")
    assert "因需要调取档案" in text and "第三十三条第一款" in text and "政府信息公开工作机构负责人同意" in text
    assert case.due_on is not None and f"本机关将于{services.date_cn(case.due_on)}前作出答复。" in text
    assert "行政诉讼" not in text

    delayed = request_(org)
    do(
        delayed,
        "delay_reply",
        reviewer,
        delay_notified_on="2025-03-20",
        delayed_reply_due_on="2025-05-30",
        delay_reason="申请数量明显超过合理范围，说明的理由合理",
    )
    doc = only_doc(delayed, "delay_reply")
    text = check_filled(doc)
    assert (doc.title, doc.number) == ("政府信息公开申请延迟答复告知书", "市监依申迟字〔2025〕1号")
    assert "第三十五条" in text and "延迟答复的期限至2025年5月30日" in text and "申请数量明显超过合理范围" in text


def test_the_reply_is_sent_to_the_applicants_address_and_phone_after_commit(
    org: Any, django_capture_on_commit_callbacks: Any, mailoutbox: Any, settings: Any, tmp_path: Any
) -> None:
    settings.FAZHI_SMS_DIR = tmp_path / "sms"
    reviewer, _ = staff(org)
    case = request_(org)
    with django_capture_on_commit_callbacks(execute=True):
        do(case, "reply", reviewer, replied_on="2025-03-20", outcome="refused_internal")
    doc = only_doc(case, "reply")
    assert [m.to for m in mailoutbox] == [["lilei@example.com"]] and doc.code in mailoutbox[0].body
    (sms,) = list((tmp_path / "sms").iterdir())
    assert sms.read_text(encoding="utf-8").startswith("13800001234\n") and doc.number in sms.read_text(encoding="utf-8")
    # an applicant who gave neither is told nothing, the letter is still issued
    quiet = request_(org, applicant_email="", applicant_phone="", applicant_address="东湖区幸福路1号")
    with django_capture_on_commit_callbacks(execute=True):
        do(quiet, "reply", reviewer, replied_on="2025-03-20", outcome="refused_internal")
    assert only_doc(quiet, "reply") and len(mailoutbox) == 1 and len(list((tmp_path / "sms").iterdir())) == 1
