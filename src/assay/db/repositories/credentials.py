"""Queries over signing keys, status lists, issuance decisions and issued credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.db.models import (
    DecisionSubject,
    IssuanceDecision,
    IssuedCredential,
    SigningKey,
    StatusAllocation,
    StatusList,
)


def keys_of(db: Session, issuer_did: str) -> list[SigningKey]:
    return list(
        db.scalars(select(SigningKey).where(SigningKey.issuer_did == issuer_did).order_by(SigningKey.created_at))
    )


def active_key(db: Session, issuer_did: str) -> SigningKey | None:
    stmt = select(SigningKey).where(SigningKey.issuer_did == issuer_did, SigningKey.state == "active")
    return db.scalars(stmt).one_or_none()


def open_list(db: Session, purpose: str, *, lock: bool = False) -> StatusList | None:
    """The list new credentials get an index on: the newest with room left."""
    stmt = (
        select(StatusList)
        .where(StatusList.purpose == purpose, StatusList.allocated < StatusList.length)
        .order_by(StatusList.created_at.desc())
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update()
    return db.scalars(stmt).first()


def list_by_slug(db: Session, slug: str) -> StatusList | None:
    return db.scalars(select(StatusList).where(StatusList.slug == slug)).one_or_none()


def all_lists(db: Session) -> list[StatusList]:
    return list(db.scalars(select(StatusList).order_by(StatusList.created_at)))


def lists_needing_signature(db: Session, before: datetime) -> list[StatusList]:
    stmt = select(StatusList).where(
        (StatusList.dirty.is_(True)) | (StatusList.valid_until.is_(None)) | (StatusList.valid_until <= before)
    )
    return list(db.scalars(stmt.order_by(StatusList.created_at)))


def index_taken(db: Session, status_list_id: str, index: int) -> bool:
    stmt = select(StatusAllocation.id).where(
        StatusAllocation.status_list_id == status_list_id, StatusAllocation.list_index == index
    )
    return db.scalars(stmt.limit(1)).first() is not None


def taken_indexes(db: Session, status_list_id: str) -> list[int]:
    return list(
        db.scalars(select(StatusAllocation.list_index).where(StatusAllocation.status_list_id == status_list_id))
    )


def allocations_of(db: Session, credential_public_id: str) -> list[StatusAllocation]:
    return list(db.scalars(select(StatusAllocation).where(StatusAllocation.credential_id == credential_public_id)))


def decision(db: Session, decision_id: str, *, lock: bool = False) -> IssuanceDecision | None:
    stmt = select(IssuanceDecision).where(IssuanceDecision.id == decision_id)
    if lock:
        stmt = stmt.with_for_update()
    return db.scalars(stmt).one_or_none()


def decisions(db: Session, *, status: str | None = None) -> list[IssuanceDecision]:
    stmt = select(IssuanceDecision).order_by(IssuanceDecision.created_at.desc())
    if status:
        stmt = stmt.where(IssuanceDecision.status == status)
    return list(db.scalars(stmt))


def subjects_of(db: Session, decision_id: str) -> list[DecisionSubject]:
    return list(
        db.scalars(
            select(DecisionSubject).where(DecisionSubject.decision_id == decision_id).order_by(DecisionSubject.id)
        )
    )


def credential_for_subject(db: Session, decision_subject_id: str) -> IssuedCredential | None:
    stmt = select(IssuedCredential).where(IssuedCredential.decision_subject_id == decision_subject_id)
    return db.scalars(stmt).one_or_none()


def credential(db: Session, public_id: str) -> IssuedCredential | None:
    return db.scalars(select(IssuedCredential).where(IssuedCredential.public_id == public_id)).one_or_none()


def credentials_of_user(db: Session, user_id: str) -> list[IssuedCredential]:
    stmt = select(IssuedCredential).where(IssuedCredential.user_id == user_id).order_by(IssuedCredential.issued_at)
    return list(db.scalars(stmt))


def all_credentials(db: Session) -> list[IssuedCredential]:
    return list(db.scalars(select(IssuedCredential).order_by(IssuedCredential.issued_at)))


def renewal_of(db: Session, public_id: str) -> IssuedCredential | None:
    stmt = (
        select(IssuedCredential).where(IssuedCredential.renews == public_id).order_by(IssuedCredential.issued_at.desc())
    )
    return db.scalars(stmt.limit(1)).one_or_none()


def expiring(db: Session, *, before: datetime) -> list[IssuedCredential]:
    """Active credentials whose validity ends before `before` (and has not ended yet is the caller's test)."""
    stmt = (
        select(IssuedCredential)
        .where(IssuedCredential.state == "active", IssuedCredential.valid_until.is_not(None))
        .where(IssuedCredential.valid_until < before)
        .order_by(IssuedCredential.valid_until)
    )
    return list(db.scalars(stmt))


def subjects_to_issue(db: Session, decision_id: str, *, limit: int | None = None) -> list[DecisionSubject]:
    """The decision's people who have no credential yet, in a stable order (one query, however many)."""
    stmt = (
        select(DecisionSubject)
        .outerjoin(IssuedCredential, IssuedCredential.decision_subject_id == DecisionSubject.id)
        .where(DecisionSubject.decision_id == decision_id, IssuedCredential.id.is_(None))
        .order_by(DecisionSubject.id)
    )
    return list(db.scalars(stmt.limit(limit) if limit else stmt))


def subject_counts(db: Session, decision_id: str) -> tuple[int, int]:
    """(people in the decision, people still without a credential)."""
    total = select(func.count()).select_from(DecisionSubject).where(DecisionSubject.decision_id == decision_id)
    pending = (
        select(func.count())
        .select_from(DecisionSubject)
        .outerjoin(IssuedCredential, IssuedCredential.decision_subject_id == DecisionSubject.id)
        .where(DecisionSubject.decision_id == decision_id, IssuedCredential.id.is_(None))
    )
    return int(db.scalar(total) or 0), int(db.scalar(pending) or 0)
