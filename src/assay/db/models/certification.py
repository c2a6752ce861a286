"""Certification: exam forms and attempts, item exposure and flags, practical-task submissions,
interviews, and the decision record (with appeals) that an issuance decision is made from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class ExamFormRecord(Base):
    """An assembled form, pinned: the items (id@version) it delivers, scored and pilot, in order."""

    __tablename__ = "exam_forms"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(80), index=True)
    standard_version: Mapped[str] = mapped_column(String(20))
    scored_refs: Mapped[str] = mapped_column(Text)  # JSON list
    pilot_refs: Mapped[str] = mapped_column(Text)  # JSON list
    order_refs: Mapped[str] = mapped_column(Text)  # JSON list: presentation order
    mean_facility: Mapped[float] = mapped_column(Float)
    cut_percent: Mapped[float] = mapped_column(Float)
    cut_source: Mapped[str] = mapped_column(String(200))  # where the cut comes from (programme default, Angoff)
    state: Mapped[str] = mapped_column(String(16))  # active | retired
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ItemExposure(Base):
    """How many candidates have been shown an item, across every form: the exposure cap's counter."""

    __tablename__ = "item_exposures"

    item_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    deliveries: Mapped[int] = mapped_column(Integer, default=0)


class ExamAttempt(Base):
    __tablename__ = "exam_attempts"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    programme_id: Mapped[str] = mapped_column(String(80), index=True)
    form_id: Mapped[str] = mapped_column(ForeignKey("exam_forms.id"))
    standard_version: Mapped[str] = mapped_column(String(20))
    # in_progress → submitted | timed_out → scored (result held) → released
    state: Mapped[str] = mapped_column(String(16))
    identity_name: Mapped[str] = mapped_column(String(200))  # as typed at the identity step
    honour_code: Mapped[str] = mapped_column(Text)  # the statements accepted, verbatim
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    cut_percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    by_domain: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON domain → [points, items]
    late_answers: Mapped[int] = mapped_column(Integer, default=0)  # refused after the deadline


class ExamResponse(Base):
    __tablename__ = "exam_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "item_ref"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True)
    item_ref: Mapped[str] = mapped_column(String(30))
    answer: Mapped[str] = mapped_column(Text)  # JSON list of option ids
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    points: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0/1 once scored


class ItemFlag(Base):
    """A candidate's "flag this item" during an exam: the item review queue."""

    __tablename__ = "item_flags"
    __table_args__ = (UniqueConstraint("attempt_id", "item_ref"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True)
    item_ref: Mapped[str] = mapped_column(String(30), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))  # open | resolved
    resolution: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TaskSubmission(Base):
    __tablename__ = "task_submissions"
    __table_args__ = (UniqueConstraint("user_id", "programme_id", "task_id", "opened_at"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    blind_ref: Mapped[str] = mapped_column(String(20), unique=True)  # what reviewers see instead of a name
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    task_id: Mapped[str] = mapped_column(String(80))
    standard_version: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))  # draft | submitted
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A calibration anchor: written by the standards team, its consensus scores known (JSON).
    anchor_scores: Mapped[str | None] = mapped_column(Text, nullable=True)
    confirmed_mentions: Mapped[str] = mapped_column(Text, default="[]")  # terms the candidate said are not them


class TaskAttachment(Base):
    __tablename__ = "task_attachments"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("task_submissions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TaskReview(Base):
    """One reviewer's scores for a submission: four dimensions, each with its justification."""

    __tablename__ = "task_reviews"
    __table_args__ = (UniqueConstraint("submission_id", "reviewer_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("task_submissions.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    scores: Mapped[str] = mapped_column(Text)  # JSON dimension → {"score": 1..4, "justification": str}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    role: Mapped[str] = mapped_column(String(16), default="first", server_default="first")  # as assigned


class InterviewSlot(Base):
    __tablename__ = "interview_slots"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(300))
    panel: Mapped[str] = mapped_column(Text)  # JSON list of user ids
    candidate_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # open | booked | held | cancelled
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)  # pass | fail
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InterviewScore(Base):
    __tablename__ = "interview_scores"
    __table_args__ = (UniqueConstraint("slot_id", "panellist_id", "domain"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("interview_slots.id", ondelete="CASCADE"), index=True)
    panellist_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    domain: Mapped[str] = mapped_column(String(10))
    score: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CertificationCase(Base):
    """The decision record for one candidate and one programme: all evidence, the rule's verdict,
    who recommended it, and the registrar's decision that becomes the IssuanceDecision."""

    __tablename__ = "certification_cases"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    standard_version: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(16))  # open | recommended | approved | rejected
    evidence: Mapped[str] = mapped_column(Text)  # JSON snapshot taken at recommendation
    verdict: Mapped[str] = mapped_column(Text)  # JSON {complete, passed, reasons}
    graders: Mapped[str] = mapped_column(Text, default="[]")  # JSON user ids of everyone who graded any of it
    recommended_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recommended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rationale: Mapped[str | None] = mapped_column(Text, nullable=True)
    issuance_decision_id: Mapped[str | None] = mapped_column(ForeignKey("issuance_decisions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("certification_cases.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    grounds: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # lodged | upheld | dismissed
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
