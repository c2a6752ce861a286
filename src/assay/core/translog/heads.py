"""Leaves and signed tree heads of the transparency log, and checking a copy of the log end to end.

A leaf is canonical JSON (sorted keys, no spaces, UTF-8) holding hashes and public identifiers only:
no names, no emails. Accounts can be deleted; the log stays, and says nothing about anyone.

A signed tree head (STH) commits to the first `tree_size` leaves: Ed25519 over the canonical JSON of
{log, tree_size, root_hash, timestamp, key}, where `key` is the issuer's DID verification method.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from assay.core.credentials.suites import Signer
from assay.core.translog.merkle import InMemoryTree, leaf_hash, root

LEAF_VERSION = 1
EVENTS = frozenset(
    {
        "credential.issued",
        "credential.revoked",
        "credential.suspended",
        "credential.reinstated",
        "key.created",
        "key.rotated",
        "key.compromised",
        "key.destroyed",
        "audit.anchor",
    }
)
HEX64 = frozenset("0123456789abcdef")


def canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_data(event: str, at: str, **fields: str | int) -> bytes:
    """The bytes of one leaf. Field values are hashes, counters and public identifiers only."""
    if event not in EVENTS:
        raise ValueError(f"unknown log event {event!r}")
    return canonical({"v": LEAF_VERSION, "event": event, "at": at, **fields})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class TreeHead:
    log: str
    tree_size: int
    root_hash: str  # hex
    timestamp: str  # RFC 3339, UTC
    key: str  # the verification method that signed it
    signature: str  # base64url, unpadded

    def signed_fields(self) -> dict[str, Any]:
        return {
            "log": self.log,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
            "key": self.key,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.signed_fields(), "signature": self.signature}


class HeadError(ValueError):
    """A tree head that is not even well formed."""


def head_from_dict(data: Any) -> TreeHead:
    if not isinstance(data, Mapping):
        raise HeadError("a tree head is a JSON object")
    try:
        head = TreeHead(
            log=str(data["log"]),
            tree_size=data["tree_size"],
            root_hash=str(data["root_hash"]),
            timestamp=str(data["timestamp"]),
            key=str(data["key"]),
            signature=str(data["signature"]),
        )
    except KeyError as exc:
        raise HeadError(f"a tree head needs {exc.args[0]}") from None
    if not isinstance(head.tree_size, int) or isinstance(head.tree_size, bool) or head.tree_size < 0:
        raise HeadError("tree_size must be a non-negative integer")
    if len(head.root_hash) != 64 or not set(head.root_hash) <= HEX64:
        raise HeadError("root_hash must be 64 lower-case hex digits")
    return head


def sign_head(signer: Signer, *, log: str, tree_size: int, root_hash: bytes, timestamp: str, key: str) -> TreeHead:
    unsigned = TreeHead(log, tree_size, root_hash.hex(), timestamp, key, "")
    return TreeHead(
        log, tree_size, root_hash.hex(), timestamp, key, _b64(signer.sign(canonical(unsigned.signed_fields())))
    )


def head_signature_valid(head: TreeHead, public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(_unb64(head.signature), canonical(head.signed_fields()))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class LogCheck:
    entries: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_log(
    entries: Sequence[tuple[int, bytes, str]],
    heads: Sequence[TreeHead],
    resolve_key: Callable[[str], bytes | None],
) -> LogCheck:
    """A copy of the log, end to end: every leaf hash recomputed from its data, indexes contiguous,
    every head's root recomputed from the leaves and its signature checked with the issuer's key.
    `entries` are (index, leaf data, stored leaf hash hex)."""
    report = LogCheck(entries=len(entries), heads=len(heads))
    tree = InMemoryTree()
    for position, (index, data, stored) in enumerate(entries):
        if index != position:
            report.problems.append(f"entry {position}: its index says {index}; the log has a gap or a duplicate")
            return report
        computed = leaf_hash(data)
        if computed.hex() != stored:
            report.problems.append(f"entry {index}: its data does not hash to the stored leaf hash")
        tree.append(computed)
    previous = -1
    for head in heads:
        if head.tree_size < previous:
            report.problems.append(f"head of size {head.tree_size} comes after a larger head: the log shrank")
        previous = head.tree_size
        if head.tree_size > tree.size:
            report.problems.append(f"head of size {head.tree_size} covers entries this copy does not have")
            continue
        if root(tree, head.tree_size).hex() != head.root_hash:
            report.problems.append(f"head of size {head.tree_size}: its root is not the root of these entries")
        public_key = resolve_key(head.key)
        if public_key is None:
            report.problems.append(f"head of size {head.tree_size}: signed by {head.key}, which is not a known key")
        elif not head_signature_valid(head, public_key):
            report.problems.append(f"head of size {head.tree_size}: the signature does not verify")
    return report
