"""Personal data at rest: what the database holds of a natural person is ciphertext (the matter's
fields, its events' values, the search table), the application reads it back, a tampered or
moved value is refused, and the keys rotate by re-encryption with the audit log still verifying."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from conftest import Org, do
from fazhi.audit.appendonly import updates_lifted
from fazhi.audit.services import audit_verify, checkpoint_take
from fazhi.core.deploy import field_keys_problems
from fazhi.core.fieldcrypt import DEV_KEY_ID, PREFIX, FieldKeyError, decrypt, encrypt, key_id_of, keyring, keyring_write, new_key
from fazhi.ops.keys import key_usage
from fazhi.registers.enforcement.models import EnforcementCase
from fazhi.registers.enforcement.tests.fixtures import Agency, make_agency, open_case
from fazhi.registers.framework.fields import registers_reencrypt
from fazhi.registers.framework.models import MatterEvent, SearchDigest, SearchEntry
from fazhi.registers.framework.registry import register_get
from fazhi.registers.framework.search import matters_search
from fazhi.registers.framework.selectors import matters_visible_to

pytestmark = pytest.mark.django_db

PERSON = {"party_name": "王小明", "party_id_number": "420102199001011234", "party_phone": "13912345678", "party_address": "东湖区幸福路8号"}


@pytest.fixture
def agency(org: Org) -> Agency:
    return make_agency(org)


def _raw(table: str, column: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _event_json(pk: int, column: str) -> str:
    value = _raw("framework_matterevent", column, pk)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _everything_stored(case: EnforcementCase) -> str:
    """Every byte the database holds about the case: its row, its events, its search rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM enforcement_enforcementcase WHERE id = %s", [case.pk])
        parts = [str(v) for v in cursor.fetchone()]
    for e in MatterEvent.objects.filter(register="enforcement", object_id=case.pk):
        parts += [_event_json(e.pk, "before"), _event_json(e.pk, "after")]
    parts += [str(v) for v in SearchEntry.objects.filter(register="enforcement", matter_id=case.pk).values_list("text", flat=True)]
    parts += [str(v) for v in SearchDigest.objects.filter(register="enforcement", matter_id=case.pk).values_list("digest", flat=True)]
    return "\n".join(parts)


def _verifies() -> None:
    checkpoint_take()
    report = audit_verify()
    assert report.ok and report.rows_checked, report.problems


def _found(user: Any, query: str) -> set[str]:
    reg = register_get("enforcement")
    return set(matters_search(matters_visible_to(user, reg), reg, query).values_list("case_number", flat=True))


def test_the_database_holds_no_personal_value_in_clear_and_the_application_reads_them(org: Org, agency: Agency) -> None:
    case = open_case(agency, **PERSON)
    from fazhi.registers.framework.services import matter_amend

    matter_amend(matter=case, actor=agency.clerk, changes={"party_phone": "13800001111"}, reason="当事人更正电话")
    stored = _everything_stored(case)
    for value in (*PERSON.values(), "13800001111"):
        assert value not in stored, value
    raw = _raw("enforcement_enforcementcase", "party_name", case.pk)
    assert raw.startswith(PREFIX) and key_id_of(raw) == DEV_KEY_ID
    # the application reads the values back: the record, its events (the amendment's before and after)
    fresh = EnforcementCase.objects.get(pk=case.pk)
    assert (fresh.party_name, fresh.party_id_number, fresh.party_phone) == ("王小明", "420102199001011234", "13800001111")
    amend = MatterEvent.objects.get(register="enforcement", object_id=case.pk, transition="amend")
    assert (amend.before["party_phone"], amend.after["party_phone"]) == ("13912345678", "13800001111")
    # a blank stays blank (a plain query), the same value twice is two different ciphertexts
    blank = open_case(agency, party_phone="", party_name="王小明")
    assert _raw("enforcement_enforcementcase", "party_phone", blank.pk) == ""
    assert EnforcementCase.objects.filter(party_phone="").count() == 1
    # a query by an encrypted value would silently match nothing: refused
    for lookup in ({"party_name": "王小明"}, {"party_name__contains": "小明"}, {"party_name__in": ["王小明"]}):
        with pytest.raises(FieldError, match="encrypted"):
            EnforcementCase.objects.filter(**lookup).count()
    assert _raw("enforcement_enforcementcase", "party_name", blank.pk) != raw
    # found by the whole name through the digest; the audit log verifies over the encrypted rows
    assert _found(agency.clerk, "王小明") == {case.case_number, blank.case_number}
    _verifies()


def test_text_typed_like_a_stored_value_is_encrypted_like_any_other(org: Org, agency: Agency) -> None:
    forged = PREFIX + "dev$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    case = open_case(agency, party_name=forged, facts=forged)
    fresh = EnforcementCase.objects.get(pk=case.pk)
    assert fresh.party_name == forged and fresh.facts == forged
    assert _raw("enforcement_enforcementcase", "party_name", case.pk) != forged
    event = MatterEvent.objects.get(register="enforcement", object_id=case.pk, transition="register")
    assert event.after["party_name"] == forged and event.after["facts"] == forged


def test_a_tampered_or_moved_value_is_refused_not_misread(org: Org, agency: Agency) -> None:
    case = open_case(agency, **PERSON)
    name = _raw("enforcement_enforcementcase", "party_name", case.pk)
    flipped = name[:-2] + ("A" if name[-2] != "A" else "B") + name[-1]
    with pytest.raises(FieldKeyError, match="无法通过校验"):
        decrypt(flipped, "enforcement.enforcementcase.party_name")
    # the ID number's ciphertext copied into the name column does not decrypt there
    number = _raw("enforcement_enforcementcase", "party_id_number", case.pk)
    with pytest.raises(FieldKeyError):
        decrypt(number, "enforcement.enforcementcase.party_name")
    # a key that is not in the key file
    with pytest.raises(FieldKeyError, match="不在密钥文件中"):
        decrypt(PREFIX + "k-gone$" + name.split("$", 2)[2], "enforcement.enforcementcase.party_name")
    assert decrypt(encrypt("张三", "x.y.z"), "x.y.z") == "张三"


def test_keys_init_rotate_and_retire(org: Org, agency: Agency, settings: Any, tmp_path: Path) -> None:
    before = open_case(agency, **PERSON)  # written under the development key, before the file exists
    assert field_keys_problems() and "不存在" in field_keys_problems()[0]
    settings.FAZHI_FIELD_KEYS_FILE = path = tmp_path / "keys" / "field-keys.json"
    out = io.StringIO()
    call_command("keys", "init", stdout=out)
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    ring = keyring()
    assert ring.current != DEV_KEY_ID and DEV_KEY_ID in ring.keys  # what was written stays readable
    assert "fazhi keys rotate" in out.getvalue()
    assert "开发密钥" in field_keys_problems()[0]
    assert _found(agency.clerk, "王小明") == {before.case_number}  # digests taken again under the new index key
    after = open_case(agency, party_name="李四", party_id_number="", party_phone="", party_address="")
    assert key_id_of(_raw("enforcement_enforcementcase", "party_name", after.pk)) == ring.current
    with pytest.raises(CommandError, match="仍有"):
        call_command("keys", "retire", DEV_KEY_ID)
    with pytest.raises(CommandError, match="当前密钥"):
        call_command("keys", "retire", ring.current)

    old = ring.current
    call_command("keys", "rotate", stdout=io.StringIO(), stderr=io.StringIO())
    new = keyring().current
    assert new != old
    usage = key_usage()
    assert usage[DEV_KEY_ID] == 0 and usage[old] == 0 and usage[new] > 0
    for pk in (before.pk, after.pk):
        assert key_id_of(_raw("enforcement_enforcementcase", "party_name", pk)) == new
    event = MatterEvent.objects.get(register="enforcement", object_id=before.pk, transition="register")
    assert f"{PREFIX}{new}$" in _event_json(event.pk, "after") and "王小明" not in _event_json(event.pk, "after")
    call_command("keys", "retire", DEV_KEY_ID, stdout=io.StringIO())
    call_command("keys", "retire", old, stdout=io.StringIO())
    assert set(keyring().keys) == {new} and field_keys_problems() == []
    # everything reads, is found and verifies under the new key alone
    assert EnforcementCase.objects.get(pk=before.pk).party_id_number == PERSON["party_id_number"]
    assert _found(agency.clerk, "李四") == {after.case_number}
    do(before, "notify", agency.clerk, notified_on=before.received_on, proposed_fine="500")
    _verifies()
    status = io.StringIO()
    call_command("keys", "status", stdout=status)
    assert f"{new}（当前）" in status.getvalue()
    with pytest.raises(CommandError, match="已存在"):
        call_command("keys", "init")
    call_command("keys", "init", "--if-missing")  # the install scripts: nothing to do


def test_values_written_before_encryption_are_read_and_then_encrypted(org: Org, agency: Agency) -> None:
    """An installation upgraded to encryption: its rows hold clear text until the migration
    writes them again (registers_reencrypt, as the migration runs it)."""
    case = open_case(agency, **PERSON)
    event = MatterEvent.objects.get(register="enforcement", object_id=case.pk, transition="register")
    plain_after = json.dumps({**event.after, **PERSON}, ensure_ascii=False)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE enforcement_enforcementcase SET party_name = %s WHERE id = %s", ["王小明", case.pk])
        with updates_lifted("framework_matterevent"):
            cast = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
            cursor.execute(f"UPDATE framework_matterevent SET after = {cast} WHERE id = %s", [plain_after, event.pk])
    assert EnforcementCase.objects.get(pk=case.pk).party_name == "王小明"  # clear text read as it is
    assert "王小明" in _event_json(event.pk, "after")
    written = registers_reencrypt()
    assert written["enforcement_enforcementcase"] >= 1 and written["framework_matterevent"] >= 1
    assert _raw("enforcement_enforcementcase", "party_name", case.pk).startswith(PREFIX)
    assert "王小明" not in _event_json(event.pk, "after")
    assert MatterEvent.objects.get(pk=event.pk).after["party_name"] == "王小明"
    _verifies()  # the leaves are of the values, not of their stored form
    # the events' table refuses UPDATE again once the re-encryption is done
    with pytest.raises(Exception, match=r"append-only|UPDATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE framework_matterevent SET note = 'x' WHERE id = %s", [event.pk])


def test_a_broken_key_file_is_named(settings: Any, tmp_path: Path) -> None:
    settings.FAZHI_FIELD_KEYS_FILE = path = tmp_path / "field-keys.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FieldKeyError, match="无法读取"):
        keyring()
    assert "无法读取" in field_keys_problems()[0]
    keyring_write(path, "k2", {"k1": new_key()}, new_key())
    with pytest.raises(FieldKeyError, match="格式不正确"):
        keyring()
