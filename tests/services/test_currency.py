"""Keeping credentials current: expiry reminders at 60 and 7 days (once each, never for a renewed
credential), and renewal as a new credential linked to the one it renews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock
from assay.core.errors import ValidationFailed
from assay.db.models import Job
from assay.services import credentials_public, issuance, reminders
from assay.services.runtime import Runtime


def _issued(
    db: Session, rt: Runtime, cast: dict[str, object], email: str = "sam@example.org", renews: str | None = None
):  # type: ignore[no-untyped-def]
    decision = issuance.create_decision(
        db,
        rt,
        programme_id="certified-ai-integrator",
        subjects=[issuance.SubjectInput(email, results=[{"description": "exam-score", "value": "81"}], renews=renews)],
        graded_by_email="jonas@example.org",
        rationale="Passed the scenario exam and both practical tasks.",
    )
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision.id)  # type: ignore[arg-type]
    [credential] = issuance.issue(db, rt, decision_id=decision.id)
    return credential


def _mail_jobs(db: Session) -> list[str]:
    return [j.payload for j in db.scalars(select(Job).where(Job.kind == "email.send").order_by(Job.created_at))]


def test_reminders_at_60_and_7_days_once_each(
    db: Session, rt: Runtime, cast: dict[str, object], clock: FrozenClock
) -> None:
    credential = _issued(db, rt, cast)
    assert credential.valid_until is not None
    before = len(_mail_jobs(db))
    assert reminders.send_due(db, rt) == 0  # two years to go
    clock.advance(credential.valid_until - clock.now() - timedelta(days=59))
    assert reminders.send_due(db, rt) == 1
    assert reminders.send_due(db, rt) == 0  # once
    clock.advance(timedelta(days=53))  # six days left
    assert reminders.send_due(db, rt) == 1
    assert reminders.send_due(db, rt) == 0
    mails = _mail_jobs(db)[before:]
    assert len(mails) == 2 and all("sam@example.org" in m and "expires on" in m for m in mails)
    clock.advance(timedelta(days=7))  # expired: nothing more to remind
    assert reminders.send_due(db, rt) == 0


def test_renewal_links_both_ways_and_stops_reminders(
    db: Session, rt: Runtime, cast: dict[str, object], clock: FrozenClock
) -> None:
    old = _issued(db, rt, cast)
    assert old.valid_until is not None
    clock.advance(old.valid_until - clock.now() - timedelta(days=30))
    new = _issued(db, rt, cast, renews=old.public_id)
    assert new.renews == old.public_id and issuance.renewal_of(db, old.public_id).public_id == new.public_id  # type: ignore[union-attr]
    assert reminders.send_due(db, rt) == 0  # already renewed: no reminder for the old one
    clock.advance(timedelta(days=31))
    view = credentials_public.credential_view(db, rt, public_id=old.public_id, client_ip="t")
    assert view is not None and view["status"] == "expired" and view["renewed_by"] == new.public_id
    fresh = credentials_public.credential_view(db, rt, public_id=new.public_id, client_ip="t")
    assert fresh is not None and fresh["status"] == "active" and fresh["renews"] == old.public_id


def test_renewals_must_be_like_for_like(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    sam = _issued(db, rt, cast)
    with pytest.raises(ValidationFailed, match="holds no credential"):
        _issued(db, rt, cast, email="lee@example.org", renews=sam.public_id)
    with pytest.raises(ValidationFailed, match="another programme"):
        issuance.create_decision(
            db,
            rt,
            programme_id="foundation",
            subjects=[issuance.SubjectInput("sam@example.org", renews=sam.public_id)],
            graded_by_email="jonas@example.org",
            rationale="Renewal.",
        )
    issuance.change_state(
        db, rt, registrar=cast["Priya"], public_id=sam.public_id, action="revoke", reason="Misconduct"
    )  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="revoked"):
        _issued(db, rt, cast, renews=sam.public_id)
