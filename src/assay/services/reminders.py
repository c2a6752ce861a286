"""Keeping credentials current: reminders 60 and 7 days before a credential expires, by email, as jobs.

Each reminder is sent once (the credential records when); a credential already renewed, revoked or
suspended gets none. Runs daily from the scheduler; running it twice sends nothing twice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.db.models import User
from assay.db.repositories import credentials as repo
from assay.services import issuance, jobs, mail
from assay.services.runtime import Runtime

REMINDER_DAYS = (60, 7)


def send_due(db: Session, rt: Runtime) -> int:
    """Queue every reminder now due; returns how many."""
    now = rt.clock.now()
    sent = 0
    for credential in repo.expiring(db, before=now + timedelta(days=max(REMINDER_DAYS))):
        assert credential.valid_until is not None
        if credential.valid_until <= now or issuance.renewal_of(db, credential.public_id) is not None:
            continue
        left = credential.valid_until - now
        due = [d for d in REMINDER_DAYS if left <= timedelta(days=d)]
        closest = min(due)  # one email: the nearest threshold crossed (never 60 and 7 at once)
        field = f"reminded_{closest}_at"
        if getattr(credential, field) is not None:
            continue
        for d in due:  # a 7-day reminder also settles the 60-day one
            if getattr(credential, f"reminded_{d}_at") is None:
                setattr(credential, f"reminded_{d}_at", now)
        holder = db.get(User, credential.user_id) if credential.user_id else None
        if holder is None or not holder.is_active:
            continue
        programme = issuance.programmes().get(credential.programme_id)
        name = programme.name if programme else credential.programme_id
        page = f"{rt.settings.base_url.rstrip('/')}/credentials/{credential.public_id}"
        mail.queue(
            db,
            rt,
            to=holder.email,
            subject=f"Your {name} credential expires on {credential.valid_until:%d %B %Y}",
            text=(
                f"Hello {holder.display_name},\n\n"
                f"Your {name} credential expires on {credential.valid_until:%d %B %Y}, in {left.days} days. "
                "After that date its verification page will say it has expired.\n\n"
                "To renew it, ask your registrar for a renewal assessment; the renewed credential is linked to "
                f"this one, and the old page will point to it.\n\nIts verification page: {page}\n\n"
                f"Your credentials: {rt.settings.base_url.rstrip('/')}/account/credentials\n"
            ),
        )
        sent += 1
    db.flush()
    return sent


@jobs.handler("credentials.expiry_reminders")
def _reminders_job(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    send_due(db, rt)
