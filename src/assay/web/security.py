"""Cookies and CSRF: session tokens in HttpOnly cookies, CSRF tokens bound to the session (or visitor)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from assay.settings import Settings

SESSION_COOKIE = "assay_session"
VISITOR_COOKIE = "assay_visitor"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_binding(request: Request) -> str:
    """What a CSRF token is bound to: the session token if signed in, else the visitor cookie."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return "s:" + session
    visitor = request.cookies.get(VISITOR_COOKIE) or request.state.new_visitor_id
    return "v:" + visitor


def csrf_token_for(binding: str, secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf|" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    return csrf_token_for(csrf_binding(request), request.app.state.secret_key)


def csrf_valid(request: Request, submitted: str | None) -> bool:
    if not submitted:
        return False
    return hmac.compare_digest(submitted, csrf_token(request))


def new_visitor_id() -> str:
    return secrets.token_urlsafe(24)


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax")


def set_visitor_cookie(response: Response, visitor_id: str, settings: Settings) -> None:
    response.set_cookie(
        VISITOR_COOKIE, visitor_id, httponly=True, secure=settings.cookie_secure, samesite="lax", path="/"
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
