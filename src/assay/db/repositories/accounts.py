"""Queries over users, sessions, password resets and role grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assay.db.models import PasswordReset, RoleGrant, User, WebSession


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalars(select(User).where(User.email == email)).one_or_none()


def user_by_id(db: Session, user_id: str) -> User | None:
    return db.get(User, user_id)


def users_by_ids(db: Session, user_ids: list[str]) -> dict[str, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(user_ids)))}


def all_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


def session_by_digest(db: Session, digest: str) -> WebSession | None:
    return db.scalars(select(WebSession).where(WebSession.token_digest == digest)).one_or_none()


def delete_sessions_of(db: Session, user_id: str) -> None:
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))


def delete_expired_sessions(db: Session, now: datetime) -> int:
    result = db.execute(delete(WebSession).where(WebSession.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def reset_by_digest(db: Session, digest: str) -> PasswordReset | None:
    return db.scalars(select(PasswordReset).where(PasswordReset.token_digest == digest)).one_or_none()


def delete_expired_resets(db: Session, now: datetime) -> int:
    result = db.execute(delete(PasswordReset).where(PasswordReset.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def grants_of(db: Session, user_id: str) -> list[RoleGrant]:
    return list(db.scalars(select(RoleGrant).where(RoleGrant.user_id == user_id).order_by(RoleGrant.granted_at)))


def grant(db: Session, user_id: str, role: str, scope: str) -> RoleGrant | None:
    stmt = select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.role == role, RoleGrant.scope == scope)
    return db.scalars(stmt).one_or_none()


def grants_in_scope(db: Session, scope: str) -> list[RoleGrant]:
    return list(db.scalars(select(RoleGrant).where(RoleGrant.scope == scope)))


def users_with_role(db: Session, role: str) -> list[User]:
    """Users holding a global role, oldest account first."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == role, RoleGrant.scope == "global", User.is_active.is_(True))
        .order_by(User.created_at, User.id)
    )
    return list(db.scalars(stmt))
