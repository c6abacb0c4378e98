"""The log in the database: appends, checkpoints, proofs, verification, tamper detection."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from fazhi.audit import merkle, services
from fazhi.audit.models import AuditLeaf, Checkpoint
from fazhi.audit.testing import append_only_bypass
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_transition


def bypass_append_only(table: str) -> None:
    """What an attacker with database access would do first: switch the guard off."""
    append_only_bypass(table)


@pytest.fixture
def history(org: Any, make_case: Any) -> list[Any]:
    cases = [make_case(received_on=__import__("datetime").date(2025, 9, 29)) for _ in range(5)]
    for case in cases[:3]:
        matter_transition(matter=case, transition="accept", actor=org.alice, data={"accepted_on": "2025-09-30", "procedure": "ordinary"})
    services.checkpoint_take()
    matter_transition(matter=cases[3], transition="accept", actor=org.alice, data={"accepted_on": "2025-09-30", "procedure": "ordinary"})
    services.checkpoint_take()
    return cases


def test_every_event_is_a_leaf_and_verify_passes(history: list[Any]) -> None:
    assert AuditLeaf.objects.count() == MatterEvent.objects.count() == 9
    report = services.audit_verify()
    assert report.ok, report.problems
    assert report.size == 9
    assert report.checkpoints_checked == 2


def test_the_root_equals_the_reference_over_the_leaf_data(history: list[Any]) -> None:
    from fazhi.audit.tests.test_merkle import ref_mth

    data = [bytes(x) for x in AuditLeaf.objects.order_by("index").values_list("data", flat=True)]
    size, root = services.tree_root()
    assert size == len(data) and root == ref_mth(data)


def test_a_changed_byte_in_a_stored_event_is_detected(history: list[Any]) -> None:
    bypass_append_only("framework_matterevent")
    event = MatterEvent.objects.order_by("id")[2]
    MatterEvent.objects.filter(pk=event.pk).update(note=event.note + "x")
    report = services.audit_verify()
    assert not report.ok
    assert any(f"matter_event#{event.pk}" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())


def test_a_changed_leaf_is_detected(history: list[Any]) -> None:
    bypass_append_only("audit_auditleaf")
    leaf = AuditLeaf.objects.get(index=4)
    data = bytearray(bytes(leaf.data))
    data[10] ^= 1
    AuditLeaf.objects.filter(index=4).update(data=bytes(data), leaf_hash=merkle.leaf_hash(bytes(data)))
    report = services.audit_verify()
    assert any("叶子 4" in p or "检查点" in p for p in report.problems)


def test_a_removed_leaf_and_its_event_are_detected(history: list[Any]) -> None:
    bypass_append_only("audit_auditleaf")
    if connection.vendor == "sqlite":
        bypass_append_only("framework_matterevent")
    last = AuditLeaf.objects.order_by("-index").first()
    assert last is not None
    MatterEvent.objects.filter(pk=last.source_id).delete()
    AuditLeaf.objects.filter(index=last.index).delete()
    report = services.audit_verify()
    assert not report.ok


def test_reordered_leaves_are_detected(history: list[Any]) -> None:
    bypass_append_only("audit_auditleaf")
    a, b = AuditLeaf.objects.get(index=1), AuditLeaf.objects.get(index=2)
    AuditLeaf.objects.filter(index=1).update(data=bytes(b.data), leaf_hash=bytes(b.leaf_hash), source_id=-1)
    AuditLeaf.objects.filter(index=2).update(data=bytes(a.data), leaf_hash=bytes(a.leaf_hash), source_id=a.source_id)
    AuditLeaf.objects.filter(index=1).update(source_id=b.source_id)
    report = services.audit_verify()
    assert any("检查点" in p for p in report.problems)


def test_the_database_refuses_to_update_log_rows(history: list[Any]) -> None:
    for model in (AuditLeaf, MatterEvent):
        with pytest.raises(DatabaseError), transaction.atomic():
            model.objects.filter(pk=model.objects.order_by("pk").first().pk).update(**({"source": "x"} if model is AuditLeaf else {"note": "x"}))


def test_prove_prints_a_verified_inclusion_proof(history: list[Any]) -> None:
    event = MatterEvent.objects.order_by("id")[3]
    out = StringIO()
    call_command("audit", "prove", str(event.pk), stdout=out)
    proof = json.loads(out.getvalue())
    assert proof["verified"] is True and proof["event_id"] == event.pk
    leaf = merkle.leaf_hash(proof["leaf_data"].encode("utf-8"))
    merkle.verify_inclusion(proof["leaf_index"], proof["tree_size"], leaf, [bytes.fromhex(h) for h in proof["audit_path"]], bytes.fromhex(proof["root_hash"]))


def test_consistency_between_two_checkpoints(history: list[Any]) -> None:
    old, new = Checkpoint.objects.order_by("size")
    out = StringIO()
    call_command("audit", "consistency", str(old.pk), str(new.pk), stdout=out)
    proof = json.loads(out.getvalue())
    merkle.verify_consistency(old.size, new.size, bytes(old.root_hash), bytes(new.root_hash), [bytes.fromhex(h) for h in proof["consistency_path"]])
    with pytest.raises(CommandError):
        call_command("audit", "consistency", str(new.pk), str(old.pk), stdout=StringIO())


def test_append_outside_a_transaction_is_refused(transactional_db: Any) -> None:
    with pytest.raises(RuntimeError):
        services.audit_append(source="matter_event", source_id=1, data=b"{}")


def test_leaves_carry_no_personal_data_but_still_bind_it(history: list[Any]) -> None:
    event = MatterEvent.objects.filter(transition="register").order_by("id").first()
    assert event is not None and event.after["applicant_name"] == "张三"
    leaf = AuditLeaf.objects.get(source="matter_event", source_id=event.pk)
    data = bytes(leaf.data).decode("utf-8")
    assert "张三" not in data and "420102198001011234" not in data
    assert "hmac-sha256:" in data and "东湖区市场监督管理局" in data  # a unit is not a natural person
    bypass_append_only("framework_matterevent")
    MatterEvent.objects.filter(pk=event.pk).update(after={**event.after, "applicant_name": "李四"})
    assert any(f"matter_event#{event.pk}" in p for p in services.audit_verify().problems)
