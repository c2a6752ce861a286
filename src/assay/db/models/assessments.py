"""Readiness attempts: the pinned form, every answer as it is given, and the scored profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)  # the URL token; only its digest is kept
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    standard_id: Mapped[str] = mapped_column(String(63))
    standard_version: Mapped[str] = mapped_column(String(20))
    blueprint_id: Mapped[str] = mapped_column(String(60))
    form_id: Mapped[str] = mapped_column(String(40))
    item_refs: Mapped[str] = mapped_column(Text)  # JSON list of "<id>@<version>", in order
    self_ratings: Mapped[str] = mapped_column(Text, default="{}")  # JSON domain → 0..3
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    profile: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON, with the scoring model's version
    campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True, index=True
    )


class AttemptResponse(Base):
    __tablename__ = "attempt_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "item_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(20))
    item_version: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(Text)  # JSON list of option ids
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportShare(Base):
    """A read-only link to one attempt's profile, separate from the attempt's own key, that its owner revokes."""

    __tablename__ = "report_shares"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Campaign(Base):
    """A team readiness campaign: an organisation's members join by link and take the assessment.

    The join link is kept in the clear (unlike bearer tokens, whose digests only are stored): it grants
    nothing by itself (joining needs a signed-in member of the organisation), and managers must be able
    to show it again."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    target_role: Mapped[str] = mapped_column(String(40))
    min_group_size: Mapped[int] = mapped_column(Integer)
    join_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
