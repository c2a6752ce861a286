"""The result of verifying a credential: one outcome per check, and an overall verdict that fails closed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

#: Checks in the order they run, with the names people see.
CHECK_NAMES = {
    "document": "Document shape",
    "proof": "Signature (Data Integrity proof)",
    "issuer": "Issuer controls the key",
    "key_state": "Signing key state",
    "status": "Revocation and suspension status",
    "validity": "Validity window",
}


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "could not check"
    NOT_RUN = "not run"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "could not check"

    @property
    def exit_code(self) -> int:
        return {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.UNKNOWN: 2}[self]


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    detail: str

    @property
    def label(self) -> str:
        return CHECK_NAMES.get(self.name, self.name)


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    def add(self, name: str, outcome: Outcome, detail: str) -> Outcome:
        self.checks.append(Check(name, outcome, detail))
        return outcome

    def skip_rest(self, reason: str) -> None:
        done = {c.name for c in self.checks}
        for name in CHECK_NAMES:
            if name not in done:
                self.checks.append(Check(name, Outcome.NOT_RUN, reason))

    @property
    def verdict(self) -> Verdict:
        outcomes = {c.outcome for c in self.checks}
        if Outcome.FAILED in outcomes:
            return Verdict.INVALID
        # Anything unchecked means we cannot vouch for it: never "valid" by default.
        if Outcome.UNKNOWN in outcomes or Outcome.NOT_RUN in outcomes or not self.checks:
            return Verdict.UNKNOWN
        return Verdict.VALID

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "checks": [
                {"check": c.name, "label": c.label, "outcome": c.outcome.value, "detail": c.detail} for c in self.checks
            ],
        }


def parse_time(value: Any) -> datetime | None:
    """An XML Schema dateTime with a zone (what VC 2.0 requires); None if it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_validity(credential: Mapping[str, Any], now: datetime) -> tuple[Outcome, str]:
    start = credential.get("validFrom")
    end = credential.get("validUntil")
    start_at = parse_time(start) if start is not None else None
    end_at = parse_time(end) if end is not None else None
    if start is not None and start_at is None:
        return Outcome.FAILED, f"validFrom {start!r} is not a date-time with a time zone"
    if end is not None and end_at is None:
        return Outcome.FAILED, f"validUntil {end!r} is not a date-time with a time zone"
    if start_at and now < start_at:
        return Outcome.FAILED, f"not valid until {format_time(start_at)}"
    if end_at and now >= end_at:
        return Outcome.FAILED, f"expired on {format_time(end_at)}"
    if end_at:
        return Outcome.PASSED, f"valid from {start} until {format_time(end_at)}"
    return Outcome.PASSED, f"valid from {start}, with no expiry"
