"""The Merkle tree against RFC 6962's known answers (Certificate Transparency's test data) and an
independent, deliberately naive recomputation of MTH, PATH and PROOF straight from RFC 6962 §2.1."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.core.translog.merkle import (
    EMPTY_ROOT,
    Frontier,
    InMemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

DATA = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
LEAVES = [leaf_hash(d) for d in DATA]


# --- An independent recomputation, written from RFC 6962 §2.1 with nothing shared -------------------


def _h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def naive_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return _h(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return _h(b"\x01", naive_mth(leaves[:k]), naive_mth(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_proof(m: int, leaves: list[bytes], complete: bool = True) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [naive_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_proof(m, leaves[:k], complete), naive_mth(leaves[k:])]
    return [*naive_proof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


# --- Known answers ---------------------------------------------------------------------------------


def test_roots_match_rfc6962_known_answers() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    tree = InMemoryTree()
    frontier = Frontier()
    assert root(tree, 0).hex() == ROOTS[0]
    for n, leaf in enumerate(LEAVES, start=1):
        tree.append(leaf)
        frontier.append(leaf)
        assert root(tree, n).hex() == ROOTS[n]
        assert frontier.root().hex() == ROOTS[n]
    for n in range(9):
        assert root(tree, n).hex() == ROOTS[n]  # a past size, from the grown tree


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_match_known_answers(index: int, size: int, expected: list[str]) -> None:
    tree = InMemoryTree(LEAVES)
    proof = inclusion_proof(tree, index, size)
    assert [p.hex() for p in proof] == expected
    assert verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size]))
    assert not verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY)
def test_consistency_proofs_match_known_answers(old: int, new: int, expected: list[str]) -> None:
    tree = InMemoryTree(LEAVES)
    proof = consistency_proof(tree, old, new)
    assert [p.hex() for p in proof] == expected
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


# --- Odd sizes, against the naive recomputation ---------------------------------------------------------


def leaves_of(n: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_inclusion_in_a_tree_of_seven() -> None:
    leaves = leaves_of(7)
    tree = InMemoryTree(leaves)
    head = naive_mth(leaves)
    assert root(tree, 7) == head
    for i in range(7):
        proof = inclusion_proof(tree, i, 7)
        assert proof == naive_path(i, leaves)
        assert verify_inclusion(leaves[i], i, 7, proof, head)
        assert not verify_inclusion(leaves[(i + 1) % 7], i, 7, proof, head)  # another leaf
        if i == 6:  # the last leaf's path has a different shape in any other size
            assert not verify_inclusion(leaves[i], i, 8, proof, head)
        if proof:
            assert not verify_inclusion(leaves[i], i, 7, proof[:-1], head)  # a truncated path


def test_consistency_from_seven_to_thirteen() -> None:
    leaves = leaves_of(13)
    tree = InMemoryTree(leaves)
    old, new = naive_mth(leaves[:7]), naive_mth(leaves)
    proof = consistency_proof(tree, 7, 13)
    assert proof == naive_proof(7, leaves)
    assert verify_consistency(7, 13, old, new, proof)
    forged_old = naive_mth([leaf_hash(b"rewritten"), *leaves[1:7]])  # a log that rewrote entry 0
    assert not verify_consistency(7, 13, forged_old, new, proof)
    assert not verify_consistency(7, 13, old, new, proof[1:])
    assert not verify_consistency(6, 13, old, new, proof)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70), st.data())
def test_every_proof_agrees_with_the_naive_recomputation(n: int, data: st.DataObject) -> None:
    leaves = leaves_of(n)
    tree = InMemoryTree(leaves)
    i = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(1, n))
    assert root(tree, m) == naive_mth(leaves[:m])
    assert inclusion_proof(tree, i, n) == naive_path(i, leaves)
    assert verify_inclusion(leaves[i], i, n, inclusion_proof(tree, i, n), naive_mth(leaves))
    proof = consistency_proof(tree, m, n)
    assert proof == naive_proof(m, leaves)
    assert verify_consistency(m, n, naive_mth(leaves[:m]), naive_mth(leaves), proof)


def test_frontier_reports_each_completed_node_once() -> None:
    frontier, seen = Frontier(), set()
    for leaf in leaves_of(16):
        for level, index, _ in frontier.append(leaf):
            assert (level, index) not in seen
            seen.add((level, index))
    assert len(seen) == 16 + 8 + 4 + 2 + 1


def test_bad_requests_are_refused() -> None:
    tree = InMemoryTree(leaves_of(3))
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(tree, 3, 3)
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_proof(tree, 0, 3)
    with pytest.raises(ValueError, match="no complete subtree"):
        root(tree, 4)
    assert not verify_inclusion(leaves_of(1)[0], 5, 3, [], EMPTY_ROOT)
    assert not verify_consistency(4, 3, EMPTY_ROOT, EMPTY_ROOT, [])
