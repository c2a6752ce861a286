"""Exam rules that need no database: who may start, the server-side clock, and scoring.

The client's timer is a courtesy. The deadline is fixed on the server when the exam starts
(`started_at + minutes`) and every answer is checked against the server's clock when it arrives.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from assay.core.credentials.programmes import ExamSpec

#: Said to the candidate, and stored with the attempt, before the exam starts.
HONOUR_CODE: tuple[str, ...] = (
    "I am the person named on this account, and I will take this exam alone.",
    "I will not copy, photograph, record or share any question, in whole or in part, during or after the exam.",
    "I will not use another person's help or any material that discloses the questions.",
    "I understand that a breach voids the result and any credential it supports, and is recorded.",
)


@dataclass(frozen=True)
class PastAttempt:
    started_at: datetime
    passed: bool | None  # None: not scored yet (in progress or awaiting scoring)


def eligibility(
    spec: ExamSpec, past: Sequence[PastAttempt], *, now: datetime, missing_prerequisites: Sequence[str]
) -> str | None:
    """Why this candidate may not start now (a sentence they can act on), or None."""
    if missing_prerequisites:
        return "This exam needs a current credential you do not hold: " + ", ".join(missing_prerequisites) + "."
    if any(p.passed is None for p in past):
        return "You have an exam attempt that is still open or awaiting its result; finish it first."
    if any(p.passed for p in past):
        return "You have already passed this exam; its result is on your certification page."
    window_start = now - timedelta(days=spec.attempt_window_days)
    recent = [p for p in past if p.started_at >= window_start]
    if len(recent) >= spec.max_attempts:
        first = min(p.started_at for p in recent)
        reopen = first + timedelta(days=spec.attempt_window_days)
        return (
            f"You have used all {spec.max_attempts} attempts allowed in {spec.attempt_window_days} days. "
            f"You can book again from {reopen:%d %B %Y}."
        )
    if past:
        last = max(p.started_at for p in past)
        allowed = last + timedelta(days=spec.retake_wait_days)
        if now < allowed:
            return (
                f"A retake needs {spec.retake_wait_days} days after the last attempt. "
                f"You can start again from {allowed:%d %B %Y, %H:%M} UTC."
            )
    return None


def deadline(started_at: datetime, spec: ExamSpec) -> datetime:
    return started_at + timedelta(minutes=spec.minutes)


def seconds_left(deadline_at: datetime, now: datetime) -> int:
    return max(0, int((deadline_at - now).total_seconds()))


def release_at(scored_at: datetime, spec: ExamSpec) -> datetime:
    return scored_at + timedelta(hours=spec.results_hold_hours)


def identity_matches(typed: str, account_name: str) -> bool:
    """The candidate types their full name as it is on the account: case, accents and spacing aside."""

    def fold(s: str) -> str:
        s = unicodedata.normalize("NFKD", s)
        return " ".join("".join(c for c in s if not unicodedata.combining(c)).casefold().split())

    return bool(fold(typed)) and fold(typed) == fold(account_name)


@dataclass(frozen=True)
class ExamScore:
    scored_items: int
    correct: float
    percent: float
    cut_percent: float
    passed: bool
    by_domain: Mapping[str, tuple[float, int]]  # domain → (points, items)


def score_exam(scored_refs: Sequence[str], points: Mapping[str, float], *, cut_percent: float) -> ExamScore:
    """`points`: item ref → points earned (0..1) for the answers given; an unanswered item earns 0.
    Only scored refs count: pilot items never reach the score."""
    by_domain: dict[str, tuple[float, int]] = {}
    total = 0.0
    for ref in scored_refs:
        earned = points.get(ref, 0.0)
        total += earned
        domain = ref.split("-")[0]
        got, n = by_domain.get(domain, (0.0, 0))
        by_domain[domain] = (got + earned, n + 1)
    percent = round(100 * total / len(scored_refs), 2) if scored_refs else 0.0
    return ExamScore(len(scored_refs), round(total, 4), percent, cut_percent, percent >= cut_percent, by_domain)
