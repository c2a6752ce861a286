"""The transparency log through the services, on both databases: every credential and key event
appended, heads signed, proofs that verify against the published heads, an end-to-end check of an
exported copy, and the audit trail anchored so that a rewritten chain is caught."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assay.core.audit import GENESIS_HASH, hash_of
from assay.core.errors import ValidationFailed
from assay.core.translog import merkle
from assay.core.translog.heads import head_from_dict
from assay.db.models import AuditEntry, LogEntry
from assay.services import audit, issuance, keys, translog
from assay.services.runtime import Runtime
from tests.services.conftest import decide


def _issue(db: Session, rt: Runtime, cast: dict[str, object], *emails: str) -> list:  # type: ignore[type-arg]
    decision_id = decide(db, rt, *emails)
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    return issuance.issue(db, rt, decision_id=decision_id)


def test_events_are_logged_with_hashes_only(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    sam, lee = _issue(db, rt, cast, "sam@example.org", "lee@example.org")
    issuance.change_state(
        db,
        rt,
        registrar=cast["Priya"],
        public_id=sam.public_id,
        action="suspend",
        reason="Under review",  # type: ignore[arg-type]
    )
    keys.rotate(db, rt)
    rows = list(db.scalars(select(LogEntry).order_by(LogEntry.index)))
    events = [r.event for r in rows]
    assert events[:3] == ["key.created", "credential.issued", "credential.issued"]
    assert events[-3:] == ["credential.suspended", "key.rotated", "key.destroyed"]  # the retired key's private half
    assert "audit.anchor" in events  # the head signed after issuing anchored the audit trail
    assert [r.index for r in rows] == list(range(len(rows)))
    for row in rows:
        assert hashlib.sha256(b"\x00" + row.data.encode()).hexdigest() == row.leaf_hash
        text = row.data.lower()
        assert "sam" not in text and "example.org" not in text and "lee" not in text  # no personal data
    issued = [json.loads(r.data) for r in rows if r.event == "credential.issued"]
    assert {d["subject"] for d in issued} == {sam.document_sha256, lee.document_sha256}


def test_heads_and_proofs_verify(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    [sam] = _issue(db, rt, cast, "sam@example.org")
    first = translog.latest_head(db)
    assert first is not None
    bundle = translog.proof_bundle(db, event="credential.issued", subject=sam.document_sha256)
    assert bundle is not None
    head = head_from_dict(bundle["tree_head"])
    leaf = merkle.leaf_hash(json.dumps(bundle["leaf"], sort_keys=True, separators=(",", ":")).encode())
    proof = [bytes.fromhex(p) for p in bundle["inclusion_proof"]]
    assert merkle.verify_inclusion(leaf, bundle["leaf_index"], head.tree_size, proof, bytes.fromhex(head.root_hash))
    # The log grows; the new head is consistent with the one the holder kept.
    _issue(db, rt, cast, "lee@example.org")
    second = translog.latest_head(db)
    assert second is not None and second.tree_size > first.tree_size
    consistency = [
        bytes.fromhex(p) for p in translog.consistency_proof(db, old_size=first.tree_size, new_size=second.tree_size)
    ]
    assert merkle.verify_consistency(
        first.tree_size, second.tree_size, bytes.fromhex(first.root_hash), bytes.fromhex(second.root_hash), consistency
    )
    with pytest.raises(ValidationFailed):
        translog.inclusion_proof(db, index=0, tree_size=10_000)
    with pytest.raises(ValidationFailed):
        translog.consistency_proof(db, old_size=0, new_size=second.tree_size)


def test_an_exported_copy_checks_out_and_tampering_is_named(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    _issue(db, rt, cast, "sam@example.org", "lee@example.org")
    keys.rotate(db, rt)
    translog.publish_head(db, rt)  # signed by the new key; the old heads by the retired one
    did = [keys.did_document(db, rt)]
    export = translog.export(db)
    report = translog.check_export(export, did)
    assert report.ok, report.problems
    assert report.heads == 2 and report.entries == len(export["entries"])

    edited = json.loads(json.dumps(export))
    edited["entries"][1]["data"] = edited["entries"][1]["data"].replace("credential.issued", "credential.revoked")
    assert any("does not hash" in p for p in translog.check_export(edited, did).problems)

    rewritten = json.loads(json.dumps(export))  # a consistent rewrite: new data, new leaf hash
    data = rewritten["entries"][1]["data"].replace('"v":1', '"v":1,"x":1')
    rewritten["entries"][1] = {
        **rewritten["entries"][1],
        "data": data,
        "leaf_hash": merkle.leaf_hash(data.encode()).hex(),
    }
    assert any("not the root of these entries" in p for p in translog.check_export(rewritten, did).problems)

    forged = json.loads(json.dumps(export))
    forged["heads"][-1]["timestamp"] = "2030-01-01T00:00:00Z"
    assert any("signature does not verify" in p for p in translog.check_export(forged, did).problems)

    with pytest.raises(ValidationFailed, match="entries"):
        translog.check_export({"entries": "nope"}, did)


def test_a_rewritten_audit_chain_is_caught_by_the_anchor(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    _issue(db, rt, cast, "sam@example.org")  # issuing signs a head, which anchors the audit head
    assert audit.verify(db).ok
    # Edit an early entry and recompute every later hash, as someone covering their tracks would.
    entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    entries[1].details = json.dumps({"rewritten": True})
    prev = entries[0].entry_hash if entries else GENESIS_HASH
    for entry in entries[1:]:
        entry.prev_hash = prev
        entry.entry_hash = hash_of(audit.as_record(entry))
        prev = entry.entry_hash
    db.flush()
    result = audit.verify(db)
    assert not result.ok
    assert "anchored in the transparency log" in (result.problem or "")


def test_appends_are_serialised_and_contiguous(db: Session, rt: Runtime) -> None:
    for n in range(9):
        translog.append(db, rt, event="audit.anchor", subject=f"{n:064x}", seq=n)
    head = translog.publish_head(db, rt)
    leaves = [bytes.fromhex(h) for h in db.scalars(select(LogEntry.leaf_hash).order_by(LogEntry.index))]
    assert (
        head.tree_size == len(leaves) and head.root_hash == merkle.root(merkle.InMemoryTree(leaves), len(leaves)).hex()
    )
    db.execute(update(LogEntry).where(LogEntry.index == 3).values(leaf_hash="0" * 64))
    assert translog.check_export(translog.export(db), [keys.did_document(db, rt)]).problems


def test_key_compromise_keeps_only_what_the_log_saw_before(
    db: Session, rt: Runtime, cast: dict[str, object], clock: object
) -> None:
    from datetime import timedelta

    from assay.core.credentials.suites import sign
    from assay.core.credentials.verification import format_time
    from assay.core.credentials.verify import verify_credential
    from assay.services import credentials_public

    [sam] = _issue(db, rt, cast, "sam@example.org")
    old = keys.active(db, rt)
    stolen = old.signer  # what a thief would hold
    clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    keys.compromise(db, rt, fragment=old.record.fragment, reason="Key file found on a laptop that was stolen")
    assert old.record.state == "compromised" and rt.keys.names() == sorted(  # the private key is gone
        k.id for k in keys.listing(db, rt) if k.state != "compromised"
    )
    assert keys.active(db, rt).record.fragment != old.record.fragment
    did = keys.did_document(db, rt)
    assert old.verification_method not in did["assertionMethod"]
    events = [e.event for e in db.scalars(select(LogEntry).order_by(LogEntry.index))]
    assert events[-4:-1] == ["key.compromised", "key.destroyed", "key.created"]

    # Sam's credential was logged under a head signed before the compromise: still valid at the registry,
    # and the result says why. An offline verifier with only the DID document fails closed.
    document = json.loads(sam.document)
    result = credentials_public.verify(db, rt, document)
    assert result.verdict.value == "valid", result.as_dict()
    assert "before it was compromised" in (result.check(credentials_public.LOG_CHECK).detail or "")  # type: ignore[union-attr]
    offline = verify_credential(document, now=rt.clock.now(), did_documents=[did], status_source={})
    assert offline.verdict.value == "invalid"

    # A credential forged with the stolen key, backdated to before the compromise: the log never saw it.
    forged = {k: v for k, v in document.items() if k != "proof"}
    forged["name"] = "Certified AI Integrator (forged)"
    forged = sign(
        forged,
        signer=stolen,
        verification_method=old.verification_method,
        cryptosuite=document["proof"]["cryptosuite"],
        created=format_time(rt.clock.now() - timedelta(days=30)),
    )
    refused = credentials_public.verify(db, rt, forged)
    assert refused.verdict.value == "invalid"
    assert "no issuance of this document" in (refused.check(credentials_public.LOG_CHECK).detail or "")  # type: ignore[union-attr]
    with pytest.raises(Exception, match="already marked compromised"):
        keys.compromise(db, rt, fragment=old.record.fragment, reason="again")
