"""Masking natural persons' data for anything the public sees (portal, publication exports)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; an organisation's name (有限公司, 协会…) stays."""
    name = (name or "").strip()
    if not name or re.search(r"(公司|集团|中心|协会|学会|研究院|研究所|事务所|大学|学院|医院|委员会|基金会|合作社|银行|商会)$", name):
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_id_number(value: str) -> str:
    value = (value or "").strip()
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    digits = (value or "").strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * len(digits)


# --- by the values, not only the type a clerk chose ------------------------------------------
# GB 11643-1999: 17 digits and a check character (ISO 7064 MOD 11-2); the 15-digit IDs of before 1999.
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# mobile (1[3-9]…), landline with area code (0xx-xxxxxxxx), written with or without separators
PHONE = re.compile(r"(?<!\d)(1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{7,8})(?!\d)")
# GB 32100-2015: the 统一社会信用代码 of an organisation (18 characters, check character mod 31)
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_number_valid(value: str) -> bool:
    """A resident identity number (18 characters with a valid check character, or 15 digits)."""
    value = (value or "").strip().upper()
    if re.fullmatch(r"\d{15}", value):
        return True
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def uscc_valid(value: str) -> bool:
    """An organisation's 统一社会信用代码 with a valid check character."""
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == value[17]


def text_public(text: str) -> str:
    """Free text for the public: every identity number and phone number in it masked."""
    if not text:
        return text
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)) if id_number_valid(m.group(1)) or len(m.group(1)) == 18 else m.group(1), text)
    return PHONE.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group(1))), text)


ORGANISATION_TYPES = ("legal_person", "other_organisation")


def looks_personal(number: str) -> bool:
    """A number written like a resident identity number (15 or 18 digits, the last may be X),
    whatever its check digit: never an organisation's code, which has letters or a valid check."""
    number = (number or "").strip()
    return bool(re.fullmatch(r"\d{17}[\dXx]|\d{15}", number)) and not uscc_valid(number)


def party_number_errors(party_type: str, number: str, field: str, organisation_types: Iterable[str] = ORGANISATION_TYPES) -> dict[str, list[str]]:
    """A 法人 or 其他组织 identified by a personal identity number is a mistyped party: refused at input."""
    if party_type in organisation_types and looks_personal(number):
        return {field: ["填写的是个人身份证号码：法人或其他组织应填写统一社会信用代码；当事人是个人或个体工商户的，请相应选择当事人类型"]}
    return {}


def party_fields_errors(
    matter: Any, data: dict[str, Any], type_field: str, number_field: str, organisation_types: Iterable[str] = ORGANISATION_TYPES
) -> dict[str, list[str]]:
    """:func:`party_number_errors` for a register's party fields, on a registration, a step or an
    amendment (the values submitted, else those recorded), wherever the change comes from."""
    if type_field not in data and number_field not in data:
        return {}
    party_type = data.get(type_field, getattr(matter, type_field, "")) or ""
    number = data.get(number_field, getattr(matter, number_field, "")) or ""
    return party_number_errors(str(party_type), str(number), number_field, organisation_types)


def party_public(name: str, party_type: str, id_number: str = "") -> tuple[str, str]:
    """A party's name and number as the public may see them, judged by the values: the name is
    shown only for an organisation (a 法人 or 其他组织) that is identified by a valid 统一社会信用代码
    or whose name is an organisation's; a natural person or a 个体工商户 (its name is often the
    owner's) is masked whatever the type says, and so is anyone whose number is a personal ID."""
    number = (id_number or "").strip()
    organisation = party_type in ORGANISATION_TYPES and not looks_personal(number) and (uscc_valid(number) or mask_name(name) == name.strip())
    shown_name = text_public(name) if organisation else mask_name(name)
    shown_number = number if organisation else (mask_id_number(number) if number else "")
    return shown_name, shown_number
