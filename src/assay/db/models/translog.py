"""The transparency log: its leaves, the perfect subtree hashes kept as it grows, and signed tree heads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class LogEntry(Base):
    __tablename__ = "log_entries"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[str] = mapped_column(Text)  # the canonical JSON the leaf hash is computed over
    leaf_hash: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64), index=True)  # what it is about: a document hash, a key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LogNode(Base):
    """The hash of leaves [index·2^level, (index+1)·2^level), stored once the subtree is complete."""

    __tablename__ = "log_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    __tablename__ = "log_heads"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    key: Mapped[str] = mapped_column(String(400))
    document: Mapped[str] = mapped_column(Text)  # the signed head as published
