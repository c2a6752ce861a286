"""Recording consequential actions on the hash chain, and checking the chain end to end."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy.orm import Session

from assay.core.audit import GENESIS_HASH, AuditRecord, ChainVerification, canonical_json, entry_hash, verify_chain
from assay.core.clock import Clock
from assay.core.errors import AssayError
from assay.core.ids import new_id
from assay.db.models import AuditEntry
from assay.db.repositories import audit as repo


def record(
    db: Session,
    *,
    clock: Clock,
    actor_id: str | None,
    action: str,
    subject_type: str,
    subject_id: str,
    organisation_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction: if the action rolls back, so does its record."""
    repo.lock_for_append(db)
    previous = repo.head(db)
    seq = previous.seq + 1 if previous else 1
    prev_hash = previous.entry_hash if previous else GENESIS_HASH
    now = clock.now()
    # The hashed fields, stated once: the row stores exactly what the hash covers.
    fields: dict[str, Any] = {
        "seq": seq,
        "occurred_at": now,
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "organisation_id": organisation_id,
        "details": canonical_json(dict(details or {})),
        "prev_hash": prev_hash,
    }
    entry = AuditEntry(id=new_id(now), entry_hash=entry_hash(**fields), **fields)
    db.add(entry)
    db.flush()
    return entry


def refuse(
    exc: AssayError,
    *,
    clock: Clock,
    actor_id: str | None,
    action: str,
    subject_type: str,
    subject_id: str,
    details: Mapping[str, Any] | None = None,
) -> AssayError:
    """Mark a refusal to be recorded: the unit of work rolls back the refused action, then commits
    this audit entry (with the reason given to the person) on its own. Use as `raise refuse(...)`."""

    def write(db: Session) -> None:
        record(
            db,
            clock=clock,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details={**dict(details or {}), "reason": exc.message},
        )

    exc.after_rollback = write
    return exc


def as_record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor_id=entry.actor_id,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        organisation_id=entry.organisation_id,
        details=entry.details,
        prev_hash=entry.prev_hash,
        entry_hash=entry.entry_hash,
    )


def _records(db: Session) -> Iterator[AuditRecord]:
    for entry in repo.iterate(db):
        yield as_record(entry)


def verify(db: Session) -> ChainVerification:
    """The chain end to end, and against every audit head anchored in the transparency log."""
    from assay.services import translog  # the log logs audit heads; import at use, not at load

    return verify_chain(_records(db), translog.audit_anchors(db))
