"""No personal data on anything the public gets: a dataset with mistyped parties (a natural person
typed 法人, a 个体工商户 with a personal ID, a 法人 with a personal ID kept from before the check, a
phone number in free text), then every portal page reached by its links as a citizen, the
downloads they link to, and every register's 公开版 export are scanned for an identity number with
a valid check digit, a mobile number and the persons' names."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import do
from fazhi.core.masking import id_number_valid
from fazhi.registers.enforcement.models import EnforcementCase
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.registry import REGISTRY
from fazhi.web.tests.pagecrawl import PORTAL_START

pytestmark = pytest.mark.django_db

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")


def with_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


PERSON_ID = with_check("42010219900101123")
BUSINESS_ID = with_check("11010519491231002")
LEGACY_ID = with_check("42010619850505671")
NAMES = ["王小明", "李大强", "周小红", "赵铁柱", "孙丽丽", "吴敏敏"]


def _published(agency: Agency, day: dt.date, **party: Any) -> EnforcementCase:
    case = open_case(agency, received_on=day - dt.timedelta(days=30), facts="当事人（联系电话 138-1234-5678）销售不合格电热水壶", **party)
    do(case, "notify", agency.clerk, notified_on=day - dt.timedelta(days=20), proposed_fine="2000")
    do(case, "decide", agency.head, decided_on=day, outcome="penalty_imposed", decision_number=f"东市监罚〔{day.year}〕{case.pk}号", fine_amount="2000")
    do(case, "publish", agency.clerk, published_on=day + dt.timedelta(days=2))
    return case


@pytest.fixture
def mistyped(org: Any, make_case: Any) -> dict[str, Any]:
    agency = make_agency(org)
    day = timezone.localdate() - dt.timedelta(days=30)
    person = _published(agency, day, party_name="王小明", party_id_number=PERSON_ID, party_phone="13912345678")
    business = _published(agency, day, party_type="individual_business", party_name="李大强", party_id_number=BUSINESS_ID, party_phone="13700001111")
    typed_legal = _published(agency, day, party_type="legal_person", party_name="周小红", party_id_number="", party_phone="13600002222")
    legacy = _published(agency, day, party_type="legal_person", party_name="东湖恒信科技有限公司")
    # recorded before the input check existed: a 法人 identified by a personal ID, a person's name
    EnforcementCase.objects.filter(pk=legacy.pk).update(party_name="赵铁柱", party_id_number=LEGACY_ID)
    recon = make_case(
        received_on=day,
        applicant_type="legal_person",
        applicant_name="孙丽丽",
        applicant_id_number="",
        applicant_phone="15800003333",
        disputed_act="行政处罚决定（申请人电话15800003333）",
    )
    from fazhi.registers.framework.services import matter_create

    disclosure = matter_create(
        register="disclosure",
        unit=org.dept,
        actor=org.erin,
        data={
            "received_on": day,
            "applicant_type": "commercial",
            "applicant_name": "吴敏敏",
            "channel": "in_person",
            "content": f"申请公开处罚决定，联系人身份证{PERSON_ID}，手机13512345678",
            "applicant_phone": "13512345678",
        },
    )
    return {"enforcement": [person, business, typed_legal, legacy], "reconsideration": recon, "disclosure": disclosure}


def _leaks(text: str) -> list[str]:
    found = [f"身份证号码 {m}" for m in ID_LIKE.findall(text) if id_number_valid(m)]
    found += [f"手机号码 {m}" for m in MOBILE.findall(text)]
    found += [f"姓名 {n}" for n in NAMES if n in text]
    return found


def _xlsx_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for ws in wb.worksheets for row in ws.iter_rows(values_only=True))


def _body_text(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        return _xlsx_text(content)
    return content.decode("utf-8", errors="replace")


def test_no_public_page_or_public_export_shows_personal_data(org: Any, mistyped: dict[str, Any]) -> None:
    citizen = Client()
    # the data is there and is shown to its staff: the scan is not vacuous
    page = citizen.get("/gongshi/zhifa/").content.decode()
    assert all(c.decision_number in page for c in mistyped["enforcement"])
    seen: set[str] = set()
    # the start pages, and the enforcement portal searched by a decision number (a search by a name
    # would only echo what the citizen typed)
    queue = deque([*PORTAL_START, f"/gongshi/zhifa/?q={mistyped['enforcement'][1].decision_number}"])
    problems: list[str] = []
    while queue and len(seen) < 400:
        url = queue.popleft()
        if url in seen or url.startswith(("/login", "/logout", "/admin")):
            continue
        seen.add(url)
        response = citizen.get(url)
        if response.status_code != 200:
            continue
        text = _body_text(response)
        problems += [f"{url}：{leak}" for leak in _leaks(text)]
        if "html" in response.get("Content-Type", ""):
            for href in re.findall(r'href="([^"]+)"', text):
                href = urldefrag(href.replace("&amp;", "&"))[0]
                parts = urlsplit(href)
                if not parts.scheme and href.startswith("/") and not href.startswith("/static/"):
                    queue.append(href)
    assert {"/gongshi/zhifa/", "/gongshi/choucha/", "/gongkai/guifan/export.xlsx?"} <= seen and len(seen) >= 10
    # every register's 公开版 export, by an administrator who sees every unit
    staff = Client()
    staff.force_login(org.admin)
    for name in REGISTRY:
        response = staff.get(reverse("ledger_export", args=[name]), {"publish": "1"})
        assert response.status_code == 200, name
        text = _xlsx_text(response.content)
        problems += [f"{name} 公开版导出：{leak}" for leak in _leaks(text)]
    assert problems == []
    # the full export does carry them (the scan would find a leak)
    full = _xlsx_text(staff.get(reverse("ledger_export", args=["enforcement"])).content)
    assert any("李大强" in leak for leak in _leaks(full)) and any(LEGACY_ID in leak for leak in _leaks(full))
