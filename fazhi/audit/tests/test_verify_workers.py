"""`audit verify --workers N`: the log cut into stretches verified by forked processes finds what
the single pass finds (the processes read committed data: transactional tests)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from fazhi.audit import services
from fazhi.audit.models import AuditLeaf, MerkleNode
from fazhi.audit.testing import append_only_bypassed
from fazhi.registers.framework import projection
from fazhi.registers.framework.services import matter_transition
from fazhi.registers.reconsideration.models import ReconsiderationCase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log(org: Any, make_case: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """30 leaves, checkpoints at 7 and 30; stretches of 8 leaves instead of 4,096."""
    monkeypatch.setattr(services, "MIN_SPAN_BITS", 3)
    cases = [make_case(received_on=dt.date(2025, 9, 29)) for _ in range(20)]
    for case in cases[:7]:
        matter_transition(matter=case, transition="accept", actor=org.alice, data={"accepted_on": "2025-09-30", "procedure": "ordinary"})
    services.checkpoint_take()  # 27 leaves
    for case in cases[7:10]:
        matter_transition(matter=case, transition="accept", actor=org.alice, data={"accepted_on": "2025-09-30", "procedure": "ordinary"})
    services.checkpoint_take()
    return AuditLeaf.objects.count()


def test_the_processes_verify_what_the_single_pass_verifies(log: int) -> None:
    single, parallel = services.audit_verify(), services.audit_verify(workers=2)
    assert single.ok and parallel.ok, (single.problems, parallel.problems)
    assert (parallel.size, parallel.checkpoints_checked, parallel.rows_checked) == (single.size, single.checkpoints_checked, single.rows_checked) == (30, 2, 20)
    out = StringIO()
    call_command("audit", "verify", "--workers", "2", stdout=out, stderr=StringIO())
    assert "校验通过" in out.getvalue()


def test_the_processes_find_a_changed_leaf_node_and_row_and_a_removed_leaf(log: int) -> None:
    with append_only_bypassed("audit_auditleaf", "audit_merklenode"):
        AuditLeaf.objects.filter(index=20).update(data=b'{"forged": true}')  # inside the third stretch
        MerkleNode.objects.filter(level=3, index=1).update(hash=b"\0" * 32)  # leaves 8-15, the second stretch
        AuditLeaf.objects.filter(index=5).delete()  # the first stretch
    single, parallel = services.audit_verify(), services.audit_verify(workers=2)
    # a removed leaf shifts the single pass's tree for every later leaf (a cascade of nodes that no
    # longer match); the stretches keep it to the first one. Each change is found by both.
    for found in ("叶子 20 的哈希与其内容不符", "树节点 (3,1) 与叶子重算结果不符", "期望 5，实际 6"):
        assert any(found in p for p in single.problems), found
        assert any(found in p for p in parallel.problems), found


def test_the_guards_are_back_after_the_intruder(log: int) -> None:
    with append_only_bypassed("audit_auditleaf"):
        AuditLeaf.objects.filter(index=1).update(data=b"x")
    with pytest.raises(DatabaseError):
        AuditLeaf.objects.filter(index=2).update(data=b"y")


def test_the_rows_checked_in_parts_find_what_the_single_pass_finds(log: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The matters cut into ranges of 3 keys (20 cases: 7 parts of this register, the first open
    below, the last open above): a changed row, a deleted row and the last row's deletion are
    each found once, by one process or two."""
    monkeypatch.setattr(projection, "PART_SPAN", 3)
    parts = [p for p in projection.matters_parts() if p[0] == "reconsideration"]
    assert len(parts) == 7 and parts[0][1] is None and parts[-1][2] is None
    ids = list(ReconsiderationCase.objects.order_by("pk").values_list("pk", flat=True))
    changed = ReconsiderationCase.objects.get(pk=ids[4])
    ReconsiderationCase.objects.filter(pk=changed.pk).update(state="closed")
    ReconsiderationCase.objects.filter(pk__in=[ids[9], ids[-1]]).delete()
    single, parallel = services.audit_verify(), services.audit_verify(workers=2)
    assert single.rows_checked == parallel.rows_checked == 18
    for found in (f"{changed.case_number}：状态", f"记录 #{ids[9]} 已被删除", f"记录 #{ids[-1]} 已被删除"):
        assert sum(found in p for p in single.problems) == 1, (found, single.problems)
        assert sum(found in p for p in parallel.problems) == 1, (found, parallel.problems)
