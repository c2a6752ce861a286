"""Request dependencies: the unit of work, the signed-in user, the principal, CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from assay.core.errors import AssayError, AuthenticationRequired, PermissionDenied
from assay.core.roles import Permission, Principal, decide
from assay.db.models import User
from assay.db.session import record_after_rollback
from assay.services import accounts
from assay.services.runtime import Runtime
from assay.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, UNSAFE_METHODS, csrf_valid


def get_db(request: Request) -> Iterator[Session]:
    """The request owns the transaction: commit when the handler succeeds, roll back when it raises.

    Bound with ``scope="function"`` so the commit happens before the response leaves: a client that
    follows a redirect at once must read what the request wrote, and a failed commit must surface as
    an error, never after a success page has been sent."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        record_after_rollback(session, exc)
        raise
    finally:
        session.close()


def keep_refusal(db: Session, exc: AssayError) -> None:
    """For a route that shows a refusal on its own form instead of raising: drop what the refused
    action wrote, and keep its audit record (committed with the request)."""
    db.rollback()
    if exc.after_rollback is not None:
        exc.after_rollback(db)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


DbSession = Annotated[Session, Depends(get_db, scope="function")]
Rt = Annotated[Runtime, Depends(get_runtime)]


@dataclass(frozen=True)
class SignedInAs:
    """What pages show about the signed-in person. A plain copy, not the ORM row: error pages render
    after the request's transaction has rolled back, when the row can no longer be read."""

    id: str
    display_name: str
    email: str
    created_at: datetime
    can_read_audit: bool


def get_current_user(request: Request, db: DbSession, rt: Rt) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = accounts.resolve_session(db, rt, token=token) if token else None
    if user is not None:
        can_read_audit = decide(accounts.principal_for(db, user), Permission.AUDIT_READ).allowed
        request.state.user = SignedInAs(user.id, user.display_name, user.email, user.created_at, can_read_audit)
    return user


CurrentUser = Annotated[User | None, Depends(get_current_user)]


def require_user(user: CurrentUser) -> User:
    if user is None:
        raise AuthenticationRequired("Sign in to continue.")
    return user


SignedInUser = Annotated[User, Depends(require_user)]


def get_principal(user: SignedInUser, db: DbSession) -> Principal:
    return accounts.principal_for(db, user)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


#: Public JSON endpoints that never read the session: a forged cross-site request gains nothing there.
CSRF_EXEMPT_PATHS = frozenset({"/credentials/verify"})


async def csrf_guard(request: Request) -> None:
    """Applied to every route: unsafe methods need a valid token (form field or header)."""
    if request.method not in UNSAFE_METHODS or request.url.path in CSRF_EXEMPT_PATHS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    if not csrf_valid(request, submitted):
        raise PermissionDenied(
            "This form has expired or did not come from Assay. Go back, reload the page and try again."
        )
