"""RFC 6962 Merkle tree hashing, inclusion and consistency proofs (pure functions).

leaf hash = SHA-256(0x00 || leaf data); node hash = SHA-256(0x01 || left || right); the tree of
n leaves splits at k, the largest power of two smaller than n (RFC 6962 §2.1). Hashes of
subtrees come from a ``subtree`` callable so that the same code serves an in-memory list and
the database node store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]  # (start, end) -> MTH(D[start:end]), end > start


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    if n < 2:
        raise ValueError("split_point needs n >= 2")
    return 1 << ((n - 1).bit_length() - 1)


def mth_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Root of the tree over already-hashed leaves, iteratively in O(n)."""
    if not hashes:
        return EMPTY_ROOT
    frontier: list[tuple[int, bytes]] = []  # (size, hash) of perfect subtrees, left to right
    for h in hashes:
        frontier_push(frontier, h)
    return frontier_root(frontier)


def frontier_push(frontier: list[tuple[int, bytes]], leaf: bytes) -> list[tuple[int, int, bytes]]:
    """Append a leaf hash to a compact range; return the perfect subtrees it completed.

    Each completed subtree is ``(level, index, hash)``: level 0 is the leaf itself, a node at
    level L and index i covers leaves [i * 2**L, (i + 1) * 2**L).
    """
    return frontier_push_subtree(frontier, sum(size for size, _ in frontier), 1, leaf)


def frontier_push_subtree(frontier: list[tuple[int, bytes]], start: int, size: int, subtree: bytes) -> list[tuple[int, int, bytes]]:
    """Append a whole perfect subtree (``size`` leaves, a power of two, from leaf ``start``, a
    multiple of ``size``) to a compact range of ``start`` leaves; return the perfect subtrees
    completed, the pushed one first, as :func:`frontier_push` does for a single leaf."""
    if size & (size - 1) or start % size or sum(s for s, _ in frontier) != start:
        raise ValueError("a subtree must be a power of two of leaves, aligned, right after the range")
    level = size.bit_length() - 1
    completed = [(level, start >> level, subtree)]
    h = subtree
    while frontier and frontier[-1][0] == size:
        left_size, left = frontier.pop()
        h = node_hash(left, h)
        size += left_size
        level = size.bit_length() - 1
        completed.append((level, start >> level, h))
    frontier.append((size, h))
    return completed


def subtree_levels(hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the perfect tree over 2^k leaf hashes: level L holds its 2^(k-L) subtrees."""
    sha = hashlib.sha256
    levels = [list(hashes)]
    while len(levels[-1]) > 1:
        cur = levels[-1]
        levels.append([sha(b"\x01" + a + b).digest() for a, b in zip(cur[0::2], cur[1::2], strict=True)])
    return levels


def frontier_extend(frontier: list[tuple[int, bytes]], start: int, hashes: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """Append many leaf hashes to a compact range of ``start`` leaves in one pass: the batch cut
    into the largest aligned perfect subtrees, each hashed level by level and pushed whole
    (:func:`frontier_push_subtree`). Returns every perfect subtree completed above the leaves
    (level >= 1): the same set, hash for hash, as :func:`frontier_push` leaf by leaf."""
    completed: list[tuple[int, int, bytes]] = []
    at, i = start, 0
    while i < len(hashes):
        left = len(hashes) - i
        size = at & -at if at else 1 << (left.bit_length() - 1)
        while size > left:
            size >>= 1
        levels = subtree_levels(hashes[i : i + size])
        for level in range(1, len(levels)):
            first = at >> level
            completed += [(level, first + j, h) for j, h in enumerate(levels[level])]
        completed += frontier_push_subtree(frontier, at, size, levels[-1][0])[1:]
        at, i = at + size, i + size
    return completed


def frontier_root(frontier: Sequence[tuple[int, bytes]]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    h = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        h = node_hash(left, h)
    return h


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(m, D[0:n]) of RFC 6962 §2.1.1, leaf ``index`` in a tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start = start + k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[0:n]) of RFC 6962 §2.1.2."""
    if not 0 <= old_size <= new_size:
        raise ValueError("consistency proof needs 0 <= old <= new")
    if old_size == 0 or old_size == new_size:
        return []
    return _subproof(old_size, 0, new_size, True, subtree)


def _subproof(m: int, start: int, end: int, complete: bool, subtree: SubtreeHash) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree(start, end)]
    k = split_point(n)
    if m <= k:
        return _subproof(m, start, start + k, complete, subtree) + [subtree(start + k, end)]
    return _subproof(m - k, start + k, end, False, subtree) + [subtree(start, start + k)]


class ProofError(Exception):
    pass


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check an inclusion proof (RFC 9162 §2.1.3.2 algorithm); raise ProofError if it fails."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} out of range for size {size}")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("computed root does not match")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2 algorithm); raise ProofError if it fails."""
    if not 0 <= old_size <= new_size:
        raise ProofError("sizes are not ordered")
    if old_size == new_size:
        if proof:
            raise ProofError("proof must be empty for equal sizes")
        if old_root != new_root:
            raise ProofError("roots differ for equal sizes")
        return
    if old_size == 0:
        if proof:
            raise ProofError("proof must be empty from the empty tree")
        return
    if not proof:
        raise ProofError("empty proof")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # exact power of two: old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is too short")
    if fr != old_root:
        raise ProofError("old root does not match")
    if sr != new_root:
        raise ProofError("new root does not match")
