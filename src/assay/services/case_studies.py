"""Anonymous production case studies: what worked, what failed, what the standard missed.

The text is scrubbed of personal data and secrets (assay.core.scrub) the moment it arrives; only the
scrubbed text is stored, so no editor, reviewer or reader ever sees what was removed. The author
previews the scrubbed version first. Who wrote it is stored in a separate table, read only to show
authors their own submissions; it is never joined into what editors or the public see, and it is
deleted with the account.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from assay.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, require
from assay.core.scrub import Scrubbed, scrub
from assay.db.models import CaseStudy, CaseStudyAuthor, User
from assay.db.repositories import community as repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit, standards
from assay.services.runtime import Runtime

LIMIT_PER_DAY = 3
FIELDS = ("title", "worked", "failed", "missed")
PROMPTS = {"worked": "what worked", "failed": "what failed", "missed": "what the standard missed"}


def _names(db: Session, user: User) -> list[str]:
    return [user.display_name, user.email.split("@")[0], *(o.name for o in org_repo.organisations_of_user(db, user.id))]


def preview(db: Session, *, user: User, parts: dict[str, str]) -> dict[str, Scrubbed]:
    """What would be stored: each part scrubbed, with what was removed."""
    names = _names(db, user)
    return {k: scrub(parts.get(k, ""), names=names) for k in FIELDS}


def submit(db: Session, rt: Runtime, *, user: User, parts: dict[str, str], domains: list[str]) -> CaseStudy:
    verdict = rt.limiter.hit(db, f"case-study:{user.id}", limit=LIMIT_PER_DAY, window_seconds=86400)
    if not verdict.allowed:
        raise RateLimited(f"At most {LIMIT_PER_DAY} case studies a day; try again tomorrow.", verdict.retry_after)
    if not 5 <= len(parts.get("title", "").strip()) <= 200:
        raise ValidationFailed("Give it a title of 5 to 200 characters.", {"title": "5 to 200 characters."})
    for k in ("worked", "failed", "missed"):
        if len(parts.get(k, "").strip()) < 40:
            raise ValidationFailed(
                f"Say {PROMPTS[k]} in at least 40 characters.",
                {k: "At least 40 characters."},
            )
    known = set(standards.latest_domain_ids())
    if any(d not in known for d in domains):
        raise ValidationFailed("Choose domains of the standard.")
    clean = preview(db, user=user, parts=parts)
    now = rt.clock.now()
    row = CaseStudy(
        id=new_id(now),
        title=clean["title"].text.strip(),
        worked=clean["worked"].text.strip(),
        failed=clean["failed"].text.strip(),
        missed=clean["missed"].text.strip(),
        domains=json.dumps(sorted(set(domains))),
        redactions=sum(c.total for c in clean.values()),
        state="submitted",
        submitted_at=now,
    )
    db.add(row)
    db.flush()
    db.add(CaseStudyAuthor(case_study_id=row.id, user_id=user.id))
    db.flush()
    # The audit entry names the case study, not the author: the link lives only in case_study_authors.
    audit.record(
        db,
        clock=rt.clock,
        actor_id=None,
        action="case_study.submitted",
        subject_type="case_study",
        subject_id=row.id,
        details={"redactions": row.redactions},
    )
    return row


def decide(db: Session, rt: Runtime, *, editor: Principal, case_id: str, publish: bool) -> CaseStudy:
    require(editor, Permission.STANDARD_EDIT)
    row = repo.case_study(db, case_id)
    if row is None:
        raise NotFound("No such case study.")
    if row.state != "submitted":
        raise Conflict(f"This case study was already {row.state}.")
    row.state, row.decided_at = ("published" if publish else "declined"), rt.clock.now()
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action=f"case_study.{row.state}",
        subject_type="case_study",
        subject_id=row.id,
    )
    return row


def view(row: CaseStudy) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "worked": row.worked,
        "failed": row.failed,
        "missed": row.missed,
        "domains": json.loads(row.domains),
        "redactions": row.redactions,
        "state": row.state,
        "submitted": row.submitted_at.date().isoformat(),
    }
