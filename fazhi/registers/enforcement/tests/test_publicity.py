"""公示: the portal shows published decisions masked, withdrawn ones gone, retention applied;
on-time publication measured per unit; officers' certificates warned on the due list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, Org, do
from fazhi.registers.enforcement.models import EnforcementCase, OfficerExam, TrainingRecord
from fazhi.registers.enforcement.selectors import publication_stats
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def agency(org: Org) -> Agency:
    return make_agency(org)


def decided(agency: Agency, day: dt.date, **overrides: Any) -> EnforcementCase:
    case = open_case(agency, received_on=day - dt.timedelta(days=30), **overrides)
    # told 20 days before: the 陈述、申辩 window (5 working days) has ended by the decision
    do(case, "notify", agency.clerk, notified_on=day - dt.timedelta(days=20), proposed_fine="2000")
    do(case, "decide", agency.head, decided_on=day, outcome="penalty_imposed", decision_number=f"东市监罚〔{day.year}〕{case.pk}号", fine_amount="2000")
    return case


def test_portal_masks_natural_persons_and_applies_withdrawal_and_retention(agency: Agency) -> None:
    today = timezone.localdate()
    person = decided(agency, today - dt.timedelta(days=30))
    do(person, "publish", agency.clerk, published_on=today - dt.timedelta(days=28))
    company = decided(agency, today - dt.timedelta(days=30), party_type="legal_person", party_name="东湖电器有限公司", party_id_number="91420102MA4K0000X1")
    do(company, "publish", agency.clerk, published_on=today - dt.timedelta(days=28))
    withdrawn = decided(agency, today - dt.timedelta(days=30), party_name="赵六")
    do(withdrawn, "publish", agency.clerk, published_on=today - dt.timedelta(days=28))
    do(withdrawn, "change_decision", agency.clerk, decision_changed_on=today - dt.timedelta(days=20), decision_change_reason="复议撤销")
    do(withdrawn, "withdraw_publication", agency.clerk, publication_withdrawn_on=today - dt.timedelta(days=19))
    unpublished = decided(agency, today - dt.timedelta(days=3), party_name="孙七")
    # published three years ago: past the two-year retention for a natural person
    old = EnforcementCase.objects.create(
        **{f.name: getattr(person, f.name) for f in EnforcementCase._meta.concrete_fields if f.name not in ("id", "case_number", "sequence")},
        case_number="市监执〔2022〕99号",
        sequence=99,
    )
    EnforcementCase.objects.filter(pk=old.pk).update(party_name="钱八", published_on=today - dt.timedelta(days=3 * 366), decision_number="旧决定")

    page = Client().get("/gongshi/zhifa/").content.decode()
    assert "王**" in page and "王小明" not in page  # masked natural person
    assert "4201**********1234" in page and "420102199001011234" not in page
    assert "东湖电器有限公司" in page and "91420102MA4K0000X1" in page  # organisations are not personal data
    assert "赵六" not in page and "赵*" not in page  # withdrawn (第四十八条)
    assert "孙*" not in page  # not yet published
    assert "旧决定" not in page  # retention over
    assert not ID_NUMBER.search(page) and not PHONE.search(page)
    for url in ("/gongshi/quanze/", "/gongshi/choucha/", f"/gongshi/zhifa/?q={person.decision_number}"):
        body = Client().get(url).content.decode()
        assert "王小明" not in body and not ID_NUMBER.search(body) and not PHONE.search(body)
    assert unpublished.published_on is None


def test_on_time_publication_is_measured_per_unit(agency: Agency) -> None:
    on_time = decided(agency, dt.date(2025, 4, 1))
    do(on_time, "publish", agency.clerk, published_on=dt.date(2025, 4, 10))  # 7 WD from 04-01 → 04-11 (清明 04-04)
    late = decided(agency, dt.date(2025, 4, 1))
    do(late, "publish", agency.clerk, published_on=dt.date(2025, 4, 15))
    decided(agency, dt.date(2025, 4, 1))  # never published: late and pending
    stats = publication_stats(EnforcementCase.objects.all(), today=dt.date(2025, 6, 1))
    assert len(stats) == 1
    s = stats[0]
    assert (s.decided, s.published, s.on_time, s.late_pending) == (3, 2, 1, 1)
    assert s.on_time_share == pytest.approx(1 / 3)
    # a decision still inside its period does not count yet
    assert publication_stats(EnforcementCase.objects.all(), today=dt.date(2025, 4, 11))[0].decided == 2


def test_staff_pages_show_publication_officers_and_certificate_warnings(agency: Agency, org: Org) -> None:
    today = timezone.localdate()
    soon = agency.officers[2]
    soon.certificate_valid_until = today + dt.timedelta(days=20)
    soon.save()
    TrainingRecord.objects.create(officer=agency.officers[0], held_on=today, topic="行政处罚法", hours=Decimal("24"))
    OfficerExam.objects.create(officer=agency.officers[0], year=today.year - 1, score=Decimal("88"), passed=True)
    client = Client()
    assert client.login(username="erin", password=PASSWORD)
    home = client.get("/").content.decode()
    assert "执法丙" in home and "执法证" in home  # expiry warning on the due list
    officers = client.get("/zhifa/renyuan/").content.decode()
    assert "证件 20 天后到期" in officers and "24.0" in officers and "88.0分（合格）" in officers
    assert client.get("/zhifa/gongshi/").status_code == 200
    other = Client()
    assert other.login(username="frank", password=PASSWORD)
    assert "执法丙" not in other.get("/zhifa/renyuan/").content.decode()
    assert "执法丙" not in other.get("/").content.decode()
    assert Client().get("/zhifa/renyuan/").status_code == 302  # staff pages need a login


def test_the_portal_masks_by_the_values_whatever_type_a_clerk_chose(agency: Agency, org: Org) -> None:
    """A 个体工商户 (often named after its owner), a 法人 typed with a person's name and no code, and
    an ID number typed into the decision's text are all masked; a real company stays named."""
    from fazhi.core.masking import id_number_valid, party_public, text_public, uscc_valid

    today = timezone.localdate()
    cases = [
        decided(agency, today - dt.timedelta(days=30), party_type="individual_business", party_name="李大强", party_id_number="11010519491231002X"),
        decided(agency, today - dt.timedelta(days=30), party_type="legal_person", party_name="周小红", party_id_number=""),
        decided(agency, today - dt.timedelta(days=30), party_type="legal_person", party_name="东湖科技有限公司", party_id_number="91350100M000100Y43"),
    ]
    for case in cases:
        do(case, "publish", agency.clerk, published_on=today - dt.timedelta(days=28))
    page = Client().get("/gongshi/zhifa/").content.decode()
    assert "李大强" not in page and "李**" in page and "11010519491231002X" not in page
    assert "周小红" not in page and "周**" in page
    assert "东湖科技有限公司" in page and "91350100M000100Y43" in page
    assert not ID_NUMBER.search(page) and not PHONE.search(page)
    # the public export of the ledger masks by the same values, also inside free text
    assert id_number_valid("11010519491231002X") and not id_number_valid("11010519491231002Y") and uscc_valid("91350100M000100Y43")
    assert text_public("当事人王五（身份证11010519491231002X，电话139 1234 5678）") == "当事人王五（身份证1101**********002X，电话139****5678）"
    assert party_public("张三", "legal_person", "") == ("张*", "")


def test_an_organisation_with_a_personal_id_number_is_refused_at_input(agency: Agency) -> None:
    from fazhi.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        open_case(agency, party_type="legal_person", party_name="张三", party_id_number="11010519491231002X")
    assert "个人身份证号码" in caught.value.errors["party_id_number"][0]
    case = open_case(agency, party_type="legal_person", party_name="东湖科技有限公司", party_id_number="91350100M000100Y43")
    with pytest.raises(ValidationFailed):
        from fazhi.registers.framework.services import matter_amend

        matter_amend(matter=case, actor=agency.clerk, changes={"party_id_number": "420102199001011234"}, reason="更正")
