"""Queries over the audit chain; appends are serialised so two writers never claim the same position."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from assay.db.models import AuditEntry

# An arbitrary, fixed key for the PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK_KEY = 0x41535359_00000001


def lock_for_append(db: Session) -> None:
    """Hold the append lock until this transaction ends. SQLite transactions already start IMMEDIATE."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})


def head(db: Session) -> AuditEntry | None:
    return db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one_or_none()


def iterate(db: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    """All entries in sequence order, fetched in batches so a long chain never sits in memory at once."""
    after = 0
    while True:
        rows = list(db.scalars(select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(batch)))
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def recent(db: Session, *, limit: int = 50, organisation_id: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if organisation_id is not None:
        stmt = stmt.where(AuditEntry.organisation_id == organisation_id)
    return list(db.scalars(stmt))
