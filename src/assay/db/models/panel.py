"""Panel review and standard setting: seats, declared conflicts, review assignments, calibration
rounds, Angoff studies and ratings, and pilot items promoted to operational."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class PanelSeat(Base):
    """A founding-panel seat: a registrar lets someone review a programme's work before anyone holds
    its credential. It lapses once enough credentialed reviewers exist."""

    __tablename__ = "panel_seats"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    seated_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    seated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    lapsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeclaredConflict(Base):
    """A reviewer's declared conflict of interest with a person or an organisation."""

    __tablename__ = "declared_conflicts"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewAssignment(Base):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("submission_id", "reviewer_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("task_submissions.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # first | second | adjudicator | calibration
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # assigned | done | expired
    calibration_round_id: Mapped[str | None] = mapped_column(ForeignKey("calibration_rounds.id"), nullable=True)


class CalibrationRound(Base):
    __tablename__ = "calibration_rounds"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(80))
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AngoffStudy(Base):
    __tablename__ = "angoff_studies"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    form_id: Mapped[str] = mapped_column(ForeignKey("exam_forms.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))  # open | adopted | closed
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    judges: Mapped[str] = mapped_column(Text)  # JSON list of user ids
    adopted_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cut_percent: Mapped[float | None] = mapped_column(Float, nullable=True)


class AngoffRound(Base):
    __tablename__ = "angoff_rounds"
    __table_args__ = (UniqueConstraint("study_id", "number"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    study_id: Mapped[str] = mapped_column(ForeignKey("angoff_studies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: judges' cuts, cut, SE, when closed


class AngoffRating(Base):
    __tablename__ = "angoff_ratings"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "item_ref"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("angoff_rounds.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    item_ref: Mapped[str] = mapped_column(String(30))
    rating: Mapped[float] = mapped_column(Float)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemPromotion(Base):
    """A pilot item an editor made operational, with the statistics that justified it."""

    __tablename__ = "item_promotions"

    item_ref: Mapped[str] = mapped_column(String(30), primary_key=True)
    decided_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stats: Mapped[str] = mapped_column(Text)  # JSON
