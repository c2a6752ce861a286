"""People and the advisory loop: public profiles, verified domains, shipped artifacts, practitioner
feedback on the standard with its triage, the triggers behind each change, and anonymous case
studies (the author's identity kept apart from the text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class Profile(Base):
    """A practitioner's profile. Private unless its owner makes it public; only public ones are listed."""

    __tablename__ = "profiles"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    headline: Mapped[str] = mapped_column(String(160), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(String(40), default="")
    availability: Mapped[str] = mapped_column(String(16), default="unavailable")  # open | limited | unavailable
    focus: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of the standard's domain ids
    visibility: Mapped[str] = mapped_column(String(16), default="private")  # private | public
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProfileDomain(Base):
    """A web domain the person controls, proven by a DNS TXT record or a .well-known file."""

    __tablename__ = "profile_domains"
    __table_args__ = (UniqueConstraint("user_id", "domain"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253))
    token: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # pending | verified | failed
    method: Mapped[str | None] = mapped_column(String(16), nullable=True)  # dns | well-known, once verified
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProfileArtifact(Base):
    """Something the person shipped: a link and a summary, claimed, or verified by a reviewer."""

    __tablename__ = "profile_artifacts"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    url: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # claimed | verified
    verified_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verification_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Feedback(Base):
    """Structured feedback on the standard from a credential holder, with its triage."""

    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    credential_public_id: Mapped[str] = mapped_column(String(64))
    standard_version: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(20))  # a domain or control id of that version
    kind: Mapped[str] = mapped_column(String(16))  # gap | outdated | expansion
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # new | triaged | accepted | declined | duplicate | resolved
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    triaged_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChangeTrigger(Base):
    """What triggered a change in a version of the standard: feedback, exam statistics, a case study."""

    __tablename__ = "change_triggers"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    standard_version: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(20))  # the control or domain the change is about
    kind: Mapped[str] = mapped_column(String(20))  # feedback | exam-statistics | case-study | editorial
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)  # feedback or case-study id
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseStudy(Base):
    """An anonymous production case study. Only the scrubbed text is ever stored."""

    __tablename__ = "case_studies"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    worked: Mapped[str] = mapped_column(Text)
    failed: Mapped[str] = mapped_column(Text)
    missed: Mapped[str] = mapped_column(Text)  # what the standard missed
    domains: Mapped[str] = mapped_column(Text, default="[]")
    redactions: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16))  # submitted | published | declined
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseStudyAuthor(Base):
    """Who wrote a case study, kept apart from it: read only to let the author see or withdraw it."""

    __tablename__ = "case_study_authors"

    case_study_id: Mapped[str] = mapped_column(ForeignKey("case_studies.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Contribution(Base):
    """A scenario question proposed by a credential holder, reviewed by two holders of a relevant
    credential; when both accept, the item joins the secure pool as a pilot item."""

    __tablename__ = "contributions"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    domain: Mapped[str] = mapped_column(String(10))
    item: Mapped[str] = mapped_column(Text)  # JSON: the proposed item in the bank's schema
    state: Mapped[str] = mapped_column(String(16))  # submitted | accepted | rejected
    item_id: Mapped[str | None] = mapped_column(String(20), nullable=True)  # once accepted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ContributionReview(Base):
    __tablename__ = "contribution_reviews"
    __table_args__ = (UniqueConstraint("contribution_id", "reviewer_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    contribution_id: Mapped[str] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(10))  # accept | reject
    comments: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PoolItem(Base):
    """An item added to the secure pool from the database (an accepted contribution), as a pilot."""

    __tablename__ = "pool_items"

    item_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    item: Mapped[str] = mapped_column(Text)  # JSON in the bank's schema, status pilot
    contribution_id: Mapped[str | None] = mapped_column(ForeignKey("contributions.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewOptIn(Base):
    """A holder's wish to be invited to review draft versions of the standard."""

    __tablename__ = "review_opt_ins"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    opted_in_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DraftVersion(Base):
    """A proposed version of the standard, opened for comment to invited specialist holders."""

    __tablename__ = "draft_versions"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    base_version: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    programmes: Mapped[str] = mapped_column(Text)  # JSON: specialist programmes whose holders are invited
    state: Mapped[str] = mapped_column(String(16))  # open | published
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DraftChange(Base):
    __tablename__ = "draft_changes"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("draft_versions.id", ondelete="CASCADE"), index=True)
    control_id: Mapped[str] = mapped_column(String(20))
    statement: Mapped[str] = mapped_column(Text)  # the proposed normative statement
    rationale: Mapped[str] = mapped_column(Text)


class DraftInvitation(Base):
    __tablename__ = "draft_invitations"
    __table_args__ = (UniqueConstraint("draft_id", "user_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("draft_versions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DraftComment(Base):
    __tablename__ = "draft_comments"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("draft_versions.id", ondelete="CASCADE"), index=True)
    change_id: Mapped[str] = mapped_column(ForeignKey("draft_changes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)  # adopted | declined | noted
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PracticeApplication(Base):
    """A consultancy's application for the practice certification: its method evidence, then two
    assessors' findings, then a registrar's decision."""

    __tablename__ = "practice_applications"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    evidence: Mapped[str] = mapped_column(Text, default="{}")  # JSON requirement → the practice's evidence
    state: Mapped[str] = mapped_column(String(16))  # draft | submitted | recommended | not-met | approved | rejected
    submitted_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    issuance_decision_id: Mapped[str | None] = mapped_column(ForeignKey("issuance_decisions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PracticeAssessment(Base):
    __tablename__ = "practice_assessments"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("practice_applications.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    findings: Mapped[str] = mapped_column(Text)  # JSON requirement → {"met": bool, "note": str}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
