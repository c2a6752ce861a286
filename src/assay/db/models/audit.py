"""The hash-chained audit trail: append-only rows, each committing to the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    # Sequence numbers are assigned by the appender (head + 1), never by the database: a gap is tampering.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    id: Mapped[str] = mapped_column(IdColumn(), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str | None] = mapped_column(IdColumn(), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(128))
    organisation_id: Mapped[str | None] = mapped_column(IdColumn(), nullable=True, index=True)
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly the bytes that were hashed
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
