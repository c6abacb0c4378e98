"""检察建议 / 司法建议: the reply clock by kind (两高解释 art.21: two months, 15 days when urgent),
the reasons for not adopting, duplicates, permissions and the staff form's messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD, do
from fazhi.core.errors import PermissionDenied, ValidationFailed
from fazhi.registers.framework.services import matter_create
from fazhi.registers.oversight_suggestions.models import OversightSuggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(org: Any) -> Any:
    from django.contrib.auth import get_user_model

    from fazhi.core.models import Role
    from fazhi.core.services import membership_grant

    user = get_user_model().objects.create_user("dept_head", password=PASSWORD)
    membership_grant(user=user, unit=org.dept, role=Role.HEAD)
    return get_user_model().objects.get(pk=user.pk)


def suggestion(org: Any, **overrides: Any) -> OversightSuggestion:
    data = {
        "received_on": dt.date(2025, 3, 14),
        "kind": "public_interest",
        "issuer": "东湖区人民检察院",
        "document_number": "东检行公建〔2025〕3号",
        "subject": "督促依法履行食品安全监管职责",
    } | overrides
    case = matter_create(register="oversight_suggestions", unit=org.dept, actor=org.erin, data=data)
    assert isinstance(case, OversightSuggestion)
    return case


def test_the_reply_period_follows_the_kind_and_the_urgent_case(org: Any) -> None:
    case = suggestion(org)
    assert (case.state, case.reply_basis, case.due_rule, case.due_on) == (
        "registered",
        "public_interest",
        "oversight_suggestions.public_interest_reply",
        dt.date(2025, 5, 14),
    )
    urgent = suggestion(org, document_number="东检行公建〔2025〕4号", urgent=True, received_on=dt.date(2025, 6, 3))
    assert (urgent.reply_basis, urgent.due_rule, urgent.due_on) == (
        "public_interest_urgent",
        "oversight_suggestions.public_interest_urgent_reply",
        dt.date(2025, 6, 18),
    )
    court = suggestion(org, kind="court", issuer="东湖区人民法院", document_number="（2025）东法司建1号", received_on=dt.date(2025, 7, 1))
    assert (court.due_rule, court.due_on) == ("oversight_suggestions.court_reply", dt.date(2025, 9, 1))
    with pytest.raises(ValidationFailed) as exc:
        suggestion(org, kind="procuratorate", urgent=True, document_number="东检建〔2025〕1号")
    assert "urgent" in exc.value.errors


def test_a_suggestion_is_assigned_rectified_replied_and_closed_with_reasons_when_not_adopted(org: Any, head: Any) -> None:
    case = suggestion(org)
    do(case, "assign", org.erin, assigned_on="2025-03-17", handling_office="执法监督科")
    do(case, "record_rectification", org.erin, rectified_on="2025-04-30", rectification_summary="立案查处二起")
    assert case.state == "handling"
    with pytest.raises(PermissionDenied):
        do(case, "reply", org.erin, replied_on="2025-05-10", outcome="adopted")
    with pytest.raises(ValidationFailed) as exc:
        do(case, "reply", head, replied_on="2025-05-10", outcome="partly")
    assert "not_adopted_reason" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        do(case, "reply", head, replied_on="2025-03-01", outcome="adopted")
    assert "replied_on" in exc.value.errors
    do(case, "reply", head, replied_on="2025-05-14", outcome="partly", not_adopted_reason="涉及上级事权的部分已报请研究")
    assert (case.state, case.due_on, case.deadlines) == ("replied", None, {"oversight_suggestions.public_interest_reply": "met"})
    do(case, "close", org.erin, archived_on="2025-05-20")
    assert (case.state, case.closed_on) == ("closed", dt.date(2025, 5, 20))


def test_the_same_letter_is_not_registered_twice(org: Any) -> None:
    first = suggestion(org)
    with pytest.raises(ValidationFailed, match=first.case_number):
        suggestion(org)


def test_the_staff_pages_name_the_bad_field_and_keep_other_units_out(org: Any) -> None:
    case = suggestion(org)
    client = Client()
    client.login(username="erin", password=PASSWORD)
    form = {
        "handling_unit": org.dept.pk,
        "received_on": "2025-07-01",
        "kind": "court",
        "urgent": "on",
        "issuer": "东湖区人民法院",
        "document_number": "x1",
        "subject": "规范执法",
    }
    page = client.post("/r/oversight_suggestions/new/", form)
    assert page.status_code == 200
    assert "十五日内回复的紧急情形只适用于公益诉讼诉前检察建议" in page.content.decode()
    page = client.post("/r/oversight_suggestions/new/", form | {"urgent": "", "received_on": "2025-13-40"})
    assert page.status_code == 200
    assert "收到日期" in page.content.decode()
    assert OversightSuggestion.objects.count() == 1
    assert client.get(f"/r/oversight_suggestions/{case.pk}/").status_code == 200
    outsider = Client()
    outsider.login(username="frank", password=PASSWORD)
    assert outsider.get(f"/r/oversight_suggestions/{case.pk}/").status_code == 404
    assert case.case_number not in outsider.get("/r/oversight_suggestions/").content.decode()


def test_the_figures_count_received_replied_on_time_and_adopted_with_their_records(org: Any, head: Any) -> None:
    from fazhi.indicators.catalogue import catalogue
    from fazhi.indicators.engine import Period, compute, trace

    on_time = suggestion(org)
    do(on_time, "reply", head, replied_on="2025-05-14", outcome="adopted")
    late = suggestion(org, document_number="东检行公建〔2025〕5号", urgent=True, received_on=dt.date(2025, 6, 3))
    do(late, "reply", head, replied_on="2025-06-19", outcome="not_adopted", not_adopted_reason="不属于本单位职责")
    # never answered, its two months long past at the year's end: it counts as not on time
    unanswered = suggestion(org, kind="court", issuer="东湖区人民法院", document_number="（2025）东法司建1号", received_on=dt.date(2025, 7, 1))
    year = Period.year(2025)
    values = compute([org.district], year, ["os.received", "os.court", "os.replied", "os.on_time_rate", "os.adopted_rate"], source="raw")
    got = {code: v[org.district.pk].value for code, v in values.items()}
    assert (got["os.received"], got["os.court"], got["os.replied"]) == (3, 1, 2)
    assert (got["os.on_time_rate"], got["os.adopted_rate"]) == (Decimal("33.3"), 50)
    rows = trace(catalogue()["os.on_time_rate"], org.district, year)
    assert list(rows["numerator"].values_list("case_number", flat=True)) == [on_time.case_number]
    assert sorted(rows["denominator"].values_list("case_number", flat=True)) == sorted([on_time.case_number, late.case_number, unanswered.case_number])
    assert list(rows["overdue"].values_list("case_number", flat=True)) == [unanswered.case_number]


def test_a_reply_overdue_beyond_the_threshold_raises_a_supervision_lead(org: Any, head: Any) -> None:
    from fazhi.supervision.services import leads_scan

    late = suggestion(org, urgent=True, received_on=dt.date(2025, 6, 3))
    replied = suggestion(org, document_number="东检行公建〔2025〕6号", received_on=dt.date(2025, 6, 3))
    do(replied, "reply", head, replied_on="2025-07-01", outcome="adopted")
    leads = [lead for lead in leads_scan(org.district, dt.date(2025, 8, 1)) if lead.register == "oversight_suggestions"]
    assert [lead.matter_id for lead in leads] == [late.pk]
    assert "2025-06-18" in leads[0].summary


def test_the_annual_report_prints_the_figures_after_the_proposals(org: Any, head: Any) -> None:
    from fazhi.reports.generator import generate

    first = suggestion(org)
    do(first, "reply", head, replied_on="2025-05-14", outcome="adopted")
    second = suggestion(org, kind="court", issuer="东湖区人民法院", document_number="（2025）东法司建1号", received_on=dt.date(2025, 7, 1))
    do(second, "reply", head, replied_on="2025-09-02", outcome="not_adopted", not_adopted_reason="不属于本单位职责")
    _title, parts = generate("fzzf", org.district, 2025)
    topics = [p.topic for p in parts[0].paragraphs]
    assert topics.index("检察建议和司法建议") == topics.index("人大建议和政协提案") + 1
    text = next(p for p in parts[0].paragraphs if p.topic == "检察建议和司法建议").text
    assert text.startswith("自觉接受司法监督，收到检察建议1件（其中公益诉讼诉前检察建议1件）、司法建议1件，已书面回复2件，按期回复率50")
    assert "采纳率50" in text


def test_the_reply_date_the_letter_states_governs_the_clock(org: Any) -> None:
    from fazhi.registers.framework.clocks import matter_clocks

    # an urgent 检察建议 with its own reply date: earlier than the two months
    early = suggestion(
        org, kind="procuratorate", document_number="东检建〔2025〕8号", received_on=dt.date(2025, 3, 10), letter_reply_due_on=dt.date(2025, 3, 31)
    )
    assert (early.due_rule, early.due_on) == ("oversight_suggestions.procuratorate_reply", dt.date(2025, 3, 31))
    [clock] = matter_clocks(early)
    assert any(step["kind"] == "fix_due" and "以文书载明的为准" in step["text"] for step in clock.result.steps)
    # a 司法建议书 asking for a reply later than the region's two months
    court = suggestion(
        org,
        kind="court",
        issuer="东湖区人民法院",
        document_number="（2025）东法司建2号",
        received_on=dt.date(2025, 7, 1),
        letter_reply_due_on=dt.date(2025, 10, 31),
    )
    assert court.due_on == dt.date(2025, 10, 31)
    # a 公益诉讼 one may not exceed the 两高解释's two months; nothing is written
    with pytest.raises(ValidationFailed) as exc:
        suggestion(org, document_number="东检行公建〔2025〕9号", letter_reply_due_on=dt.date(2025, 6, 30))
    assert "letter_reply_due_on" in exc.value.errors and "2025年5月14日" in exc.value.errors["letter_reply_due_on"][0]
    with pytest.raises(ValidationFailed) as exc:
        suggestion(org, kind="procuratorate", document_number="东检建〔2025〕10号", letter_reply_due_on=dt.date(2025, 3, 1))
    assert "不能早于收到日期" in exc.value.errors["letter_reply_due_on"][0]
    assert OversightSuggestion.objects.count() == 2
    # a 公益诉讼 letter asking for an earlier reply is followed
    shorter = suggestion(org, document_number="东检行公建〔2025〕11号", letter_reply_due_on=dt.date(2025, 4, 30))
    assert shorter.due_on == dt.date(2025, 4, 30)


def test_a_reply_overdue_against_the_letters_own_date_raises_the_lead_before_the_two_months(org: Any) -> None:
    from fazhi.supervision.services import leads_scan

    letter = suggestion(
        org, kind="procuratorate", document_number="东检建〔2025〕12号", received_on=dt.date(2025, 6, 3), letter_reply_due_on=dt.date(2025, 6, 13)
    )
    suggestion(org, kind="procuratorate", document_number="东检建〔2025〕13号", received_on=dt.date(2025, 6, 3))  # due 2025-08-04
    leads = [lead for lead in leads_scan(org.district, dt.date(2025, 7, 20)) if lead.register == "oversight_suggestions"]
    assert [lead.matter_id for lead in leads] == [letter.pk]
    assert "2025-06-13" in leads[0].summary
