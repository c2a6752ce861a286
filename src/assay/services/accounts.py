"""Accounts: sign-up, sign-in with rate limiting, server-side sessions, password reset, principals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from assay.core.accounts import check_display_name, check_password, normalise_email
from assay.core.errors import Conflict, ValidationFailed
from assay.core.ids import new_id, new_token, token_digest
from assay.core.roles import Principal, Role
from assay.db.models import PasswordReset, User, WebSession
from assay.db.repositories import accounts as repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit, mail
from assay.services.runtime import Runtime

RESET_VALID_FOR = timedelta(hours=1)


def sign_up(db: Session, rt: Runtime, *, email: str, display_name: str, password: str) -> User:
    email = normalise_email(email)
    name = check_display_name(display_name)
    check_password(password, email=email)
    if repo.user_by_email(db, email) is not None:
        raise Conflict("An account with that email address already exists. Sign in, or reset your password.")
    now = rt.clock.now()
    user = User(
        id=new_id(now),
        email=email,
        display_name=name,
        password_hash=rt.passwords.hash(password),
        is_active=True,
        created_at=now,
        password_changed_at=now,
    )
    db.add(user)
    db.flush()
    audit.record(
        db, clock=rt.clock, actor_id=user.id, action="account.created", subject_type="user", subject_id=user.id
    )
    return user


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None
    retry_after: int | None = None


def authenticate(db: Session, rt: Runtime, *, email: str, password: str, client_ip: str) -> SignInResult:
    """Check a password. Failures are results, not exceptions, so the attempt counters they bump are kept."""
    s = rt.settings
    window = s.login_window_seconds
    ip_verdict = rt.limiter.hit(db, f"login-ip:{client_ip}", limit=s.login_max_attempts_per_ip, window_seconds=window)
    if not ip_verdict.allowed:
        return SignInResult(
            None, "Too many sign-in attempts from your network. Try again later.", ip_verdict.retry_after
        )
    try:
        address = normalise_email(email)
    except ValidationFailed:
        return SignInResult(None, "That email address and password do not match an account.")
    account_key = f"login-account:{address}"
    locked = rt.limiter.peek(db, account_key, limit=s.login_max_failures_per_account, window_seconds=window)
    if not locked.allowed:
        minutes = max(1, round(locked.retry_after / 60))
        return SignInResult(
            None,
            f"Too many failed attempts for this account. Try again in about {minutes} minutes, or reset your password.",
            locked.retry_after,
        )
    user = repo.user_by_email(db, address)
    if user is None or not user.is_active or not _password_matches(rt, user, password):
        rt.limiter.hit(db, account_key, limit=s.login_max_failures_per_account, window_seconds=window)
        return SignInResult(None, "That email address and password do not match an account.")
    rt.limiter.reset(db, account_key)
    if rt.passwords.check_needs_rehash(user.password_hash):
        user.password_hash = rt.passwords.hash(password)
    return SignInResult(user)


def _password_matches(rt: Runtime, user: User, password: str) -> bool:
    try:
        return rt.passwords.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(db: Session, rt: Runtime, *, user: User) -> str:
    """Open a server-side session; return the token for the cookie (only its digest is stored)."""
    now = rt.clock.now()
    token = new_token()
    db.add(
        WebSession(
            id=new_id(now),
            token_digest=token_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(days=rt.settings.session_days),
            last_seen_at=now,
        )
    )
    db.flush()
    return token


def resolve_session(db: Session, rt: Runtime, *, token: str) -> User | None:
    row = repo.session_by_digest(db, token_digest(token))
    now = rt.clock.now()
    if row is None or row.expires_at <= now:
        return None
    user = repo.user_by_id(db, row.user_id)
    if user is None or not user.is_active:
        return None
    # Touch at most once a minute, so reads do not turn into writes on every request.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def end_session(db: Session, *, token: str) -> None:
    row = repo.session_by_digest(db, token_digest(token))
    if row is not None:
        db.delete(row)
        db.flush()


def request_password_reset(db: Session, rt: Runtime, *, email: str) -> None:
    """Email a reset link if the account exists. Says nothing either way, so accounts cannot be probed."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        return
    verdict = rt.limiter.hit(db, f"reset:{address}", limit=5, window_seconds=3600)
    user = repo.user_by_email(db, address)
    if user is None or not user.is_active or not verdict.allowed:
        return
    now = rt.clock.now()
    token = new_token()
    db.add(
        PasswordReset(
            id=new_id(now),
            token_digest=token_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + RESET_VALID_FOR,
        )
    )
    link = f"{rt.settings.base_url}/account/reset/{quote(token)}"
    mail.queue(
        db,
        rt,
        to=user.email,
        subject="Reset your Assay password",
        text=(
            f"Hello {user.display_name},\n\n"
            "Someone (we hope you) asked to reset the password of your Assay account.\n"
            f"Choose a new password here within the next hour:\n\n{link}\n\n"
            "If you did not ask for this, ignore this message; your password stays as it is.\n"
        ),
    )
    audit.record(
        db,
        clock=rt.clock,
        actor_id=None,
        action="account.password_reset_requested",
        subject_type="user",
        subject_id=user.id,
    )


def check_reset_token(db: Session, rt: Runtime, *, token: str) -> PasswordReset:
    reset = repo.reset_by_digest(db, token_digest(token))
    if reset is None or reset.used_at is not None or reset.expires_at <= rt.clock.now():
        raise ValidationFailed("This reset link has expired or was already used. Ask for a new one.")
    return reset


def reset_password(db: Session, rt: Runtime, *, token: str, new_password: str) -> User:
    reset = check_reset_token(db, rt, token=token)
    user = repo.user_by_id(db, reset.user_id)
    if user is None:
        raise ValidationFailed("This reset link has expired or was already used. Ask for a new one.")
    check_password(new_password, email=user.email)
    now = rt.clock.now()
    user.password_hash = rt.passwords.hash(new_password)
    user.password_changed_at = now
    reset.used_at = now
    # A reset is how people recover from a stolen password: every existing session ends.
    repo.delete_sessions_of(db, user.id)
    rt.limiter.reset(db, f"login-account:{user.email}")
    audit.record(
        db, clock=rt.clock, actor_id=user.id, action="account.password_reset", subject_type="user", subject_id=user.id
    )
    db.flush()
    return user


def principal_for(db: Session, user: User) -> Principal:
    """Everything access decisions need about a user, loaded in two queries."""
    global_roles: set[Role] = {Role.CANDIDATE}
    org_roles: dict[str, set[Role]] = {}
    for grant in repo.grants_of(db, user.id):
        role = Role(grant.role)
        if grant.scope == "global":
            global_roles.add(role)
        else:
            org_roles.setdefault(grant.scope, set()).add(role)
    memberships = frozenset(m.organisation_id for m in org_repo.memberships_of_user(db, user.id))
    return Principal(
        user_id=user.id,
        global_roles=frozenset(global_roles),
        memberships=memberships,
        organisation_roles={org: frozenset(roles) for org, roles in org_roles.items() if org in memberships},
    )
