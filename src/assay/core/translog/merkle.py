"""RFC 6962 / RFC 9162 Merkle trees: tree heads, inclusion proofs and consistency proofs.

Hashing (RFC 9162 §2.1.1): a leaf is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left ||
right), the empty tree SHA-256(""). A tree of n leaves splits at k, the largest power of two below n.

Proof generation works over a `NodeSource`: anything that returns the hash of a *perfect* subtree
(2^level leaves starting at index·2^level). A log that keeps those hashes as it grows (see
`Frontier.append`, which says which ones each append completes) answers any proof in O(log² n) reads
without touching the leaves. `InMemoryTree` is the reference source used by tests and `assay log
verify`. Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 literally.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class NodeSource(Protocol):
    def perfect(self, level: int, index: int) -> bytes:
        """The hash of leaves [index·2^level, (index+1)·2^level)."""
        ...


def range_hash(source: NodeSource, start: int, end: int) -> bytes:
    """MTH of leaves [start, end), where start is a multiple of the largest power of two ≤ end − start
    (true of every range RFC 6962's recursion visits): the perfect subtrees of the size's binary
    expansion, largest first, folded from the right."""
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    parts = []
    position = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if position % (1 << level):
                raise ValueError(f"range [{start}, {end}) is not aligned for a subtree of 2^{level}")
            parts.append(source.perfect(level, position >> level))
            position += 1 << level
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = node_hash(part, result)
    return result


def root(source: NodeSource, size: int) -> bytes:
    return range_hash(source, 0, size)


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]), bottom-up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(range_hash(source, start + k, end))
            end = start + k
        else:
            path.append(range_hash(source, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    """RFC 6962 PROOF(old_size, D[0:new_size])."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    proof: list[bytes] = []

    def subproof(m: int, start: int, end: int, complete: bool) -> None:
        n = end - start
        if m == n:
            if not complete:
                proof.append(range_hash(source, start, end))
            return
        k = _split(n)
        if m <= k:
            subproof(m, start, start + k, complete)
            proof.append(range_hash(source, start + k, end))
        else:
            subproof(m - k, start + k, end, False)
            proof.append(range_hash(source, start, start + k))

    if old_size < new_size:
        subproof(old_size, 0, new_size, True)
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
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
    return sn == 0 and r == expected_root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size <= 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
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
    return sn == 0 and fr == old_root and sr == new_root


@dataclass
class Frontier:
    """The right edge of a growing tree: the perfect subtrees not yet merged, one per set bit of the
    size. Appending returns every perfect node the append completed, as (level, index, hash): store
    those and any proof can be answered later."""

    size: int = 0
    stack: list[bytes] = field(default_factory=list)  # hashes of the frontier's subtrees, largest first

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        completed = [(0, self.size, leaf)]
        current, level, index = leaf, 0, self.size
        while (self.size >> level) & 1:
            current = node_hash(self.stack.pop(), current)
            level += 1
            index >>= 1
            completed.append((level, index, current))
        self.stack.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        result = self.stack[-1]
        for part in reversed(self.stack[:-1]):
            result = node_hash(part, result)
        return result


class InMemoryTree:
    """Every perfect node of a tree held in memory: the reference NodeSource."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        self.frontier = Frontier()
        for leaf in leaves:
            self.append(leaf)

    def append(self, leaf: bytes) -> None:
        for level, index, value in self.frontier.append(leaf):
            while len(self.levels) <= level:
                self.levels.append([])
            assert len(self.levels[level]) == index
            self.levels[level].append(value)

    @property
    def size(self) -> int:
        return self.frontier.size

    def perfect(self, level: int, index: int) -> bytes:
        try:
            return self.levels[level][index]
        except IndexError:
            raise ValueError(f"no complete subtree at level {level}, index {index}") from None
