"""Masking natural persons' data for anything the public sees (portal, publication exports)."""

from __future__ import annotations

import re


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
