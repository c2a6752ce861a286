"""Scenario questions contributed by credential holders.

A holder of an active credential proposes a single-best-answer item for a domain: the scenario,
four options each with its rationale, the keyed option, the control it measures. Two holders of a
current credential that assesses that domain review it (never the author, never a colleague). Both
accept: the item joins the secure pool as a pilot item (numbered <DOMAIN>-S-9nn), where it gathers
responses unscored and becomes operational only past the documented thresholds, by an editor's
decision (item_analysis.promote). Either rejects: it is declined with the reviewers' comments.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from assay.core.errors import AssayError, Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from assay.core.ids import new_id
from assay.core.items.model import Item
from assay.db.models import Contribution, ContributionReview, PoolItem, User
from assay.db.repositories import community as repo
from assay.db.repositories import credentials as credential_repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit, org_programme, standards
from assay.services import programmes as content
from assay.services.runtime import Runtime

LIMIT_PER_DAY = 5
REVIEWS_NEEDED = 2


def _current_programmes(db: Session, rt: Runtime, user_id: str) -> set[str]:
    now = rt.clock.now()
    return {
        c.programme_id
        for c in credential_repo.credentials_of_user(db, user_id)
        if c.state == "active" and (c.valid_until is None or c.valid_until > now)
    }


def propose(
    db: Session,
    rt: Runtime,
    *,
    user: User,
    control: str,
    title: str,
    stem: str,
    options: list[tuple[str, str]],
    correct: str,
) -> Contribution:
    if not _current_programmes(db, rt, user.id):
        raise PermissionDenied("Questions are contributed by credential holders; you hold no current credential.")
    verdict = rt.limiter.hit(db, f"contribution:{user.id}", limit=LIMIT_PER_DAY, window_seconds=86400)
    if not verdict.allowed:
        raise RateLimited(f"At most {LIMIT_PER_DAY} contributions a day; try again tomorrow.", verdict.retry_after)
    targets = standards.latest_targets()
    if control not in targets or "-" not in control:
        raise ValidationFailed("Choose the control the question measures.", {"control": "Unknown control."})
    domain = control.split("-")[0]
    letters = "abcd"
    if len(options) != 4:
        raise ValidationFailed("Give four options, each with its rationale.")
    if correct not in letters:
        raise ValidationFailed("Say which option is the best answer.", {"correct": "Choose one."})
    draft = {
        "id": f"{domain}-S-000",
        "version": 1,
        "kind": "single",
        "status": "pilot",
        "author": "Contributed by a credential holder",
        "controls": [control],
        "difficulty": "medium",
        "title": title,
        "stem": stem,
        "pool": "secure",
        "options": [
            {"id": letters[n], "text": t, "rationale": r, "correct": letters[n] == correct}
            for n, (t, r) in enumerate(options)
        ],
    }
    try:
        Item.model_validate(draft)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValidationFailed(f"The question is not complete: {problems}.") from None
    if len(stem.strip()) < 80:
        raise ValidationFailed(
            "Write the scenario in at least 80 characters: an organisation, a system, what happened.",
            {"stem": "Too short."},
        )
    if any(len(r.strip()) < 20 for _, r in options):
        raise ValidationFailed(
            "Give every option a rationale of at least 20 characters: why it is right or wrong.",
            {"options": "Rationale needed."},
        )
    now = rt.clock.now()
    row = Contribution(
        id=new_id(now), user_id=user.id, domain=domain, item=json.dumps(draft), state="submitted", created_at=now
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="contribution.proposed",
        subject_type="contribution",
        subject_id=row.id,
        details={"control": control},
    )
    return row


def may_review(db: Session, rt: Runtime, user_id: str, row: Contribution) -> str | None:
    """Why this person may not review this contribution, or None."""
    if row.user_id == user_id:
        return "You cannot review your own contribution."
    if not any(row.domain in org_programme.covered_domains(p) for p in _current_programmes(db, rt, user_id)):
        return f"Reviewers hold a current credential that assesses {row.domain}."
    if row.user_id is not None and org_repo.colleagues(db, row.user_id, user_id):
        return "The author is a colleague: you share an organisation."
    return None


def queue(db: Session, rt: Runtime, *, user: User) -> list[dict[str, Any]]:
    out = []
    for row in repo.contributions(db, state="submitted"):
        if may_review(db, rt, user.id, row) is None and not any(
            r.reviewer_id == user.id for r in repo.contribution_reviews(db, row.id)
        ):
            out.append(
                {
                    "id": row.id,
                    "domain": row.domain,
                    "item": json.loads(row.item),
                    "reviews": len(repo.contribution_reviews(db, row.id)),
                }
            )
    return out


def review(db: Session, rt: Runtime, *, user: User, contribution_id: str, accept: bool, comments: str) -> Contribution:
    row = repo.contribution(db, contribution_id)
    if row is None:
        raise NotFound("No such contribution.")
    why = may_review(db, rt, user.id, row)

    def refuse(exc: AssayError) -> AssayError:
        return audit.refuse(
            exc,
            clock=rt.clock,
            actor_id=user.id,
            action="contribution.review_refused",
            subject_type="contribution",
            subject_id=row.id,
        )

    if why is not None:
        raise refuse(PermissionDenied(why))
    if row.state != "submitted":
        raise Conflict(f"This contribution was already {row.state}.")
    reviews = repo.contribution_reviews(db, row.id)
    if any(r.reviewer_id == user.id for r in reviews):
        raise refuse(Conflict("You have already reviewed this contribution."))
    if len(comments.strip()) < 20:
        raise ValidationFailed(
            "Say why, for the author and the editors (at least 20 characters).", {"comments": "Required."}
        )
    now = rt.clock.now()
    db.add(
        ContributionReview(
            id=new_id(now),
            contribution_id=row.id,
            reviewer_id=user.id,
            verdict="accept" if accept else "reject",
            comments=comments.strip(),
            created_at=now,
        )
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="contribution.reviewed",
        subject_type="contribution",
        subject_id=row.id,
        details={"verdict": "accept" if accept else "reject"},
    )
    reviews = repo.contribution_reviews(db, row.id)
    if any(r.verdict == "reject" for r in reviews):
        row.state, row.decided_at = "rejected", now
    elif len(reviews) >= REVIEWS_NEEDED:
        _accept(db, rt, row)
    db.flush()
    return row


def _accept(db: Session, rt: Runtime, row: Contribution) -> None:
    taken = {i.id for i in content.secure_items(db)}
    number = next(n for n in range(901, 1000) if f"{row.domain}-S-{n}" not in taken)
    item_id = f"{row.domain}-S-{number}"
    data = {**json.loads(row.item), "id": item_id}
    item = Item.model_validate(data)
    now = rt.clock.now()
    db.add(PoolItem(item_id=item.id, item=json.dumps(data), contribution_id=row.id, added_at=now))
    row.state, row.decided_at, row.item_id = "accepted", now, item.ref
    db.flush()
    content.load_pool_extras(db)
    audit.record(
        db,
        clock=rt.clock,
        actor_id=None,
        action="contribution.accepted_as_pilot",
        subject_type="contribution",
        subject_id=row.id,
        details={"item": item.ref},
    )
