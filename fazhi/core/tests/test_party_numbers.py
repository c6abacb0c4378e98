"""A 法人 or 其他组织 identified by a personal identity number is refused at input in every
register that takes a party with a type and a number (forms, imports and amendments all go
through the register's hooks in the services)."""

from __future__ import annotations

from typing import Any

import pytest

from fazhi.core.errors import ValidationFailed
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.services import matter_amend

pytestmark = pytest.mark.django_db

PERSONAL_ID = "11010519491231002X"
USCC = "91350100M000100Y43"

# register, type field, number field, an organisation's type, a person's type
PARTIES = [
    ("enforcement", "party_type", "party_id_number", "legal_person", "natural_person"),
    ("reconsideration", "applicant_type", "applicant_id_number", "other_organisation", "natural_person"),
    ("litigation", "plaintiff_type", "plaintiff_id_number", "legal_person", "natural_person"),
    ("criminal_transfer", "suspect_type", "suspect_id_number", "legal_person", "individual_business"),
    ("contract_review", "counterparty_type", "counterparty_id_number", "organisation", "natural_person"),
    ("disclosure", "applicant_type", "applicant_id_number", "commercial", "natural_person"),
]


@pytest.mark.parametrize(("register", "type_field", "number_field", "organisation", "person"), PARTIES)
def test_each_register_refuses_an_organisation_with_a_personal_id_number(
    org: Any, register: str, type_field: str, number_field: str, organisation: str, person: str
) -> None:
    reg = register_get(register)
    matter = reg.model(unit=org.dept)
    for transition in ("amend", "register"):
        errors = reg.hooks.validate(matter, transition, {type_field: organisation, number_field: PERSONAL_ID})
        assert "个人身份证号码" in errors.get(number_field, [""])[0], (register, transition, errors)
        # an organisation's code, or a person with their ID number, is fine
        assert number_field not in reg.hooks.validate(matter, transition, {type_field: organisation, number_field: USCC})
        assert number_field not in reg.hooks.validate(matter, transition, {type_field: person, number_field: PERSONAL_ID})
    # an amendment of only the number is checked against the type recorded
    setattr(matter, type_field, organisation)
    assert number_field in reg.hooks.validate(matter, "amend", {number_field: PERSONAL_ID})


def test_the_service_refuses_it_on_registration_and_amendment(org: Any, make_case: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_case(applicant_type="legal_person", applicant_name="张三", applicant_id_number=PERSONAL_ID)
    assert "统一社会信用代码" in caught.value.errors["applicant_id_number"][0]
    case = make_case(applicant_type="legal_person", applicant_name="东湖科技有限公司", applicant_id_number=USCC)
    with pytest.raises(ValidationFailed):
        matter_amend(matter=case, actor=org.alice, changes={"applicant_id_number": PERSONAL_ID}, reason="更正")
