"""The audit chain's hashing detects edits, removals and reorderings."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from assay.core.audit import GENESIS_HASH, AuditRecord, canonical_json, entry_hash, verify_chain


def build_chain(n: int) -> list[AuditRecord]:
    records = []
    prev = GENESIS_HASH
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "occurred_at": start + timedelta(seconds=seq),
            "actor_id": f"user-{seq % 3}",
            "action": "role.granted",
            "subject_type": "user",
            "subject_id": f"subject-{seq}",
            "organisation_id": None,
            "details": canonical_json({"role": "reviewer", "n": seq}),
            "prev_hash": prev,
        }
        digest = entry_hash(**fields)  # type: ignore[arg-type]
        records.append(AuditRecord(**fields, entry_hash=digest))  # type: ignore[arg-type]
        prev = digest
    return records


def test_an_intact_chain_verifies() -> None:
    result = verify_chain(build_chain(20))
    assert result.ok
    assert result.entries_checked == 20


def test_empty_chain_verifies() -> None:
    assert verify_chain([]).ok


def test_edited_entry_is_detected() -> None:
    chain = build_chain(10)
    chain[4] = dataclasses.replace(chain[4], details=canonical_json({"role": "admin", "n": 5}))
    result = verify_chain(chain)
    assert not result.ok
    assert result.failed_at_seq == 5
    assert "altered" in (result.problem or "")


def test_edit_with_recomputed_hash_breaks_the_next_link() -> None:
    chain = build_chain(10)
    forged = dataclasses.replace(chain[4], action="role.revoked")
    chain[4] = dataclasses.replace(
        forged,
        entry_hash=entry_hash(
            **{
                k: getattr(forged, k)
                for k in (
                    "seq",
                    "occurred_at",
                    "actor_id",
                    "action",
                    "subject_type",
                    "subject_id",
                    "organisation_id",
                    "details",
                    "prev_hash",
                )
            }
        ),
    )
    result = verify_chain(chain)
    assert not result.ok
    assert result.failed_at_seq == 6


def test_removed_entry_is_detected() -> None:
    chain = build_chain(10)
    del chain[3]
    result = verify_chain(chain)
    assert not result.ok
    assert result.failed_at_seq == 4
    assert "missing" in (result.problem or "")


def test_removed_last_entry_is_not_detectable_without_an_anchor() -> None:
    # Truncating the tail leaves a valid shorter chain; that is why the head is anchored in the
    # transparency log. This test pins the limit so nobody mistakes it for a guarantee.
    chain = build_chain(10)
    assert verify_chain(chain[:-1]).ok


def test_reordered_entries_are_detected() -> None:
    chain = build_chain(10)
    chain[2], chain[3] = chain[3], chain[2]
    assert not verify_chain(chain).ok


def test_canonical_json_refuses_floats_and_sorts_keys() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'
    with pytest.raises(ValueError, match="floats"):
        canonical_json({"score": 0.5})
