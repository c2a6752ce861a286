"""One exception tree for the whole product, mapped to HTTP in one place (assay.web.errors).

AssayError
 ├── NotFound                 the thing does not exist, or the caller may not know it exists
 ├── PermissionDenied         signed in, but not allowed
 ├── AuthenticationRequired   not signed in (or a bad credential)
 ├── ValidationFailed         input a person can correct; carries field messages
 ├── Conflict                 the request clashes with current state (duplicate, stale)
 ├── RateLimited              too many attempts; carries retry_after seconds
 ├── IntegrityViolation       stored data fails its own checks (audit chain, signatures)
 └── ExternalServiceError     an outbound call failed or was refused
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class AssayError(Exception):
    """Base of every error Assay raises on purpose. `message` is safe to show to a person.

    `after_rollback`, when set, is called with the session once the failed unit of work has rolled
    back, and what it writes is committed: a refusal is recorded (in the audit trail) while nothing
    of the refused action is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.after_rollback: Callable[[Any], None] | None = None


class NotFound(AssayError):
    pass


class PermissionDenied(AssayError):
    pass


class AuthenticationRequired(AssayError):
    pass


class ValidationFailed(AssayError):
    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})


class Conflict(AssayError):
    pass


class RateLimited(AssayError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class IntegrityViolation(AssayError):
    pass


class ExternalServiceError(AssayError):
    pass
