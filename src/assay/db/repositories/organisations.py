"""Queries over organisations, memberships and invitations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.db.models import Invitation, Membership, Organisation


def by_slug(db: Session, slug: str) -> Organisation | None:
    return db.scalars(select(Organisation).where(Organisation.slug == slug)).one_or_none()


def by_id(db: Session, organisation_id: str) -> Organisation | None:
    return db.get(Organisation, organisation_id)


def memberships_of_user(db: Session, user_id: str) -> list[Membership]:
    return list(db.scalars(select(Membership).where(Membership.user_id == user_id)))


def organisations_of_user(db: Session, user_id: str) -> list[Organisation]:
    stmt = (
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id)
        .order_by(Organisation.name)
    )
    return list(db.scalars(stmt))


def members(db: Session, organisation_id: str) -> list[Membership]:
    stmt = select(Membership).where(Membership.organisation_id == organisation_id).order_by(Membership.joined_at)
    return list(db.scalars(stmt))


def membership(db: Session, organisation_id: str, user_id: str) -> Membership | None:
    stmt = select(Membership).where(Membership.organisation_id == organisation_id, Membership.user_id == user_id)
    return db.scalars(stmt).one_or_none()


def invitation_by_digest(db: Session, digest: str) -> Invitation | None:
    return db.scalars(select(Invitation).where(Invitation.token_digest == digest)).one_or_none()


def invitation_by_id(db: Session, invitation_id: str) -> Invitation | None:
    return db.get(Invitation, invitation_id)


def open_invitations(db: Session, organisation_id: str) -> list[Invitation]:
    stmt = (
        select(Invitation)
        .where(
            Invitation.organisation_id == organisation_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at)
    )
    return list(db.scalars(stmt))


def organisation_ids_of(db: Session, user_id: str) -> set[str]:
    return set(db.scalars(select(Membership.organisation_id).where(Membership.user_id == user_id)))


def colleagues(db: Session, user_id: str, other_id: str) -> bool:
    """Whether two people share an organisation: the conflict of interest reviews exclude."""
    return bool(organisation_ids_of(db, user_id) & organisation_ids_of(db, other_id))
