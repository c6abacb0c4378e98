"""Append to the log, take checkpoints, prove, verify."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from fazhi.audit import merkle
from fazhi.audit.models import AuditLeaf, Checkpoint, LogHead, MerkleNode

# Leaf sources: name -> function(ids) -> {id: canonical bytes recomputed from the source rows}.
# Each app that writes leaves registers one, so `audit verify` can check the rows themselves.
LeafSource = Callable[[list[int]], dict[int, bytes]]
LEAF_SOURCES: dict[str, LeafSource] = {}


def leaf_source_register(name: str, reencode: LeafSource) -> None:
    LEAF_SOURCES[name] = reencode


def _head_locked() -> LogHead:
    head, _ = LogHead.objects.get_or_create(pk=1)
    # Single writer: every append holds this row lock until its transaction commits, so two
    # transactions can never both extend the tree from the same size (no fork).
    return LogHead.objects.select_for_update().get(pk=1) if connection.vendor != "sqlite" else head


def audit_append(*, source: str, source_id: int, data: bytes) -> AuditLeaf:
    """Append one leaf. Must run inside the caller's transaction (the business write)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction that writes the event")
    return audit_append_many([(source, source_id, data)])[0]


def audit_append_many(items: list[tuple[str, int, bytes]]) -> list[AuditLeaf]:
    head = _head_locked()
    frontier = [(int(size), bytes.fromhex(h)) for size, h in head.frontier]
    now = timezone.now()
    leaves: list[AuditLeaf] = []
    nodes: list[MerkleNode] = []
    for source, source_id, data in items:
        lh = merkle.leaf_hash(data)
        index = head.size + len(leaves)
        for level, node_index, h in merkle.frontier_push(frontier, lh):
            if level > 0:
                nodes.append(MerkleNode(level=level, index=node_index, hash=h))
        leaves.append(AuditLeaf(index=index, source=source, source_id=source_id, data=data, leaf_hash=lh, appended_at=now))
    AuditLeaf.objects.bulk_create(leaves, batch_size=2000)
    MerkleNode.objects.bulk_create(nodes, batch_size=2000)
    head.size += len(leaves)
    head.frontier = [[size, h.hex()] for size, h in frontier]
    head.save(update_fields=["size", "frontier"])
    return leaves


def tree_root() -> tuple[int, bytes]:
    head = LogHead.objects.filter(pk=1).first()
    if head is None:
        return 0, merkle.EMPTY_ROOT
    return head.size, merkle.frontier_root([(int(s), bytes.fromhex(h)) for s, h in head.frontier])


@transaction.atomic
def checkpoint_take() -> Checkpoint:
    _head_locked()
    size, root = tree_root()
    last = Checkpoint.objects.order_by("-size").first()
    if last is not None and last.size == size:
        return last
    return Checkpoint.objects.create(size=size, root_hash=root, created_at=timezone.now())


class NodeStore:
    """MTH(D[start:end]) from stored perfect-subtree nodes (O(log n) lookups per range)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], bytes] = {}

    def _perfect(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._cache:
            if level == 0:
                row = AuditLeaf.objects.only("leaf_hash").get(index=index)
                self._cache[key] = bytes(row.leaf_hash)
            else:
                self._cache[key] = bytes(MerkleNode.objects.get(level=level, index=index).hash)
        return self._cache[key]

    def __call__(self, start: int, end: int) -> bytes:
        n = end - start
        if n <= 0:
            raise ValueError("empty range")
        if n & (n - 1) == 0 and start % n == 0:
            return self._perfect(n.bit_length() - 1, start // n)
        k = merkle.split_point(n)
        return merkle.node_hash(self(start, start + k), self(start + k, end))


def proof_inclusion(*, index: int, checkpoint: Checkpoint) -> dict[str, object]:
    store = NodeStore()
    proof = merkle.inclusion_proof(index, checkpoint.size, store)
    leaf = AuditLeaf.objects.get(index=index)
    merkle.verify_inclusion(index, checkpoint.size, bytes(leaf.leaf_hash), proof, bytes(checkpoint.root_hash))
    return {
        "leaf_index": index,
        "leaf_data": bytes(leaf.data).decode("utf-8"),
        "leaf_hash": bytes(leaf.leaf_hash).hex(),
        "tree_size": checkpoint.size,
        "root_hash": bytes(checkpoint.root_hash).hex(),
        "checkpoint": checkpoint.as_dict(),
        "audit_path": [h.hex() for h in proof],
        "verified": True,
    }


def proof_consistency(*, old: Checkpoint, new: Checkpoint) -> dict[str, object]:
    proof = merkle.consistency_proof(old.size, new.size, NodeStore())
    merkle.verify_consistency(old.size, new.size, bytes(old.root_hash), bytes(new.root_hash), proof)
    return {
        "old": old.as_dict(),
        "new": new.as_dict(),
        "consistency_path": [h.hex() for h in proof],
        "verified": True,
    }


@dataclass
class VerifyReport:
    size: int = 0
    checkpoints_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _batched_leaves(batch: int) -> Iterator[list[AuditLeaf]]:
    last = -1
    while True:
        rows = list(AuditLeaf.objects.filter(index__gt=last).order_by("index")[:batch])
        if not rows:
            return
        yield rows
        last = rows[-1].index


def audit_verify(*, batch: int = 5000, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Recompute the whole log from its leaves and its sources; compare with every checkpoint.

    Detects: a changed byte in a source row (re-encoding differs from the leaf), in a leaf
    (its hash), or in a stored node; a removed, inserted or reordered leaf (indexes not
    contiguous, or roots that no longer match the checkpoints taken earlier).
    """
    report = VerifyReport()
    checkpoints = {c.size: c for c in Checkpoint.objects.all()}
    stored_nodes = {(n.level, n.index): bytes(n.hash) for n in MerkleNode.objects.all().iterator(chunk_size=10000)}
    frontier: list[tuple[int, bytes]] = []
    expected = 0
    if 0 in checkpoints:
        report.checkpoints_checked += 1
    for rows in _batched_leaves(batch):
        by_source: dict[str, list[AuditLeaf]] = {}
        for leaf in rows:
            if leaf.index != expected:
                report.problems.append(f"叶子序号不连续：期望 {expected}，实际 {leaf.index}（有叶子被删除或插入）")
                expected = leaf.index
            data = bytes(leaf.data)
            if merkle.leaf_hash(data) != bytes(leaf.leaf_hash):
                report.problems.append(f"叶子 {leaf.index} 的哈希与其内容不符（内容被改动）")
            by_source.setdefault(leaf.source, []).append(leaf)
            for level, idx, h in merkle.frontier_push(frontier, merkle.leaf_hash(data)):
                if level > 0 and stored_nodes.get((level, idx)) != h:
                    report.problems.append(f"树节点 ({level},{idx}) 与叶子重算结果不符")
            expected += 1
            if expected in checkpoints:
                if merkle.frontier_root(frontier) != bytes(checkpoints[expected].root_hash):
                    report.problems.append(f"检查点 #{checkpoints[expected].pk}（大小 {expected}）的根哈希与重算结果不符")
                report.checkpoints_checked += 1
        for source, leaves in by_source.items():
            reencode = LEAF_SOURCES.get(source)
            if reencode is None:
                report.problems.append(f"未知的叶子来源 {source}")
                continue
            fresh = reencode([leaf.source_id for leaf in leaves])
            for leaf in leaves:
                now = fresh.get(leaf.source_id)
                if now is None:
                    report.problems.append(f"叶子 {leaf.index} 对应的记录 {source}#{leaf.source_id} 已不存在")
                elif now != bytes(leaf.data):
                    report.problems.append(f"记录 {source}#{leaf.source_id} 已被改动，与叶子 {leaf.index} 不符")
        if progress:
            progress(len(rows))
    report.size = expected
    head_size, head_root = tree_root()
    if head_size != expected:
        report.problems.append(f"日志头记录的大小 {head_size} 与叶子数 {expected} 不符")
    elif merkle.frontier_root(frontier) != head_root:
        report.problems.append("日志头的根哈希与重算结果不符")
    for size in checkpoints:
        if size > expected:
            report.problems.append(f"检查点大小 {size} 超过现有叶子数 {expected}（有叶子被删除）")
    if not checkpoints:
        report.problems.append("尚无检查点：请先执行 fazhi audit checkpoint")
    return report
