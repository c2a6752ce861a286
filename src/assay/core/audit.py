"""The audit chain's hashing and verification, independent of where the entries are stored.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical body, so editing,
removing or reordering any entry breaks every hash after it. Verification returns a result, never raises.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64
#: Bumped only if the hashed body changes shape; old entries keep verifying under their own version.
CHAIN_FORMAT = "assay-audit-v1"


def canonical_json(value: Mapping[str, Any]) -> str:
    """Deterministic JSON for hashing: sorted keys, no whitespace, UTF-8. Floats are refused (not stable)."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("audit details must not contain floats; use strings or integers")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    occurred_at: datetime
    actor_id: str | None
    action: str
    subject_type: str
    subject_id: str
    organisation_id: str | None
    details: str  # canonical JSON text
    prev_hash: str
    entry_hash: str


def entry_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: str | None,
    action: str,
    subject_type: str,
    subject_id: str,
    organisation_id: str | None,
    details: str,
    prev_hash: str,
) -> str:
    body = canonical_json(
        {
            "format": CHAIN_FORMAT,
            "seq": seq,
            "occurred_at": occurred_at.isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "organisation_id": organisation_id,
            "details": details,
        }
    )
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode("utf-8")).hexdigest()


def hash_of(record: AuditRecord) -> str:
    return entry_hash(
        seq=record.seq,
        occurred_at=record.occurred_at,
        actor_id=record.actor_id,
        action=record.action,
        subject_type=record.subject_type,
        subject_id=record.subject_id,
        organisation_id=record.organisation_id,
        details=record.details,
        prev_hash=record.prev_hash,
    )


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    entries_checked: int
    head_hash: str
    failed_at_seq: int | None = None
    problem: str | None = None


def verify_chain(records: Iterable[AuditRecord], anchors: Mapping[int, str] | None = None) -> ChainVerification:
    """Walk the chain in sequence order; report the first entry that is edited, missing or out of place.

    `anchors` (seq → entry hash) are heads of the chain recorded in the transparency log. Someone who
    edits an entry and recomputes every later hash makes a chain that checks out on its own; it
    cannot also rewrite the log, so the anchored hash no longer matches."""
    anchors = anchors or {}
    expected_seq = 1
    prev = GENESIS_HASH
    count = 0
    for record in records:
        if record.seq != expected_seq:
            problem = (
                f"entry {expected_seq} is missing (next present entry is {record.seq})"
                if record.seq > expected_seq
                else f"entry {record.seq} appears out of order after entry {expected_seq - 1}"
            )
            return ChainVerification(False, count, prev, expected_seq, problem)
        if record.prev_hash != prev:
            return ChainVerification(
                False, count, prev, record.seq, f"entry {record.seq} does not link to the entry before it"
            )
        if hash_of(record) != record.entry_hash:
            return ChainVerification(
                False,
                count,
                prev,
                record.seq,
                f"entry {record.seq} was altered: its content no longer matches its hash",
            )
        anchored = anchors.get(record.seq)
        if anchored is not None and anchored != record.entry_hash:
            return ChainVerification(
                False,
                count,
                prev,
                record.seq,
                f"entry {record.seq} differs from the hash anchored in the transparency log: the chain was rewritten",
            )
        prev = record.entry_hash
        expected_seq += 1
        count += 1
    missing = [seq for seq in anchors if seq >= expected_seq]
    if missing:
        return ChainVerification(
            False, count, prev, min(missing), f"entry {min(missing)} is anchored in the transparency log but missing"
        )
    return ChainVerification(True, count, prev)
