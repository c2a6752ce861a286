"""Queries over readiness attempts, their share links and team campaigns."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.db.models import Attempt, Campaign, ReportShare


def share_by_digest(db: Session, digest: str) -> ReportShare | None:
    return db.scalars(select(ReportShare).where(ReportShare.token_digest == digest)).one_or_none()


def shares_of(db: Session, attempt_id: str) -> list[ReportShare]:
    stmt = select(ReportShare).where(ReportShare.attempt_id == attempt_id).order_by(ReportShare.created_at)
    return list(db.scalars(stmt))


def submitted_of_user(db: Session, user_id: str) -> list[Attempt]:
    stmt = (
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at.desc())
    )
    return list(db.scalars(stmt))


def open_of_user(db: Session, user_id: str) -> list[Attempt]:
    stmt = (
        select(Attempt).where(Attempt.user_id == user_id, Attempt.submitted_at.is_(None)).order_by(Attempt.started_at)
    )
    return list(db.scalars(stmt))


def campaign_by_join_token(db: Session, token: str) -> Campaign | None:
    return db.scalars(select(Campaign).where(Campaign.join_token == token)).one_or_none()


def campaigns_of(db: Session, organisation_id: str) -> list[Campaign]:
    stmt = select(Campaign).where(Campaign.organisation_id == organisation_id).order_by(Campaign.created_at.desc())
    return list(db.scalars(stmt))


def campaign_attempt_of(db: Session, campaign_id: str, user_id: str) -> Attempt | None:
    stmt = (
        select(Attempt)
        .where(Attempt.campaign_id == campaign_id, Attempt.user_id == user_id)
        .order_by(Attempt.started_at.desc())
        .limit(1)
    )
    return db.scalars(stmt).one_or_none()


def campaign_attempts(db: Session, campaign_id: str) -> list[Attempt]:
    return list(db.scalars(select(Attempt).where(Attempt.campaign_id == campaign_id).order_by(Attempt.started_at)))


def campaign_counts(db: Session, campaign_ids: list[str]) -> dict[str, tuple[int, int]]:
    """campaign → (joined, submitted)."""
    if not campaign_ids:
        return {}
    stmt = (
        select(Attempt.campaign_id, func.count(), func.count(Attempt.submitted_at))
        .where(Attempt.campaign_id.in_(campaign_ids))
        .group_by(Attempt.campaign_id)
    )
    return {str(row[0]): (int(row[1]), int(row[2])) for row in db.execute(stmt)}
