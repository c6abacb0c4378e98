"""Append to the log, take checkpoints, prove, verify."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from fazhi.audit import merkle, signing
from fazhi.audit.models import AuditLeaf, Checkpoint, LogHead, MerkleNode
from fazhi.core.bulkrows import rows_insert
from fazhi.core.fieldcrypt import FieldKeyError, FieldKeyMissing

# Leaf sources: name -> function(ids) -> {id: canonical bytes recomputed from the source rows}.
# Each app that writes leaves registers one, so `audit verify` can check the rows themselves.
LeafSource = Callable[[list[int]], dict[int, bytes]]
LEAF_SOURCES: dict[str, LeafSource] = {}
# A source whose ``reencode`` is a fast path may name the exact one (through its models' fields):
# asked again about every row the fast path does not match, it decides.
LEAF_SOURCES_EXACT: dict[str, LeafSource] = {}


def leaf_source_register(name: str, reencode: LeafSource, *, exact: LeafSource | None = None) -> None:
    LEAF_SOURCES[name] = reencode
    if exact is not None:
        LEAF_SOURCES_EXACT[name] = exact


# Projection checks: name -> function(progress) -> (rows checked, problems). The records users
# see (a register's matters) are rebuilt from the events the log protects and compared with
# their rows, so a row changed or deleted in the database is found, not only a changed event.
ProjectionCheck = Callable[[Callable[[int], None] | None], tuple[int, list[str]]]
PROJECTION_CHECKS: dict[str, tuple[ProjectionCheck, Callable[[], int]]] = {}
# A check that cuts into parts (picklable descriptions, each checked on its own, together the
# whole check): `audit_verify(workers=N)` checks the parts in N processes.
ProjectionParts = tuple[Callable[[], list[Any]], Callable[[Any], tuple[int, list[str]]]]
PROJECTION_PARTS: dict[str, ProjectionParts] = {}


def projection_check_register(name: str, check: ProjectionCheck, count: Callable[[], int], *, parts: ProjectionParts | None = None) -> None:
    PROJECTION_CHECKS[name] = (check, count)
    if parts is not None:
        PROJECTION_PARTS[name] = parts


def _head_locked() -> LogHead:
    head, _ = LogHead.objects.get_or_create(pk=1)
    # Single writer: every append holds this row lock until its transaction commits, so two
    # transactions can never both extend the tree from the same size (no fork).
    return LogHead.objects.select_for_update().get(pk=1) if connection.vendor != "sqlite" else head


def audit_append(*, source: str, source_id: int, data: bytes) -> int:
    """Append one leaf; its index. Must run inside the caller's transaction (the business write)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction that writes the event")
    return audit_append_many([(source, source_id, data)]).start


STAGE = "audit_leaf_stage"


def audit_leaves_stage(items: list[tuple[str, int, bytes]], hashes: list[bytes]) -> bool:
    """PostgreSQL: a batch of leaves copied, in the caller's transaction, into a temporary table
    before the log's head is taken (their positions not yet known), so that under the head one
    INSERT ... SELECT places them (:func:`audit_append_many` with ``staged``). False elsewhere
    (SQLite's single write lock is held for the whole transaction anyway)."""
    if connection.vendor != "postgresql" or not items:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} (i bigint, source varchar(40), source_id bigint, data bytea, leaf_hash bytea) ON COMMIT DROP")
    rows_insert(STAGE, ["i", "source", "source_id", "data", "leaf_hash"], ((i, *item, h) for i, (item, h) in enumerate(zip(items, hashes, strict=True))))
    return True


def audit_append_many(items: list[tuple[str, int, bytes]], hashes: list[bytes] | None = None, *, staged: bool = False) -> range:
    """Append leaves in order, inside the caller's transaction; their indexes. Their hashes are
    pushed onto the tree in one pass (merkle.frontier_extend), the leaves and the tree's new nodes
    written in bulk as plain tuples (no model instance per leaf). ``hashes``: the leaves' hashes
    (merkle.leaf_hash of each leaf's data), computed by the caller before its transaction;
    ``staged``: the same leaves are in :func:`audit_leaves_stage`'s table."""
    if hashes is None:
        hashes = [merkle.leaf_hash(data) for _, _, data in items]
    elif len(hashes) != len(items):
        raise ValueError("one hash a leaf")
    head = _head_locked()
    today = timezone.localdate()
    if head.last_day is not None and head.last_day < today and head.size:
        # the first write of a new day: the log as it stood at the end of the last day with writes
        _checkpoint_at_head(head)
    head.last_day = today
    frontier = [(int(size), bytes.fromhex(h)) for size, h in head.frontier]
    now = timezone.now()
    nodes = merkle.frontier_extend(frontier, head.size, hashes)
    stamp = AuditLeaf._meta.get_field("appended_at").get_db_prep_save(now, connection)
    first = head.size
    columns = ["index", "source", "source_id", "data", "leaf_hash", "appended_at"]
    if staged:
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {q(AuditLeaf._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
                f"SELECT %s + i, source, source_id, data, leaf_hash, %s FROM {STAGE} ORDER BY i",
                [first, stamp],
            )
            if cursor.rowcount != len(items):
                raise RuntimeError("the staged leaves are not the batch")
            cursor.execute(f"DROP TABLE {STAGE}")
    else:
        rows_insert(
            AuditLeaf._meta.db_table,
            columns,
            ((first + i, source, source_id, data, lh, stamp) for i, ((source, source_id, data), lh) in enumerate(zip(items, hashes, strict=True))),
        )
    rows_insert(MerkleNode._meta.db_table, ["level", "index", "hash"], nodes)
    head.size += len(items)
    head.frontier = [[size, h.hex()] for size, h in frontier]
    head.save(update_fields=["size", "frontier", "last_day"])
    return range(first, head.size)


def tree_root() -> tuple[int, bytes]:
    head = LogHead.objects.filter(pk=1).first()
    if head is None:
        return 0, merkle.EMPTY_ROOT
    return head.size, merkle.frontier_root([(int(s), bytes.fromhex(h)) for s, h in head.frontier])


@transaction.atomic
def checkpoint_take() -> Checkpoint:
    """A checkpoint of the log as it stands (on demand, and at the end of every day with writes)."""
    return _checkpoint_at_head(_head_locked())


@transaction.atomic
def checkpoint_key_rotate() -> tuple[Checkpoint, Checkpoint]:
    """Rotate the signing key with the log held still: the tree as it stands is signed by the old
    key (the last it signs), the key is replaced, and the same tree is signed by the new one."""
    head = _head_locked()
    last_old = _checkpoint_at_head(head)
    signing.key_rotate(last_old.size)
    return last_old, _checkpoint_at_head(head)


def _checkpoint_at_head(head: LogHead) -> Checkpoint:
    size = head.size
    root = merkle.frontier_root([(int(s), bytes.fromhex(h)) for s, h in head.frontier]) if size else merkle.EMPTY_ROOT
    last = Checkpoint.objects.order_by("-size", "-pk").first()
    # the last checkpoint is reused while nothing was appended, unless it was signed by a key since
    # rotated (or taken unsigned before a key was configured): then the same tree is signed anew
    if last is not None and last.size == size and signing.note_current(last.note):
        return last
    now = timezone.now()
    note = signing.note_sign(size=size, root=root, taken_at=now) or ""
    cp = Checkpoint.objects.create(size=size, root_hash=root, created_at=now, note=note)
    if note:
        transaction.on_commit(lambda: witness_write(cp))
    return cp


def witness_write(cp: Checkpoint) -> Path:
    """Copy a signed checkpoint to the witness directory (``<size>.checkpoint`` and ``latest``).

    The directory is meant to be copied elsewhere (another machine, a write-once medium, the
    district's archive): what is there can later prove the log was not rewritten or cut."""
    folder = Path(settings.FAZHI_WITNESS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{cp.size:012d}.checkpoint"
    for target in (path, folder / "latest.checkpoint"):
        tmp = target.with_suffix(".tmp")
        tmp.write_text(cp.note, encoding="utf-8")
        os.replace(tmp, target)
    return path


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
    anchors_checked: int = 0
    rows_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_Leaf = tuple[int, str, int, bytes, bytes]  # index, source, source_id, data, leaf_hash


def _frontier_at(size: int) -> list[tuple[int, bytes]]:
    """The compact range of the log's first ``size`` leaves (its perfect subtrees, largest first)
    from the stored subtree hashes: what verification resumes from (``--since``)."""
    frontier: list[tuple[int, bytes]] = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            if level == 0:
                row = AuditLeaf.objects.filter(index=start).values_list("leaf_hash", flat=True).first()
            else:
                row = MerkleNode.objects.filter(level=level, index=start >> level).values_list("hash", flat=True).first()
            frontier.append((1 << level, bytes(row) if row is not None else b""))
            start += 1 << level
    return frontier


def _nodes_check(completed: list[tuple[int, int, bytes]]) -> list[str]:
    """The subtree hashes a batch of leaves completed against the stored ones, in one query
    (never the whole node table in memory: a city's log has millions)."""
    if not completed:
        return []
    spans: dict[int, list[int]] = {}
    for level, idx, _ in completed:
        spans.setdefault(level, []).append(idx)
    where = Q()
    for level, ids in spans.items():
        where |= Q(level=level, index__gte=min(ids), index__lte=max(ids))
    stored = {(level, idx): bytes(h) for level, idx, h in MerkleNode.objects.filter(where).values_list("level", "index", "hash")}
    return [f"树节点 ({level},{idx}) 与叶子重算结果不符" for level, idx, h in completed if stored.get((level, idx)) != h]


def _leaf_rows(after: int, before: int | None, limit: int) -> list[_Leaf]:
    """Up to ``limit`` leaves after index ``after`` (below ``before``, if given), in index order,
    as the driver gives them (keyset on the primary key: each batch one index range scan)."""
    qn = connection.ops.quote_name
    sql = f"SELECT {qn('index')}, source, source_id, data, leaf_hash FROM {AuditLeaf._meta.db_table} WHERE {qn('index')} > %s"
    params: list[int] = [after]
    if before is not None:
        sql += f" AND {qn('index')} < %s"
        params.append(before)
    sql += f" ORDER BY {qn('index')} LIMIT %s"
    params.append(limit)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if rows and not isinstance(rows[0][3], bytes):  # a driver that gives memoryviews
        rows = [(i, s, sid, bytes(d), bytes(h)) for i, s, sid, d, h in rows]
    return rows


def _as_bytes(value: object) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8")


def _stored_level(level: int, first: int, stop: int) -> list[tuple[int, bytes]]:
    """The stored subtree hashes of one level, indexes [first, stop), in index order."""
    i = connection.ops.quote_name("index")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {i}, hash FROM {MerkleNode._meta.db_table} WHERE level = %s AND {i} >= %s AND {i} < %s ORDER BY {i}", [level, first, stop])
        rows = cur.fetchall()
    return rows if not rows or isinstance(rows[0][1], bytes) else [(i, bytes(h)) for i, h in rows]


MIN_SPAN_BITS = 12  # a stretch holds at least 4,096 leaves: below that a process costs more than it saves


@dataclass
class _Range:
    """One stretch of the log, verified on its own (by one process when there are several)."""

    start: int
    stop: int | None  # None: to the end
    checkpoints: dict[int, tuple[int, bytes]]  # size -> (checkpoint id, root)
    outside: dict[int, list[bytes]]  # size -> roots of the checkpoints held outside
    batch: int
    sources: bool = True  # the source rows against their leaves too


@dataclass
class _RangeResult:
    start: int
    end: int
    frontier: list[tuple[int, bytes]]
    problems: list[str]
    checkpoints_checked: int = 0
    anchors_checked: int = 0


def _range_verify(r: _Range, progress: Callable[[int], None] | None = None) -> _RangeResult:
    """Leaves [start, stop): their hashes, their source rows, the subtree hashes they complete and
    the checkpoints taken inside. The tree before ``start`` is read from the stored subtree
    hashes, each of which the stretch that completed it compares with its own recomputation: the
    stretches together check every stored hash, whichever order they run in.

    The leaves are read a batch of 2^k at a time, each batch a whole subtree of the log: its leaves
    hashed in one pass, its levels built pair by pair and compared with the stored nodes one level
    at a time, then the batch's root pushed onto the compact range. A batch that is not one whole
    subtree (the first of a stretch that starts inside one, the last one) goes as the largest
    aligned subtrees it holds; a batch whose indexes are not contiguous (a leaf removed or
    inserted) goes leaf by leaf."""
    frontier = _frontier_at(r.start)
    out = _RangeResult(start=r.start, end=r.start, frontier=frontier, problems=[])
    problems = out.problems
    width = 1 << (max(1, r.batch).bit_length() - 1)  # leaves a batch: a power of two
    expected = r.start
    last = r.start - 1
    sha = hashlib.sha256
    while True:
        want = width - expected % width  # up to the next multiple of the width
        rows = _leaf_rows(last, r.stop, want)
        if not rows:
            break
        last = rows[-1][0]
        try:
            hashes = [sha(b"\x00" + row[3]).digest() for row in rows]
        except TypeError:  # a value someone wrote as text into the binary column (SQLite lets them)
            rows = [(i, s, sid, _as_bytes(d), _as_bytes(h)) for i, s, sid, d, h in rows]
            hashes = [sha(b"\x00" + row[3]).digest() for row in rows]
        if hashes != [row[4] for row in rows]:
            problems.extend(f"叶子 {row[0]} 的哈希与其内容不符（内容被改动）" for row, h in zip(rows, hashes, strict=True) if h != row[4])
        if rows[0][0] == expected and last == expected + len(rows) - 1 and sum(size for size, _ in frontier) == expected:
            # contiguous: as whole subtrees (one when the batch is a full one; the largest aligned ones otherwise)
            at = 0
            while at < len(rows):
                size = min(expected & -expected or 1 << 62, 1 << ((len(rows) - at).bit_length() - 1))
                expected = _subtree_verify(r, out, frontier, expected, hashes[at : at + size])
                at += size
        else:
            expected = _leaves_verify(r, out, frontier, expected, rows, hashes)
        if r.sources:
            problems.extend(_sources_check(rows))
        if progress:
            progress(len(rows))
    if r.stop is not None and expected < r.stop:
        problems.append(f"叶子序号不连续：期望 {expected}，实际缺少 {expected} 至 {r.stop - 1}（有叶子被删除）")
        expected = r.stop
    out.end = expected
    return out


def _checkpoint_compare(r: _Range, out: _RangeResult, size: int, frontier: list[tuple[int, bytes]]) -> None:
    """The checkpoints (stored and held outside) of this size against the tree of the leaves so far."""
    if size in r.checkpoints:
        pk, root = r.checkpoints[size]
        if merkle.frontier_root(frontier) != root:
            out.problems.append(f"检查点 #{pk}（大小 {size}）的根哈希与重算结果不符")
        out.checkpoints_checked += 1
    for root in r.outside.get(size, []):
        if merkle.frontier_root(frontier) != root:
            out.problems.append(f"库外保存的检查点（大小 {size}）与日志不符：日志在该检查点之前的部分被改写")
        out.anchors_checked += 1


def _subtree_verify(r: _Range, out: _RangeResult, frontier: list[tuple[int, bytes]], start: int, hashes: list[bytes]) -> int:
    """A batch that is one whole subtree of the log (2^k leaves from a multiple of 2^k)."""
    levels = merkle.subtree_levels(hashes)
    for level in range(1, len(levels)):
        computed = levels[level]
        first = start >> level
        stored = _stored_level(level, first, first + len(computed))
        if [h for _, h in stored] != computed or (stored and stored[0][0] != first):
            by_index = dict(stored)
            out.problems.extend(f"树节点 ({level},{first + j}) 与叶子重算结果不符" for j, h in enumerate(computed) if by_index.get(first + j) != h)
    width = len(hashes)
    for size in sorted({s for s in (*r.checkpoints, *r.outside) if start < s <= start + width}):
        # the tree at a checkpoint inside the batch: the range before it, then the batch's own subtrees
        inside, at = list(frontier), 0
        for level in range(len(levels) - 1, -1, -1):
            if (size - start) & (1 << level):
                inside.append((1 << level, levels[level][at >> level]))
                at += 1 << level
        _checkpoint_compare(r, out, size, inside)
    completed = [(level, idx, h) for level, idx, h in merkle.frontier_push_subtree(frontier, start, width, levels[-1][0]) if (1 << level) > width]
    out.problems.extend(_nodes_check(completed))
    return start + width


def _leaves_verify(r: _Range, out: _RangeResult, frontier: list[tuple[int, bytes]], expected: int, rows: list[_Leaf], hashes: list[bytes]) -> int:
    """Leaf by leaf: a batch that is not a whole subtree, or whose indexes are not contiguous."""
    completed: list[tuple[int, int, bytes]] = []
    for row, hashed in zip(rows, hashes, strict=True):
        if row[0] != expected:
            out.problems.append(f"叶子序号不连续：期望 {expected}，实际 {row[0]}（有叶子被删除或插入）")
            expected = row[0]
        completed += [(level, idx, h) for level, idx, h in merkle.frontier_push(frontier, hashed) if level > 0]
        expected += 1
        _checkpoint_compare(r, out, expected, frontier)
    out.problems.extend(_nodes_check(completed))
    return expected


def _sources_check(rows: list[_Leaf]) -> list[str]:
    """Each leaf against its source row encoded again (a source with a fast path: every row it does
    not match is encoded again by the exact one, which decides)."""
    problems: list[str] = []
    by_source: dict[str, list[_Leaf]] = {}
    for row in rows:
        by_source.setdefault(row[1], []).append(row)
    for source, leaves in by_source.items():
        reencode = LEAF_SOURCES.get(source)
        if reencode is None:
            problems.append(f"未知的叶子来源 {source}")
            continue
        fresh = reencode([leaf[2] for leaf in leaves])
        differ = [leaf for leaf in leaves if fresh.get(leaf[2]) != leaf[3]]
        exact = LEAF_SOURCES_EXACT.get(source)
        if differ and exact is not None:
            fresh = exact([leaf[2] for leaf in differ])
            differ = [leaf for leaf in differ if fresh.get(leaf[2]) != leaf[3]]
        for index, _, source_id, _, _ in differ:
            if source_id not in fresh:
                problems.append(f"叶子 {index} 对应的记录 {source}#{source_id} 已不存在")
            else:
                problems.append(f"记录 {source}#{source_id} 已被改动，与叶子 {index} 不符")
    return problems


def _range_task(r: _Range) -> _RangeResult:
    try:
        return _range_verify(r)
    finally:
        from django.db import connections

        connections.close_all()


def _projection_task(task: tuple[str, Any], progress: Callable[[int], None] | None = None) -> tuple[int, list[str]]:
    """One projection check, or one part of one; (rows checked, problems)."""
    name, part = task
    try:
        if part is not None:
            return PROJECTION_PARTS[name][1](part)
        return PROJECTION_CHECKS[name][0](progress)
    except FieldKeyMissing:
        raise  # the key file, not a row
    except FieldKeyError as exc:  # a stored value that no longer decrypts: the log check names its row
        return 0, [f"台账记录与其事件的核对未能完成：{exc}"]


def _ranges_in_processes(ranges: list[_Range], workers: int, progress: Callable[[int], None] | None) -> list[_RangeResult]:
    """The stretches in ``workers`` forked processes, each with its own database connection."""
    from django.db import connections

    connections.close_all()  # a forked child must never use the parent's connection
    results: list[_RangeResult] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for result in pool.imap_unordered(_range_task, ranges):
            results.append(result)
            if progress:
                progress(result.end - result.start)
    return sorted(results, key=lambda x: x.start)


def audit_verify(
    *,
    batch: int = 1 << 14,
    progress: Callable[[int], None] | None = None,
    anchors: list[signing.Note] | None = None,
    projections: bool = True,
    since: Checkpoint | None = None,
    workers: int = 1,
    sources: bool = True,
) -> VerifyReport:
    """Recompute the whole log from its leaves and its sources; compare with every checkpoint.

    Detects: a changed byte in a source row (re-encoding differs from the leaf), in a leaf
    (its hash), or in a stored node; a removed, inserted or reordered leaf (indexes not
    contiguous, or roots that no longer match the checkpoints taken earlier); a checkpoint whose
    signature does not hold; a record users see that its events do not give (projections).

    ``anchors`` are signed checkpoints held outside the database (already signature-checked):
    the log must still extend each of them. Only they catch someone who rewrote the log, its
    tree and its checkpoints together, or cut its tail, with database access alone.

    ``since``: verify from a checkpoint already trusted (signed with the site's key, verified
    when it was taken) instead of from the first leaf: the tree as that checkpoint saw it is read
    from the stored subtree hashes and must give its root; then every later leaf is checked as
    above. The leaves before it and the rows' projections are not looked at: a full run does.

    ``workers`` > 1: the leaves are cut into stretches verified by that many processes (forked;
    the database must be one they can open: a file or a server, committed data). The same checks
    run; only the order in which problems are found changes.

    ``batch``: leaves read and hashed at a time (a power of two: each batch is a subtree of the
    log). ``sources=False``: the log alone (leaves, nodes, checkpoints), without comparing the
    source rows with their leaves (the benchmark measures the two apart).
    """
    report = VerifyReport()
    every = list(Checkpoint.objects.order_by("size", "pk"))
    stored = {c.size: c for c in every}  # the newest of each size (a key rotation signs a size again)
    outside: dict[int, list[signing.Note]] = {}
    for note in anchors or []:
        outside.setdefault(note.size, []).append(note)
    report.problems.extend(_signatures_check(every))
    report.problems.extend(
        f"检查点 #{c.pk}（大小 {c.size}）与同一大小的检查点 #{stored[c.size].pk} 根哈希不同（检查点被改动）"
        for c in every
        if bytes(c.root_hash) != bytes(stored[c.size].root_hash)
    )
    start = since.size if since is not None else 0
    if start in outside:
        report.anchors_checked += len(outside[start])
    if since is not None:
        if merkle.frontier_root(_frontier_at(since.size)) != bytes(since.root_hash):
            report.problems.append(f"检查点 #{since.pk}（大小 {since.size}）与存储的树节点不符：不能从它开始校验")
        stored = {size: c for size, c in stored.items() if size >= start}
        outside = {size: notes for size, notes in outside.items() if size >= start}
    if start in stored:
        report.checkpoints_checked += 1
    checkpoints = {size: (c.pk, bytes(c.root_hash)) for size, c in stored.items()}
    roots = {size: [n.root for n in notes] for size, notes in outside.items()}
    last = AuditLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    end = start if last is None else max(start, last + 1)
    span = 1 << max(MIN_SPAN_BITS, ((end - start) // (workers * 4) or 1).bit_length())  # 2^k leaves, ~4 stretches a process
    bounds = [start, *range((start // span + 1) * span, end, span)] if workers > 1 else [start]
    batch = min(batch, span) if workers > 1 else batch  # whole subtrees inside each stretch
    ranges = [_Range(b, bounds[i + 1] if i + 1 < len(bounds) else None, checkpoints, roots, batch, sources) for i, b in enumerate(bounds)]
    results = _ranges_in_processes(ranges, workers, progress) if len(ranges) > 1 else [_range_verify(ranges[0], progress)]
    for result in results:
        report.problems.extend(result.problems)
        report.checkpoints_checked += result.checkpoints_checked
        report.anchors_checked += result.anchors_checked
    expected, frontier = results[-1].end, results[-1].frontier
    report.size = expected
    head_size, head_root = tree_root()
    if head_size != expected:
        report.problems.append(f"日志头记录的大小 {head_size} 与叶子数 {expected} 不符")
    elif merkle.frontier_root(frontier) != head_root:
        report.problems.append("日志头的根哈希与重算结果不符")
    for size in checkpoints:
        if size > expected:
            report.problems.append(f"检查点大小 {size} 超过现有叶子数 {expected}（有叶子被删除）")
    for size in roots:
        if size > expected:
            report.problems.append(f"库外保存的检查点记录了 {size} 个叶子，日志现只有 {expected} 个：日志尾部被截断或有叶子被删除")
    if not checkpoints:
        report.problems.append("尚无检查点：请先执行 fazhi audit checkpoint")
    if projections and since is None:
        tasks = [(name, part) for name in PROJECTION_CHECKS for part in (PROJECTION_PARTS[name][0]() if name in PROJECTION_PARTS and workers > 1 else [None])]
        if workers > 1:
            from django.db import connections

            connections.close_all()  # a forked child must never use the parent's connection
            parts: list[tuple[int, list[str]]] = []
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for part in pool.imap(_projection_task, tasks):
                    parts.append(part)
                    if progress:
                        progress(part[0])
        else:
            parts = [_projection_task(task, progress) for task in tasks]
        for checked, found in parts:
            report.rows_checked += checked
            report.problems.extend(found)
    return report


def verify_total() -> int:
    """Units of progress ``audit_verify`` reports: leaves, then the rows of every projection."""
    return AuditLeaf.objects.count() + sum(count() for _, count in PROJECTION_CHECKS.values())


def _signatures_check(checkpoints: Iterable[Checkpoint]) -> list[str]:
    """Every signed checkpoint in the database must carry a valid signature of its own size and root."""
    problems: list[str] = []
    checkable = signing.verifier_key() is not None or bool(signing.retired_keys())
    ordered = sorted(checkpoints, key=lambda c: c.size)
    first_signed = next((c.size for c in ordered if c.note), None)
    for cp in ordered:
        if not cp.note:
            if first_signed is not None and cp.size > first_signed:
                # once the log is signed, it stays signed: an unsigned later one was not taken here
                problems.append(f"检查点 #{cp.pk}（大小 {cp.size}）没有签名，而此前的检查点已签名（检查点可能被替换）")
            continue
        if not checkable:
            break
        try:
            note = signing.note_verify(cp.note)
        except signing.NoteError as exc:
            problems.append(f"检查点 #{cp.pk}：{exc}")
            continue
        if note.size != cp.size or note.root != bytes(cp.root_hash):
            problems.append(f"检查点 #{cp.pk} 的大小或根哈希与其签名不符（检查点被改动）")
    return problems
