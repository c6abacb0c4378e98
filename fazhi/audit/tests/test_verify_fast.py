"""`audit verify` at hashing speed: the leaves read a batch at a time and verified as whole
subtrees, the matter events encoded again from their raw rows (orjson) with the model's fields
deciding every mismatch. Held here to what the leaf-by-leaf pass and the model's fields say."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from fazhi.audit import services
from fazhi.audit.models import AuditLeaf, Checkpoint, MerkleNode
from fazhi.audit.testing import append_only_bypass
from fazhi.core.fieldcrypt import keyring_forget, keyring_write
from fazhi.registers.framework.events import event_reencode, event_reencode_exact
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_transition

ACCEPT = {"accepted_on": "2025-09-30", "procedure": "ordinary"}


@pytest.fixture
def log(org: Any, make_case: Any) -> list[Any]:
    """13 leaves; checkpoints at 10 (inside the third batch of 4) and 13 (the last, partial batch)."""
    cases = [make_case(received_on=dt.date(2025, 9, 29)) for _ in range(7)]
    for case in cases[:3]:
        matter_transition(matter=case, transition="accept", actor=org.alice, data=ACCEPT)
    services.checkpoint_take()
    for case in cases[3:6]:
        matter_transition(matter=case, transition="accept", actor=org.alice, data=ACCEPT)
    services.checkpoint_take()
    assert sorted(Checkpoint.objects.values_list("size", flat=True)) == [10, 13]
    return cases


def raw_event_values(pk: int, column: str, text: str) -> None:
    """What an intruder writes straight into an event's JSON column (no model field encrypts it)."""
    append_only_bypass("framework_matterevent")
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cur:
        cur.execute(f"UPDATE framework_matterevent SET {connection.ops.quote_name(column)} = {cast} WHERE id = %s", [text, pk])


def stored_text(pk: int, column: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT CAST({connection.ops.quote_name(column)} AS text) FROM framework_matterevent WHERE id = %s", [pk])
        return str(cur.fetchone()[0])


def test_every_batch_size_verifies_what_the_leaf_by_leaf_pass_verifies(log: list[Any]) -> None:
    for batch in (1, 4):
        report = services.audit_verify(batch=batch, projections=False)
        assert report.ok, (batch, report.problems)
        assert (report.size, report.checkpoints_checked) == (13, 2)
    report = services.audit_verify()
    assert report.ok and (report.size, report.checkpoints_checked, report.rows_checked) == (13, 2, 7), report.problems


def test_a_node_inside_a_batch_one_above_it_a_leaf_and_a_checkpoint_are_found(log: list[Any]) -> None:
    append_only_bypass("audit_auditleaf", "audit_merklenode", "audit_checkpoint")
    MerkleNode.objects.filter(level=1, index=2).update(hash=b"\0" * 32)  # leaves 4-5: inside the second batch of 4
    MerkleNode.objects.filter(level=3, index=0).update(hash=b"\1" * 32)  # leaves 0-7: completed when that batch is pushed
    AuditLeaf.objects.filter(index=9).update(data=b'{"forged":true}')
    Checkpoint.objects.filter(size=10).update(root_hash=hashlib.sha256(b"forged").digest())
    for batch in (4, 1 << 14):
        problems = services.audit_verify(batch=batch, projections=False).problems
        for found in ("树节点 (1,2) 与叶子重算结果不符", "树节点 (3,0) 与叶子重算结果不符", "叶子 9 的哈希与其内容不符", "（大小 10）的根哈希与重算结果不符"):
            assert any(found in p for p in problems), (batch, found, problems)


def test_the_fast_encoding_of_the_events_is_the_exact_one(log: list[Any]) -> None:
    ids = list(MatterEvent.objects.order_by("pk").values_list("pk", flat=True))  # the first is a case's creation
    leaves = {sid: bytes(d) for sid, d in AuditLeaf.objects.filter(source="matter_event").values_list("source_id", "data")}
    assert stored_text(ids[0], "after").count("fz1$") >= 2  # the name and the ID number are stored encrypted
    assert event_reencode(ids) == event_reencode_exact(ids) == leaves


def test_text_that_looks_encrypted_where_nothing_is_is_left_to_the_exact_path(org: Any, make_case: Any) -> None:
    case = make_case(respondent_name="fz1$dev$not-a-ciphertext")  # typed by a clerk into a field never encrypted
    services.checkpoint_take()
    pk = MatterEvent.objects.get(object_id=case.pk, register="reconsideration").pk
    leaf = bytes(AuditLeaf.objects.get(source="matter_event", source_id=pk).data)
    assert event_reencode([pk]) == {pk: b""} and event_reencode_exact([pk]) == {pk: leaf}
    assert services.audit_verify().ok


def test_a_time_stored_without_microseconds_is_decided_by_the_exact_path(org: Any, make_case: Any) -> None:
    with time_machine.travel(dt.datetime(2025, 9, 29, 9, 30, tzinfo=dt.UTC), tick=False):
        case = make_case(received_on=dt.date(2025, 9, 29))
        services.checkpoint_take()
    pk = MatterEvent.objects.get(object_id=case.pk, register="reconsideration").pk
    leaf = bytes(AuditLeaf.objects.get(source="matter_event", source_id=pk).data)
    assert b'"occurred_at":"2025-09-29T09:30:00.000000Z"' in leaf
    assert event_reencode_exact([pk]) == {pk: leaf}
    assert services.audit_verify().ok


def test_a_ciphertext_changed_in_the_database_is_a_changed_row_not_a_crash(log: list[Any]) -> None:
    event = MatterEvent.objects.filter(transition="register").order_by("id").first()
    assert event is not None
    values = json.loads(stored_text(event.pk, "after"))
    values["applicant_name"] = values["applicant_name"][:-4] + ("AAAA" if not values["applicant_name"].endswith("AAAA") else "BBBB")
    raw_event_values(event.pk, "after", json.dumps(values))
    problems = services.audit_verify().problems
    assert any(f"记录 matter_event#{event.pk} 已被改动" in p for p in problems), problems
    assert any("台账记录与其事件的核对未能完成：个人信息的密文无法通过校验" in p for p in problems), problems


def test_a_key_missing_from_the_key_file_stops_the_command_with_a_clear_message(log: list[Any], settings: Any, tmp_path: Path) -> None:
    settings.FAZHI_FIELD_KEYS_FILE = tmp_path / "keys.json"
    keyring_write(settings.FAZHI_FIELD_KEYS_FILE, "k2", {"k2": b"k" * 32}, b"i" * 32)
    try:
        with pytest.raises(CommandError, match="不在密钥文件中"):
            call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())
    finally:
        keyring_forget()
