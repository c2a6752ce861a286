"""Housekeeping jobs: expired sessions, reset links and rate-limit windows are deleted; status lists re-signed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from assay.db.repositories import accounts as repo
from assay.services import jobs
from assay.services.ratelimit import DatabaseRateLimiter
from assay.services.runtime import Runtime


@jobs.handler("maintenance.purge_expired")
def purge_expired(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    now = rt.clock.now()
    repo.delete_expired_sessions(db, now)
    repo.delete_expired_resets(db, now)
    DatabaseRateLimiter(rt.clock).purge(db)


def schedule(db: Session, rt: Runtime) -> None:
    """Queue this hour's housekeeping once, however many servers call this."""
    hour = rt.clock.now().strftime("%Y%m%dT%H")
    jobs.enqueue(db, rt, kind="maintenance.purge_expired", payload={}, dedupe_key=f"maintenance.purge_expired:{hour}")
    # Status lists are re-signed well before they lapse (they are valid for two days by default).
    jobs.enqueue(db, rt, kind="statuslists.publish", payload={}, dedupe_key=f"statuslists.publish:{hour}")
    day = rt.clock.now().strftime("%Y%m%d")
    jobs.enqueue(
        db, rt, kind="credentials.expiry_reminders", payload={}, dedupe_key=f"credentials.expiry_reminders:{day}"
    )
    # Reviewers reminded two days before a review is due; overdue reviews passed on; waiting work assigned.
    jobs.enqueue(db, rt, kind="panel.reminders", payload={}, dedupe_key=f"panel.reminders:{day}")
    # Exams left open past their deadline are closed and scored; held results are released.
    jobs.enqueue(db, rt, kind="exams.sweep", payload={}, dedupe_key=f"exams.sweep:{hour}")
    # A signed head of the transparency log every hour (with the audit trail's head anchored in it).
    jobs.enqueue(db, rt, kind="translog.publish_head", payload={}, dedupe_key=f"translog.publish_head:{hour}")
