"""An enforcement agency for tests: a 市场监督管理局 with staff, officers and a list of powers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from conftest import PASSWORD, Org
from fazhi.core.models import Role, Unit
from fazhi.core.services import membership_grant
from fazhi.registers.enforcement.models import EnforcementCase, Officer, PowerItem
from fazhi.registers.framework.services import matter_create


@dataclass
class Agency:
    unit: Unit
    clerk: Any  # erin
    reviewer: Any  # 法制审核
    head: Any
    officers: list[Officer]
    penalty: PowerItem
    licence: PowerItem
    inspection: PowerItem


def make_agency(org: Org) -> Agency:
    users = get_user_model().objects
    reviewer, head = (
        users.create_user("sj_reviewer", password=PASSWORD, first_name="审核员"),
        users.create_user("sj_head", password=PASSWORD, first_name="局长"),
    )
    membership_grant(user=reviewer, unit=org.dept, role=Role.REVIEWER)
    membership_grant(user=head, unit=org.dept, role=Role.HEAD)
    officers = [
        Officer.objects.create(
            unit=org.dept, name=name, code=f"4201000{i}", certificate_issued_on=dt.date(2020, 1, 1), certificate_valid_until=dt.date(2030, 12, 31)
        )
        for i, name in enumerate(["执法甲", "执法乙", "执法丙"], start=1)
    ]
    penalty = PowerItem.objects.create(
        unit=org.dept, code="SJ-CF-001", name="对销售不合格产品的处罚", kind="penalty", legal_basis="《产品质量法》第五十条", offence="fake_products"
    )
    licence = PowerItem.objects.create(unit=org.dept, code="SJ-XK-001", name="食品经营许可", kind="licence", legal_basis="《食品安全法》第三十五条")
    inspection = PowerItem.objects.create(unit=org.dept, code="SJ-JC-001", name="食品经营监督检查", kind="inspection", legal_basis="《食品安全法》第一百一十条")
    return Agency(org.dept, users.get(pk=org.erin.pk), users.get(pk=reviewer.pk), users.get(pk=head.pk), officers, penalty, licence, inspection)


def open_case(agency: Agency, item: PowerItem | None = None, **overrides: Any) -> EnforcementCase:
    data = {
        "received_on": dt.date(2025, 3, 3),
        "power_item": (item or agency.penalty).pk,
        "party_type": "natural_person",
        "party_name": "王小明",
        "party_id_number": "420102199001011234",
        "party_phone": "13912345678",
        "party_address": "东湖区幸福路8号",
        "facts": "销售不合格电热水壶",
        "lead_officer": agency.officers[0].pk,
        "second_officer": agency.officers[1].pk,
    } | overrides
    if data["party_type"] in ("legal_person", "other_organisation") and "party_id_number" not in overrides:
        data["party_id_number"] = "91420102MA4K0000X1"  # an organisation's code, not the default person's ID
    case = matter_create(register="enforcement", unit=agency.unit, actor=agency.clerk, data=data)
    assert isinstance(case, EnforcementCase)
    return case
