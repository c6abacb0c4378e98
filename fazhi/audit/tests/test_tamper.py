"""The five attacks a probe got past `audit verify`, each now detected.

A changed row and a deleted row are found by replaying the events (the rows are a checked
projection of the log). The three attacks of someone who rewrites the log consistently inside the
database (an event rewritten with its leaf and a rebuilt tree and checkpoints; a deletion with
renumbering; a truncated tail) pass every check the database alone allows; they are found against
a signed checkpoint held outside it (the witness directory).
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from fazhi.audit import merkle, services, signing
from fazhi.audit.models import AuditLeaf, Checkpoint, LogHead, MerkleNode
from fazhi.audit.testing import append_only_bypass
from fazhi.registers.framework.clocks import matter_refresh_due
from fazhi.registers.framework.events import event_leaf_bytes
from fazhi.registers.framework.models import MatterEvent
from fazhi.registers.framework.services import matter_transition
from fazhi.registers.reconsideration.models import ReconsiderationCase

LOG_TABLES = ["audit_auditleaf", "audit_merklenode", "audit_checkpoint", "framework_matterevent"]


@pytest.fixture
def key(tmp_path: Path, settings: Any) -> Path:
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "keys" / "checkpoint.pem"
    settings.FAZHI_WITNESS_DIR = tmp_path / "witness"
    call_command("audit", "keygen", stdout=StringIO())
    return Path(settings.FAZHI_WITNESS_DIR)


@pytest.fixture
def log(org: Any, make_case: Any, key: Path, django_capture_on_commit_callbacks: Any) -> list[Any]:
    """Six cases, some accepted; a signed checkpoint copied to the witness directory."""
    cases = [make_case(received_on=dt.date(2025, 9, 29)) for _ in range(6)]
    for case in cases[:4]:
        matter_transition(matter=case, transition="accept", actor=org.alice, data={"accepted_on": "2025-09-30", "procedure": "ordinary"})
    with django_capture_on_commit_callbacks(execute=True):
        services.checkpoint_take()
    assert (key / "latest.checkpoint").is_file()
    return cases


def guards_off() -> None:
    """What an attacker with database access does first: switch the append-only guards off."""
    append_only_bypass(*LOG_TABLES)


def rebuild_everything() -> None:
    """The attacker's consistent rewrite: leaf hashes, the whole tree, the head and the checkpoints
    recomputed from the (tampered) leaves; the checkpoints left unsigned (no key in the database)."""
    MerkleNode.objects.all().delete()
    frontier: list[tuple[int, bytes]] = []
    nodes = []
    roots = {}
    for leaf in AuditLeaf.objects.order_by("index"):
        h = merkle.leaf_hash(bytes(leaf.data))
        AuditLeaf.objects.filter(index=leaf.index).update(leaf_hash=h)
        for level, idx, node in merkle.frontier_push(frontier, h):
            if level > 0:
                nodes.append(MerkleNode(level=level, index=idx, hash=node))
        roots[sum(s for s, _ in frontier)] = merkle.frontier_root(frontier)
    MerkleNode.objects.bulk_create(nodes)
    size = sum(s for s, _ in frontier)
    LogHead.objects.filter(pk=1).update(size=size, frontier=[[s, h.hex()] for s, h in frontier])
    old = list(Checkpoint.objects.order_by("size"))
    Checkpoint.objects.all().delete()
    for cp in old:
        if cp.size <= size:
            Checkpoint.objects.create(size=cp.size, root_hash=roots.get(cp.size, merkle.EMPTY_ROOT), created_at=cp.created_at, note="")


def verify_inside() -> services.VerifyReport:
    return services.audit_verify()


def verify_against(witness: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--against", str(witness), stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_the_untouched_log_verifies_against_its_witness(log: list[Any], key: Path) -> None:
    out = StringIO()
    call_command("audit", "verify", "--against", str(key), stdout=out, stderr=StringIO())
    assert "校验通过" in out.getvalue() and "1 个库外检查点一致" in out.getvalue() and "6 条台账记录与其事件相符" in out.getvalue()


def test_attack_1_a_row_changed_in_the_database_is_detected(log: list[Any]) -> None:
    case = log[0]
    ReconsiderationCase.objects.filter(pk=case.pk).update(applicant_name="王五", respondent_name="另一机关")
    problems = verify_inside().problems
    wrong = [p for p in problems if case.case_number in p]
    assert len(wrong) == 1 and "申请人、被申请人 与其事件记录不符" in wrong[0]
    assert "王五" not in wrong[0]  # field names only: never a personal value in the output


def test_attack_1b_a_state_moved_without_a_step_is_detected(log: list[Any]) -> None:
    case = log[5]
    ReconsiderationCase.objects.filter(pk=case.pk).update(state="accepted")
    assert any(case.case_number in p and "状态" in p for p in verify_inside().problems)


def test_attack_2_a_deleted_row_is_detected(log: list[Any]) -> None:
    case = log[1]
    ReconsiderationCase.objects.filter(pk=case.pk).delete()
    assert any(f"#{case.pk} 已被删除" in p for p in verify_inside().problems)


def test_a_row_written_without_any_step_is_detected(log: list[Any]) -> None:
    forged = ReconsiderationCase.objects.get(pk=log[2].pk)
    forged.pk = None
    forged.case_number = "东复〔2025〕999号"
    forged.save()
    assert any("东复〔2025〕999号 没有任何事件" in p for p in verify_inside().problems)


def test_attack_3_an_event_rewritten_with_its_tree_and_checkpoints_rebuilt(log: list[Any], key: Path) -> None:
    guards_off()
    event = MatterEvent.objects.filter(transition="register").order_by("id").first()
    assert event is not None
    MatterEvent.objects.filter(pk=event.pk).update(after={**event.after, "respondent_name": "另一机关"})
    ReconsiderationCase.objects.filter(pk=event.object_id).update(respondent_name="另一机关")  # the row too: consistent
    event.refresh_from_db()
    AuditLeaf.objects.filter(source="matter_event", source_id=event.pk).update(data=event_leaf_bytes(event))
    rebuild_everything()
    assert verify_inside().ok  # the rewrite is consistent: nothing inside the database shows it
    assert "与日志不符" in verify_against(key)


def test_attack_4_a_deletion_with_renumbering(log: list[Any], key: Path, make_case: Any) -> None:
    guards_off()
    victim = log[4]  # registered, never accepted: one event, one leaf
    leaf = AuditLeaf.objects.get(source="matter_event", source_id=MatterEvent.objects.get(object_id=victim.pk, register="reconsideration").pk)
    MatterEvent.objects.filter(object_id=victim.pk, register="reconsideration").delete()
    ReconsiderationCase.objects.filter(pk=victim.pk).delete()
    AuditLeaf.objects.filter(index=leaf.index).delete()
    later = list(AuditLeaf.objects.filter(index__gt=leaf.index).order_by("index").values_list("index", flat=True))
    for i in later:  # close the gap
        AuditLeaf.objects.filter(index=i).update(index=i - 1)
    rebuild_everything()
    services.checkpoint_take()  # the old checkpoint was larger than the log now is: a fresh one
    make_case(received_on=dt.date(2025, 10, 8))  # and the log grows on: back to the witnessed size
    assert AuditLeaf.objects.count() == 10
    assert verify_inside().ok
    assert "与日志不符" in verify_against(key)


def test_attack_5_a_truncated_tail(log: list[Any], key: Path) -> None:
    guards_off()
    last = AuditLeaf.objects.order_by("-index").first()
    assert last is not None
    event = MatterEvent.objects.get(pk=last.source_id)
    # undo the step on the row too, so that the database stays consistent
    ReconsiderationCase.objects.filter(pk=event.object_id).update(state=event.state_before, **event.before)
    MatterEvent.objects.filter(pk=event.pk).delete()
    AuditLeaf.objects.filter(index=last.index).delete()
    matter_refresh_due(ReconsiderationCase.objects.get(pk=event.object_id))  # and its clock caches, with the engine's own code
    rebuild_everything()
    Checkpoint.objects.all().delete()
    services.checkpoint_take()
    assert verify_inside().ok
    assert "尾部被截断" in verify_against(key)


def test_a_forged_or_foreign_checkpoint_file_is_refused(log: list[Any], key: Path, tmp_path: Path) -> None:
    text = (key / "latest.checkpoint").read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[1] = str(int(lines[1]) + 1)
    forged = tmp_path / "forged.checkpoint"
    forged.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match="签名无效"):
        call_command("audit", "verify", "--against", str(forged), stdout=StringIO(), stderr=StringIO())
    other = tmp_path / "other.pem"
    signing.key_generate(other)
    from cryptography.hazmat.primitives import serialization

    public = (
        serialization.load_pem_private_key(other.read_bytes(), None)
        .public_key()
        .public_bytes(  # type: ignore[union-attr]
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    )
    name = signing.key_name()
    foreign = f"{name}+{signing.key_id(name, public).hex()}+" + __import__("base64").b64encode(b"\x01" + public).decode()
    with pytest.raises(CommandError, match="另一把密钥"):
        call_command("audit", "verify", "--against", str(key), "--key", foreign, stdout=StringIO(), stderr=StringIO())


def test_a_checkpoint_changed_in_the_database_breaks_its_signature(log: list[Any]) -> None:
    guards_off()
    cp = Checkpoint.objects.get()
    Checkpoint.objects.filter(pk=cp.pk).update(size=cp.size - 1)
    assert any("与其签名不符" in p for p in verify_inside().problems)


def test_the_note_is_a_c2sp_checkpoint_a_third_party_can_check(log: list[Any], key: Path) -> None:
    """Checked here with nothing but the published verifier key and the Ed25519 primitive."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = (key / "latest.checkpoint").read_text(encoding="utf-8")
    body, _, sig_line = text.partition("\n\n")
    origin, size, root = body.split("\n")[:3]
    size_db, root_db = services.tree_root()
    assert origin == "fazhi.local/log" and int(size) == size_db and base64.b64decode(root) == root_db
    name, hexid, pub = signing.verifier_key().split("+", 2)  # type: ignore[union-attr]
    dash, signer, blob = sig_line.strip().split(" ")
    raw = base64.b64decode(blob)
    assert dash == "—" and signer == name and raw[:4].hex() == hexid
    Ed25519PublicKey.from_public_bytes(base64.b64decode(pub)[1:]).verify(raw[4:], (body + "\n").encode())


def test_the_first_write_of_a_day_checkpoints_the_day_before(org: Any, make_case: Any, key: Path, django_capture_on_commit_callbacks: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        make_case(received_on=dt.date(2026, 3, 2))
        make_case(received_on=dt.date(2026, 3, 2))
    assert not Checkpoint.objects.exists()
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC), tick=False), django_capture_on_commit_callbacks(execute=True):
        make_case(received_on=dt.date(2026, 3, 3))
    cp = Checkpoint.objects.get()
    assert cp.size == 2 and cp.note and (key / f"{2:012d}.checkpoint").is_file()
    assert services.audit_verify().ok


@pytest.mark.parametrize("model", [AuditLeaf, MatterEvent, Checkpoint])
def test_both_databases_refuse_deleting_log_rows(log: list[Any], model: Any) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pk=model.objects.order_by("pk").first().pk).delete()
    assert AuditLeaf.objects.count() == MatterEvent.objects.count() == 10


def test_the_portal_publishes_the_signed_checkpoints_for_anyone(log: list[Any], client: Any) -> None:
    page = client.get("/gongkai/rizhi/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "包含 10 条记录" in html and "记录校验" in html
    plain = html.split("<details")[0]
    assert not __import__("re").search(r"[0-9a-f]{40}|[A-Za-z0-9+/]{43}=", plain)  # hashes and keys only behind 技术信息
    note = client.get("/gongkai/rizhi/10.checkpoint")
    assert note.status_code == 200 and note["Content-Disposition"].endswith('000000000010.checkpoint"')
    assert signing.note_verify(note.content.decode(), client.get("/gongkai/rizhi/gongyao.txt").content.decode()).size == 10
    assert client.get("/gongkai/rizhi/11.checkpoint").status_code == 404


def test_a_deadline_turned_from_late_to_kept_in_the_row_is_detected(log: list[Any]) -> None:
    """The on-time rates count `deadlines`: a row edited to say a deadline was kept is found."""
    case = ReconsiderationCase.objects.get(pk=log[0].pk)
    assert case.deadlines == {}  # accepted, not decided: no deadline has stopped yet
    ReconsiderationCase.objects.filter(pk=case.pk).update(deadlines={"reconsideration.decision": "met"})
    assert any(case.case_number in p and "期限遵守情况" in p for p in verify_inside().problems)
    ReconsiderationCase.objects.filter(pk=case.pk).update(deadlines=case.deadlines, due_on=dt.date(2030, 1, 1))
    assert any(case.case_number in p and "当前期限" in p for p in verify_inside().problems)


def test_an_unsigned_checkpoint_after_signed_ones_is_reported(log: list[Any], make_case: Any, settings: Any, tmp_path: Path) -> None:
    """Someone without the key can add checkpoints, not sign them: one appearing after the log was
    signed is a replaced or forged checkpoint."""
    make_case(received_on=dt.date(2025, 10, 9))
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "absent.pem"  # taken by a process without the key
    services.checkpoint_take()
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "keys" / "checkpoint.pem"
    assert any("没有签名，而此前的检查点已签名" in p for p in verify_inside().problems)


def test_verify_since_a_checkpoint_checks_only_what_came_after_and_still_catches_a_change(org: Any, log: list[Any], make_case: Any) -> None:
    """`audit verify --since N`: the tree at checkpoint N is read from the stored subtree hashes
    and must give its root; the leaves appended after it are checked as a full run checks them."""
    first = Checkpoint.objects.order_by("size").last()
    assert first is not None
    later = [make_case(received_on=dt.date(2025, 10, 8)) for _ in range(5)]
    matter_transition(matter=later[0], transition="accept", actor=org.alice, data={"accepted_on": "2025-10-09", "procedure": "ordinary"})
    services.checkpoint_take()
    out = StringIO()
    call_command("audit", "verify", "--since", str(first.pk), stdout=out, stderr=StringIO())
    size = AuditLeaf.objects.count()
    assert f"检查点 #{first.pk}（{first.size} 个叶子）之后的 {size - first.size} 个叶子" in out.getvalue()
    report = services.audit_verify(since=first)
    assert report.ok and report.size == size and report.checkpoints_checked == 2 and report.rows_checked == 0
    # an event after the checkpoint changed behind the services' back: found from the checkpoint on
    guards_off()
    event = MatterEvent.objects.filter(object_id=later[0].pk, transition="accept").get()
    MatterEvent.objects.filter(pk=event.pk).update(note="改过")
    report = services.audit_verify(since=first)
    assert any(f"matter_event#{event.pk}" in p for p in report.problems), report.problems
    # a stored subtree hash under the checkpoint altered: the checkpoint no longer gives its root
    node = MerkleNode.objects.filter(index=0, level__lte=first.size.bit_length() - 1).order_by("-level").first()
    assert node is not None and (1 << node.level) <= first.size  # the largest subtree of the checkpoint's tree
    MerkleNode.objects.filter(pk=node.pk).update(hash=b"\0" * 32)
    report = services.audit_verify(since=first)
    assert any("与存储的树节点不符" in p for p in report.problems), report.problems
    with pytest.raises(CommandError, match="没有编号为 999 的检查点"):
        call_command("audit", "verify", "--since", "999", stdout=StringIO(), stderr=StringIO())


def test_a_key_rotation_keeps_the_old_checkpoints_verifiable_and_refuses_the_old_key_afterwards(
    log: list[Any], key: Path, make_case: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """`fazhi audit rotate-key`: the tree as it stands is signed by the old key, then by the new
    one; the old checkpoints (and witness files) still verify through the kept public half; a
    checkpoint the old key signs for a later tree (a leaked retired key) is reported."""
    first = Checkpoint.objects.get()
    assert services.checkpoint_take().pk == first.pk  # nothing appended: the same checkpoint
    make_case(received_on=dt.date(2025, 10, 9))
    leaked = tmp_path / "leaked.pem"
    leaked.write_bytes(Path(settings.FAZHI_CHECKPOINT_KEY_FILE).read_bytes())
    old_verifier = signing.verifier_key()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit", "rotate-key", stdout=out)
    new_verifier = signing.verifier_key()
    assert new_verifier and new_verifier != old_verifier and new_verifier in out.getvalue()
    last_old, first_new = Checkpoint.objects.order_by("-size", "-pk")[1], Checkpoint.objects.order_by("-size", "-pk")[0]
    assert last_old.size == first_new.size == AuditLeaf.objects.count() > first.size
    assert bytes(last_old.root_hash) == bytes(first_new.root_hash)
    assert signing.note_verify(first_new.note, new_verifier).size == first_new.size
    with pytest.raises(signing.NoteError, match="另一把密钥"):
        signing.note_verify(last_old.note, new_verifier)  # a third party holding only the new key
    assert signing.note_verify(last_old.note).size == last_old.size  # the site: its retired key too
    assert (key / "latest.checkpoint").read_text(encoding="utf-8") == first_new.note
    assert services.checkpoint_take().pk == first_new.pk  # reused from then on
    # the whole log, and the witness directory, still verify after the rotation
    assert services.audit_verify().ok
    call_command("audit", "verify", "--against", str(key), stdout=StringIO(), stderr=StringIO())
    # the retired key signing a later tree: not accepted
    make_case(received_on=dt.date(2025, 10, 10))
    later = services.checkpoint_take()
    assert later.size > first_new.size and signing.note_verify(later.note).size == later.size
    settings.FAZHI_CHECKPOINT_KEY_FILE = leaked
    forged_note = signing.note_sign(size=later.size, root=bytes(later.root_hash), taken_at=later.created_at)
    settings.FAZHI_CHECKPOINT_KEY_FILE = Path(str(tmp_path / "keys" / "checkpoint.pem"))
    assert forged_note
    with pytest.raises(signing.NoteError, match="已停用的密钥"):
        signing.note_verify(forged_note)
    guards_off()
    Checkpoint.objects.filter(pk=later.pk).update(note=forged_note)
    assert any("已停用的密钥" in p for p in services.audit_verify().problems)


def test_rotate_key_without_a_key_says_so(org: Any, settings: Any, tmp_path: Path) -> None:
    settings.FAZHI_CHECKPOINT_KEY_FILE = tmp_path / "absent.pem"
    with pytest.raises(CommandError, match="尚未配置签名密钥"):
        call_command("audit", "rotate-key", stdout=StringIO())
