"""Imported standard versions, each stored as its canonical single-document export and content hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class StandardVersionRecord(Base):
    __tablename__ = "standard_versions"
    __table_args__ = (UniqueConstraint("standard_id", "version"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    standard_id: Mapped[str] = mapped_column(String(63), index=True)
    version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    released: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)  # RFC 8785 JSON: exactly the bytes the hash covers
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str | None] = mapped_column(IdColumn(), nullable=True)
