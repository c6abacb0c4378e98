"""The Merkle code against RFC 6962 test vectors and a naive spec-literal reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.audit import merkle

# Leaves and roots of the RFC 6962 reference tests (certificate-transparency / transparency-dev).
LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# Inclusion proof of leaf 0 in the tree of 8 (same reference tests).
PATH_0_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]


# --- naive reference: RFC 6962 §2.1 written literally, recursion over the data list ---------
def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


def list_store(d: list[bytes]):
    return lambda start, end: ref_mth(d[start:end])


def test_it_matches_the_rfc6962_roots() -> None:
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for n in range(1, 9):
        hashes = [merkle.leaf_hash(x) for x in LEAVES[:n]]
        assert merkle.mth_from_leaf_hashes(hashes).hex() == ROOTS[n - 1]
        assert ref_mth(LEAVES[:n]).hex() == ROOTS[n - 1]


def test_it_matches_the_rfc6962_inclusion_vector() -> None:
    proof = merkle.inclusion_proof(0, 8, list_store(LEAVES))
    assert [p.hex() for p in proof] == PATH_0_8
    merkle.verify_inclusion(0, 8, merkle.leaf_hash(LEAVES[0]), proof, bytes.fromhex(ROOTS[7]))


def test_frontier_push_reports_every_completed_subtree() -> None:
    frontier: list[tuple[int, bytes]] = []
    nodes = {}
    for i, leaf in enumerate(LEAVES):
        for level, index, h in merkle.frontier_push(frontier, merkle.leaf_hash(leaf)):
            nodes[(level, index)] = h
        assert merkle.frontier_root(frontier).hex() == ROOTS[i]
    for (level, index), h in nodes.items():
        size = 1 << level
        assert h == ref_mth(LEAVES[index * size : (index + 1) * size])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70), st.integers(min_value=0, max_value=5))
def test_pushing_whole_subtrees_gives_the_tree_and_nodes_of_pushing_leaves(d: list[bytes], bits: int) -> None:
    """What verification does a batch at a time: the largest aligned subtrees, each pushed whole."""
    by_leaf: list[tuple[int, bytes]] = []
    expected = {}
    for leaf in d:
        expected.update({(level, index): h for level, index, h in merkle.frontier_push(by_leaf, merkle.leaf_hash(leaf))})
    by_subtree: list[tuple[int, bytes]] = []
    got = {}
    at = 0
    while at < len(d):
        size = min(at & -at or 1 << bits, 1 << bits, 1 << ((len(d) - at).bit_length() - 1))
        sub = ref_mth(d[at : at + size])
        completed = merkle.frontier_push_subtree(by_subtree, at, size, sub)
        assert completed[0] == (size.bit_length() - 1, at // size, sub)
        got.update({(level, index): h for level, index, h in completed})
        at += size
    assert by_subtree == by_leaf and merkle.frontier_root(by_subtree) == ref_mth(d)
    assert all(expected[k] == h for k, h in got.items())
    with pytest.raises(ValueError):
        merkle.frontier_push_subtree(list(by_leaf), len(d) + 1, 1, b"x")  # not right after the range


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=0, max_size=40), st.lists(st.binary(max_size=8), min_size=0, max_size=70))
def test_extending_by_a_batch_gives_the_tree_and_nodes_of_pushing_leaves(before: list[bytes], batch: list[bytes]) -> None:
    """What an append of many leaves does (audit_append_many): the batch in one pass, after a log
    of any size, completes the same nodes and leaves the same range as pushing leaf by leaf."""
    by_leaf: list[tuple[int, bytes]] = []
    for leaf in before:
        merkle.frontier_push(by_leaf, merkle.leaf_hash(leaf))
    extended = list(by_leaf)
    expected = set()
    for leaf in batch:
        expected |= {(level, index, h) for level, index, h in merkle.frontier_push(by_leaf, merkle.leaf_hash(leaf)) if level > 0}
    got = merkle.frontier_extend(extended, len(before), [merkle.leaf_hash(leaf) for leaf in batch])
    assert sorted(got) == sorted(expected) and len(got) == len(expected)
    assert extended == by_leaf and merkle.frontier_root(extended) == ref_mth(before + batch)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70), st.data())
def test_proofs_agree_with_the_reference_and_verify(d: list[bytes], data: st.DataObject) -> None:
    n = len(d)
    m = data.draw(st.integers(0, n - 1))
    store = list_store(d)
    root = ref_mth(d)
    path = merkle.inclusion_proof(m, n, store)
    assert path == ref_path(m, d)
    merkle.verify_inclusion(m, n, merkle.leaf_hash(d[m]), path, root)
    old = data.draw(st.integers(1, n))
    proof = merkle.consistency_proof(old, n, store)
    assert proof == ref_proof(old, d) if old < n else proof == []
    merkle.verify_consistency(old, n, ref_mth(d[:old]), root, proof)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=4), min_size=2, max_size=40), st.data())
def test_verifiers_reject_any_altered_proof(d: list[bytes], data: st.DataObject) -> None:
    n = len(d)
    store = list_store(d)
    root = ref_mth(d)
    m = data.draw(st.integers(0, n - 1))
    path = merkle.inclusion_proof(m, n, store)
    if path:
        i = data.draw(st.integers(0, len(path) - 1))
        bad = list(path)
        bad[i] = bytes([bad[i][0] ^ 1]) + bad[i][1:]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(m, n, merkle.leaf_hash(d[m]), bad, root)
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(m, n, merkle.leaf_hash(d[m]), path[:-1], root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(m, n, merkle.leaf_hash(d[m] + b"x"), path, root)
    old = data.draw(st.integers(1, n - 1))
    proof = merkle.consistency_proof(old, n, store)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old, n, ref_mth(d[:old]), hashlib.sha256(b"forged").digest(), proof)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(old, n, hashlib.sha256(b"forged").digest(), root, proof)
