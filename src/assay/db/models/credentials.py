"""Credentials and what they rest on: signing keys, status lists, issuance decisions, issued credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.db.base import Base, IdColumn, UTCDateTime


class SigningKey(Base):
    """The public half and state of an issuer key. The private half is in the KeyStore, never here."""

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    issuer_did: Mapped[str] = mapped_column(String(300))
    fragment: Mapped[str] = mapped_column(String(64))  # the verification method is <issuer_did>#<fragment>
    public_key_multibase: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(16))  # active | retired | compromised
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    compromised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("issuer_did", "fragment"),)


class StatusList(Base):
    __tablename__ = "status_lists"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  # the stable URL is <base>/status/<slug>
    purpose: Mapped[str] = mapped_column(String(16))  # revocation | suspension
    length: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    signed_document: Mapped[str | None] = mapped_column(Text, nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    dirty: Mapped[bool] = mapped_column(default=True)  # bits changed since the last signature
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StatusAllocation(Base):
    """An index handed out on a list. Unique forever: an index is never reused, even after revocation."""

    __tablename__ = "status_allocations"
    __table_args__ = (UniqueConstraint("status_list_id", "list_index"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    status_list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"), index=True)
    list_index: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[str] = mapped_column(String(64), index=True)
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IssuanceDecision(Base):
    """The only input to issuance: who, which programme, the evidence, the grader, and a registrar's approval."""

    __tablename__ = "issuance_decisions"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    standard_id: Mapped[str] = mapped_column(String(63))
    standard_version: Mapped[str] = mapped_column(String(20))
    graded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rationale: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | issued | rejected


class DecisionSubject(Base):
    """One person a decision covers (a batch decision covers many), with their results and evidence."""

    __tablename__ = "decision_subjects"
    __table_args__ = (UniqueConstraint("decision_id", "user_id"),)

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("issuance_decisions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # a person, or
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )  # an organisation
    results: Mapped[str] = mapped_column(Text)  # JSON list of {description_id, value, status}
    evidence: Mapped[str] = mapped_column(Text)  # JSON list of {id, name, description}
    renews: Mapped[str | None] = mapped_column(String(64), nullable=True)  # public ID of the credential renewed


class IssuedCredential(Base):
    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(IdColumn(), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)  # the unguessable token in its URL
    decision_subject_id: Mapped[str] = mapped_column(ForeignKey("decision_subjects.id"), unique=True)  # issued once
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True, nullable=True)  # a person's, or
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), nullable=True, index=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    standard_id: Mapped[str] = mapped_column(String(63))
    standard_version: Mapped[str] = mapped_column(String(20))
    signing_key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.id"))
    document: Mapped[str] = mapped_column(Text)  # the signed credential, as issued
    document_sha256: Mapped[str] = mapped_column(String(64))
    cryptosuite: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # active | suspended | revoked
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state_changed_by: Mapped[str | None] = mapped_column(IdColumn(), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The holder's choice for the public page: public | link (not listed anywhere) | anonymous (no name).
    visibility: Mapped[str] = mapped_column(String(16), default="link", server_default="link")
    renews: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # public ID it renews
    reminded_60_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # expiry reminders sent
    reminded_7_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
