"""Forms offer what fits: the unit's own certified officers and powers, one choice preselected,
the reviewer's own name, no step that cannot apply, and a 以罚代刑 flag that starts its 移送."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from conftest import PASSWORD, Org, do
from fazhi.core.models import Kind, Level, Role
from fazhi.core.services import membership_grant, unit_create
from fazhi.registers.criminal_transfer.models import CriminalTransfer
from fazhi.registers.enforcement.models import EnforcementCase, Officer, PowerItem
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.reconsideration.models import Procedure

D = dt.date


@pytest.fixture
def agency(org: Org) -> Agency:
    return make_agency(org)


def _client(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _options(html: bytes, name: str) -> dict[str, str]:
    select: Any = BeautifulSoup(html, "html.parser").find("select", attrs={"name": name})
    assert select is not None, name
    return {o["value"]: o.get_text() for o in select.find_all("option") if o["value"]}


def _selected(html: bytes, name: str) -> str | None:
    select: Any = BeautifulSoup(html, "html.parser").find("select", attrs={"name": name})
    assert select is not None, name
    chosen = select.find("option", selected=True)
    return chosen["value"] if chosen else None


def _other_agency(org: Org) -> tuple[Officer, PowerItem]:
    other = unit_create(name="东湖区城市管理局", short_name="城管", code="T-D-CG", level=Level.DISTRICT, kind=Kind.DEPARTMENT, parent=org.district)
    officer = Officer.objects.create(unit=other, name="别家甲", code="42019999", certificate_issued_on=D(2020, 1, 1), certificate_valid_until=D(2030, 1, 1))
    item = PowerItem.objects.create(unit=other, code="CG-CF-001", name="对占道经营的处罚", kind="penalty", legal_basis="《城乡规划法》")
    return officer, item


def test_the_new_case_form_lists_only_the_units_certified_officers_and_powers_and_preselects_its_one_unit(org: Org, agency: Agency) -> None:
    stranger, foreign_item = _other_agency(org)
    lapsed = Officer.objects.create(unit=org.dept, name="过期丁", code="42010009", certificate_issued_on=D(2015, 1, 1), certificate_valid_until=D(2020, 1, 1))
    retired = Officer.objects.create(
        unit=org.dept, name="离岗戊", code="42010010", certificate_issued_on=D(2020, 1, 1), certificate_valid_until=D(2030, 1, 1), active=False
    )
    page = _client(agency.clerk).get("/r/enforcement/new/")
    assert page.status_code == 200
    officers = _options(page.content, "lead_officer")
    assert set(officers) == {str(o.pk) for o in agency.officers}
    assert not {str(stranger.pk), str(lapsed.pk), str(retired.pk)} & set(officers)
    powers = _options(page.content, "power_item")
    assert str(foreign_item.pk) not in powers and str(agency.penalty.pk) in powers
    # the clerk registers for one unit: it is chosen, with no empty line
    assert _selected(page.content, "handling_unit") == str(org.dept.pk)
    assert set(_options(page.content, "handling_unit")) == {str(org.dept.pk)}


def test_a_second_unit_is_offered_with_an_empty_choice(org: Org, agency: Agency) -> None:
    membership_grant(user=agency.clerk, unit=org.body, role=Role.CLERK)
    page = _client(agency.clerk).get("/r/reconsideration/new/")
    assert page.status_code == 200
    assert not _selected(page.content, "handling_unit")
    assert set(_options(page.content, "handling_unit")) == {str(org.dept.pk), str(org.body.pk)}


def test_the_reviewer_finds_their_own_name_filled_in(org: Org, agency: Agency) -> None:
    case = open_case(agency)
    do(case, "submit_review", agency.clerk, review_submitted_on=D(2025, 3, 12))
    page = _client(agency.reviewer).get(f"/r/enforcement/{case.pk}/do/pass_review/")
    assert page.status_code == 200
    box: Any = BeautifulSoup(page.content, "html.parser").find("input", attrs={"name": "reviewer_name"})
    assert box is not None and box.get("value") == "审核员"


def test_steps_that_cannot_apply_are_not_offered(org: Org, agency: Agency) -> None:
    penalty = open_case(agency)
    page = _client(agency.clerk).get(f"/r/enforcement/{penalty.pk}/").content.decode()
    # a penalty case has no 补正 (licences only) and nothing seized to release
    assert "一次告知申请人补正材料" not in page and "解除查封、扣押" not in page and "采取查封、扣押措施" in page
    licence = open_case(agency, item=agency.licence)
    assert "一次告知申请人补正材料" in _client(agency.clerk).get(f"/r/enforcement/{licence.pk}/").content.decode()
    # and a refused URL for such a step says why instead of showing a form
    refused = _client(agency.clerk).get(f"/r/enforcement/{penalty.pk}/do/request_correction/", follow=True)
    assert "不能对该案件执行" in refused.content.decode()


def test_an_ordinary_reconsideration_case_is_not_offered_the_switch_to_the_ordinary_procedure(org: Org, make_case: Any) -> None:
    case = make_case()
    do(case, "accept", org.alice, accepted_on=case.received_on + dt.timedelta(days=2), procedure=Procedure.ORDINARY)
    page = _client(org.carol).get(f"/r/reconsideration/{case.pk}/").content.decode()
    assert "转为普通程序" not in page


def _flagged_case(agency: Agency) -> EnforcementCase:
    item = PowerItem.objects.create(
        unit=agency.unit, code="SJ-CF-009", name="对侵犯注册商标专用权的处罚", kind="penalty", legal_basis="《商标法》第六十条", offence="counterfeit_trademark"
    )
    case = open_case(agency, item=item, amount_involved=Decimal("80000"), facts="销售假冒注册商标的运动鞋")
    do(case, "notify", agency.clerk, notified_on=D(2025, 3, 10), proposed_fine="5000")
    do(case, "decide", agency.head, decided_on=D(2025, 3, 20), outcome="penalty_imposed", decision_number="罚1", fine_amount="5000")
    case.refresh_from_db()
    assert case.impunity_flags.filter(cleared_on__isnull=True).exists()
    return case


def test_a_flag_starts_the_transfer_prefilled_and_the_transfer_clears_it(org: Org, agency: Agency) -> None:
    case = _flagged_case(agency)
    clerk = _client(agency.clerk)
    panel: Any = BeautifulSoup(clerk.get(f"/r/enforcement/{case.pk}/").content, "html.parser")
    button = panel.find("a", id="start-transfer")
    assert button is not None
    form = clerk.get(button["href"])
    assert form.status_code == 200
    soup: Any = BeautifulSoup(form.content, "html.parser")
    assert soup.find("input", attrs={"name": "suspect_name"})["value"] == "王小明"
    assert _selected(form.content, "origin") == "supervision"
    assert _selected(form.content, "lead_officer") == str(agency.officers[0].pk)
    assert "第二百一十三条" in soup.find("input", attrs={"name": "offence"})["value"]
    assert soup.find("textarea", attrs={"name": "facts"}).get_text().strip() == "销售假冒注册商标的运动鞋"
    # the clerk completes and submits what was prefilled
    data = {f["name"]: f.get("value", "") for f in soup.select("form input[name]") if f.get("type") not in ("checkbox", "submit")} | {
        s["name"]: _selected(form.content, s["name"]) or "" for s in soup.select("form select[name]")
    }
    data["facts"] = soup.find("textarea", attrs={"name": "facts"}).get_text().strip()
    done = clerk.post(button["href"], data)
    assert done.status_code == 302, BeautifulSoup(done.content, "html.parser").select(".errorlist")
    transfer = CriminalTransfer.objects.get()
    assert transfer.enforcement_case_id == case.pk and transfer.amount_involved == Decimal("80000")
    assert not case.impunity_flags.filter(cleared_on__isnull=True).exists()
    # no button once cleared, and none for a user without the clerk's role
    assert clerk.get(f"/r/enforcement/{case.pk}/").content.decode().count('id="start-transfer"') == 0


def test_the_prefill_reveals_nothing_of_a_case_the_user_may_not_see(org: Org, agency: Agency) -> None:
    case = _flagged_case(agency)
    membership_grant(user=org.frank, unit=org.other_district, role=Role.CLERK)
    form = _client(org.frank).get(f"/r/criminal_transfer/new/?from_case={case.pk}")
    assert form.status_code == 200
    text = form.content.decode()
    assert "王小明" not in text and "运动鞋" not in text
    # the head sees the flag but registers no transfer (a clerk's step): no button
    assert 'id="start-transfer"' not in _client(agency.head).get(f"/r/enforcement/{case.pk}/").content.decode()


def test_a_long_list_of_cases_becomes_a_box_for_the_case_number(org: Org, agency: Agency, monkeypatch: Any) -> None:
    from fazhi.registers.framework import forms as fit

    monkeypatch.setattr(fit, "CHOICES_MAX", 2)
    cases = [open_case(agency, party_name=f"当事人{i}") for i in range(3)]
    page = _client(agency.clerk).get("/r/criminal_transfer/new/")
    soup: Any = BeautifulSoup(page.content, "html.parser")
    assert soup.find("select", attrs={"name": "enforcement_case"}) is None
    box = soup.find("input", attrs={"name": "enforcement_case"})
    assert box is not None and box.get("placeholder") == "请输入案号"
    assert cases[0].case_number not in page.content.decode()


def test_the_mediation_form_lists_only_the_units_committees_and_mediators(org: Org) -> None:
    from fazhi.registers.mediation.models import MediationCommittee, Mediator

    own = MediationCommittee.objects.create(name="幸福社区人民调解委员会", level="community", unit=org.dept)
    foreign = MediationCommittee.objects.create(name="西山社区人民调解委员会", level="community", unit=org.other_district)
    mine = Mediator.objects.create(committee=own, name="调解员甲")
    theirs = Mediator.objects.create(committee=foreign, name="调解员乙")
    gone = Mediator.objects.create(committee=own, name="已卸任丙", active=False)
    page = _client(org.erin).get("/r/mediation/new/")
    assert page.status_code == 200
    assert _options(page.content, "committee") == {str(own.pk): own.name}
    assert _selected(page.content, "committee") == str(own.pk)  # the only one: chosen
    mediators = _options(page.content, "mediator")
    assert str(mine.pk) in mediators and not {str(theirs.pk), str(gone.pk)} & set(mediators)
    assert "西山" not in page.content.decode()


def test_date_boxes_hold_iso_dates_a_browser_can_show(org: Org, agency: Agency) -> None:
    """A Chinese locale renders dates as 2026/11/30 by default, which <input type="date"> shows as
    empty (the form then cannot be sent): every date box of a page carries an ISO date."""
    import re

    case = open_case(agency)
    clerk = _client(agency.clerk)
    for url in (f"/r/enforcement/{case.pk}/", "/r/enforcement/new/", f"/r/enforcement/{case.pk}/do/notify/"):
        soup: Any = BeautifulSoup(clerk.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content, "html.parser")
        values = [box.get("value") for box in soup.select('input[type="date"]') if box.get("value")]
        assert values, url
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values), (url, values)
