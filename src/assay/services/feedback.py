"""The advisory loop: structured feedback from credential holders, its triage, the triggers
recorded behind each change of the standard, and the public page on how the standard evolves.

Feedback is accepted only from the holder of an active credential, named by its ID and verified
against the registry; it names a domain or control of that credential's version and a kind (gap,
outdated, expansion). It is rate limited per person. Editors triage it through
new → triaged → accepted | declined | duplicate, and accepted feedback → resolved with the version
that answered it; each state change is recorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.content import DEFAULT_STANDARD_ID
from assay.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, require
from assay.db.models import ChangeTrigger, Feedback, User
from assay.db.repositories import community as repo
from assay.db.repositories import credentials as credential_repo
from assay.services import audit, standards
from assay.services.runtime import Runtime

KINDS = {
    "gap": "A gap: something the standard does not cover",
    "outdated": "Outdated: practice has moved on",
    "expansion": "Expansion: a control that should go further",
}
TRANSITIONS = {
    "new": {"triaged", "declined", "duplicate"},
    "triaged": {"accepted", "declined", "duplicate"},
    "accepted": {"resolved"},
}
TRIGGER_KINDS = ("feedback", "exam-statistics", "case-study", "editorial", "draft-review")
LIMIT_PER_DAY = 5


def _public_id(value: str) -> str:
    value = value.strip()
    return value.rstrip("/").rsplit("/", 1)[-1] if "/" in value else value


def submit(db: Session, rt: Runtime, *, user: User, credential: str, target: str, kind: str, text: str) -> Feedback:
    verdict = rt.limiter.hit(db, f"feedback:{user.id}", limit=LIMIT_PER_DAY, window_seconds=86400)
    if not verdict.allowed:
        raise RateLimited(
            f"You have sent {LIMIT_PER_DAY} pieces of feedback today, the most a day; try again tomorrow.",
            verdict.retry_after,
        )
    public_id = _public_id(credential)
    held = credential_repo.credential(db, public_id)
    if held is None or held.user_id != user.id:
        raise PermissionDenied("Feedback comes from credential holders: give the ID of a credential you hold.")
    now = rt.clock.now()
    if held.state != "active" or (held.valid_until is not None and held.valid_until <= now):
        raise PermissionDenied("That credential is not active; feedback needs a current credential.")
    targets = standards.latest_targets()
    if target not in targets:
        raise ValidationFailed(f"{target} is not a domain or control of the standard.", {"target": "Unknown."})
    if kind not in KINDS:
        raise ValidationFailed("Say whether it is a gap, outdated or an expansion.", {"kind": "Choose one."})
    if not 40 <= len(text.strip()) <= 4000:
        raise ValidationFailed(
            "Describe it, with the production situation behind it, in 40 to 4,000 characters.",
            {"text": "40 to 4,000 characters."},
        )
    row = Feedback(
        id=new_id(now),
        user_id=user.id,
        credential_public_id=public_id,
        standard_version=held.standard_version,
        target=target,
        kind=kind,
        text=text.strip(),
        state="new",
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="feedback.submitted",
        subject_type="feedback",
        subject_id=row.id,
        details={"target": target, "kind": kind},
    )
    return row


def triage(
    db: Session, rt: Runtime, *, editor: Principal, feedback_id: str, state: str, resolution: str = ""
) -> Feedback:
    require(editor, Permission.STANDARD_EDIT)
    row = repo.feedback_item(db, feedback_id)
    if row is None:
        raise NotFound("No such feedback.")
    allowed = TRANSITIONS.get(row.state, set())
    if state not in allowed:
        raise Conflict(
            f"Feedback that is {row.state} can become: {', '.join(sorted(allowed)) or 'nothing; it is closed'}."
        )
    if state in {"declined", "duplicate", "resolved"} and len(resolution.strip()) < 20:
        raise ValidationFailed(
            "Write the resolution the practitioner will read (at least 20 characters).", {"resolution": "Required."}
        )
    row.state, row.triaged_by, row.updated_at = state, editor.user_id, rt.clock.now()
    if resolution.strip():
        row.resolution = resolution.strip()
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action=f"feedback.{state}",
        subject_type="feedback",
        subject_id=row.id,
        details={"resolution": row.resolution or ""},
    )
    return row


def record_trigger(
    db: Session,
    rt: Runtime,
    *,
    editor: Principal,
    version: str,
    target: str,
    kind: str,
    note: str,
    reference: str | None = None,
) -> ChangeTrigger:
    """Say what triggered a change in a version: accepted feedback, exam statistics, a case study, or editorial."""
    require(editor, Permission.STANDARD_EDIT)
    if kind not in TRIGGER_KINDS:
        raise ValidationFailed(f"A trigger is one of: {', '.join(TRIGGER_KINDS)}.")
    if kind == "feedback":
        item = repo.feedback_item(db, reference or "")
        if item is None or item.state not in {"accepted", "resolved"}:
            raise ValidationFailed("Name accepted feedback as the trigger.")
    if len(note.strip()) < 20:
        raise ValidationFailed("Explain the trigger in a sentence or two.")
    now = rt.clock.now()
    row = ChangeTrigger(
        id=new_id(now),
        standard_version=version,
        target=target,
        kind=kind,
        reference=reference,
        note=note.strip(),
        recorded_by=editor.user_id,
        recorded_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="standard.change_trigger",
        subject_type="change_trigger",
        subject_id=row.id,
        details={"version": version, "target": target, "kind": kind},
    )
    return row


def evolution(db: Session) -> dict[str, Any]:
    """The public page's data: per version, each change of its changelog with what triggered it;
    and the practitioners' feedback that is closed, with its resolution (no names)."""
    versions = []
    triggers = repo.triggers(db)
    stored = [sv.version for sv in standards.catalogue(db, DEFAULT_STANDARD_ID)] or list(standards.default_versions())
    for v in reversed(stored):
        changes = []
        for change in v.changes:
            targets = list(change.controls) + list(change.from_)
            changes.append(
                {
                    "kind": change.kind.value,
                    "controls": list(change.controls),
                    "from": list(change.from_),
                    "rationale": change.rationale,
                    "triggers": [
                        {"kind": t.kind, "note": t.note, "target": t.target}
                        for t in triggers
                        if t.standard_version == v.version and t.target in targets
                    ],
                }
            )
        versions.append(
            {
                "version": v.version,
                "released": v.released,
                "summary": v.summary,
                "rationale": v.rationale,
                "changes": changes,
            }
        )
    closed = [
        {
            "target": f.target,
            "kind": f.kind,
            "state": f.state,
            "resolution": f.resolution,
            "version": f.standard_version,
        }
        for f in repo.feedback(db)
        if f.state in {"resolved", "declined", "duplicate", "accepted"}
    ]
    return {
        "versions": versions,
        "feedback": closed,
        "open_feedback": sum(1 for f in repo.feedback(db) if f.state in {"new", "triaged"}),
    }
