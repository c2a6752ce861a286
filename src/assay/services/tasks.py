"""Practical tasks: open a brief, write the submission (Markdown plus attachments), submit once,
before the deadline, with anything that could name the author found and shown first.

Reviewers see a submission by its blind reference only: never the candidate's name or e-mail.
Attachments pass through the upload checks (type sniffed from content, size capped, metadata
stripped) before the file store sees them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.certification.blind import Mention, find_mentions
from assay.core.certification.rules import TaskOutcome
from assay.core.errors import AssayError, Conflict, NotFound, ValidationFailed
from assay.core.ids import new_id, new_token
from assay.db.models import TaskAttachment, TaskSubmission, User
from assay.db.repositories import certification as repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit, panel
from assay.services import programmes as content
from assay.services.runtime import Runtime

MAX_BODY_CHARS = 60_000  # about 8,000 words: the briefs ask for far less
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # each file
MAX_TOTAL_BYTES = 25 * 1024 * 1024  # all of a submission's files
MIN_JUSTIFICATION = 40  # characters: a reason a candidate or an appeal can read


def open_task(db: Session, rt: Runtime, *, user: User, programme_id: str, task_id: str) -> TaskSubmission:
    p = content.require_person_programme(programme_id)
    brief = content.task(task_id)
    if task_id not in p.tasks:
        raise ValidationFailed(f"{p.name} does not include the task “{brief.title}”.")
    now = rt.clock.now()
    repo.lock_user(db, user.id)  # one live submission per task, even when Start is pressed twice at once
    missing = content.missing_prerequisites(db, user.id, p, now)
    if missing:
        raise ValidationFailed(
            "This task belongs to a programme whose prerequisites you do not hold: " + ", ".join(missing) + "."
        )
    for existing in repo.submissions(db, user_id=user.id, programme_id=p.id):
        if existing.task_id == task_id and (existing.state == "submitted" or existing.due_at > now):
            return existing  # one live submission per task: opening again resumes it
    submission = TaskSubmission(
        id=new_id(now),
        blind_ref="S-" + new_token()[:10].upper().replace("-", "X").replace("_", "Y"),
        user_id=user.id,
        programme_id=p.id,
        task_id=task_id,
        standard_version=content.secure_bank().standard_version,
        opened_at=now,
        due_at=now + timedelta(days=brief.time_allowed_days),
        body="",
        state="draft",
        confirmed_mentions="[]",
    )
    db.add(submission)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="task.opened",
        subject_type="task_submission",
        subject_id=submission.id,
        details={"programme": p.id, "task": task_id, "due": submission.due_at.isoformat()},
    )
    return submission


def own(db: Session, *, user_id: str, submission_id: str, lock: bool = False) -> TaskSubmission:
    submission = repo.submission(db, submission_id, lock=lock)
    if submission is None or submission.user_id != user_id:
        raise NotFound("There is no such task submission on your account.")
    return submission


def _refuse(exc: AssayError, rt: Runtime, submission: TaskSubmission, action: str) -> AssayError:
    return audit.refuse(
        exc,
        clock=rt.clock,
        actor_id=submission.user_id,
        action=action,
        subject_type="task_submission",
        subject_id=submission.id,
    )


def _writable(rt: Runtime, submission: TaskSubmission, action: str) -> None:
    if submission.state == "submitted":
        raise _refuse(
            Conflict("This task was already submitted; a submission cannot change or be sent twice."),
            rt,
            submission,
            action,
        )
    if rt.clock.now() >= submission.due_at:
        raise _refuse(
            ValidationFailed(
                f"The deadline for this task passed on {submission.due_at:%d %B %Y at %H:%M} UTC; it can no longer be changed or submitted."
            ),
            rt,
            submission,
            action,
        )


def save_draft(db: Session, rt: Runtime, *, user_id: str, submission_id: str, body: str) -> TaskSubmission:
    submission = own(db, user_id=user_id, submission_id=submission_id, lock=True)
    _writable(rt, submission, "task.save_refused")
    if len(body) > MAX_BODY_CHARS:
        raise ValidationFailed(
            f"The submission is {len(body):,} characters; the limit is {MAX_BODY_CHARS:,}. Move detail into an attachment.",
            {"body": "Too long."},
        )
    submission.body = body
    db.flush()
    return submission


def attach(
    db: Session, rt: Runtime, *, user_id: str, submission_id: str, data: bytes, filename: str, declared_type: str | None
) -> TaskAttachment:
    submission = own(db, user_id=user_id, submission_id=submission_id, lock=True)
    _writable(rt, submission, "task.attach_refused")
    present = repo.attachments(db, submission.id)
    limit = content.task(submission.task_id).max_attachments
    if len(present) >= limit:
        raise _refuse(
            ValidationFailed(f"This task takes at most {limit} attachments; remove one first."),
            rt,
            submission,
            "task.attach_refused",
        )
    try:
        if sum(a.size for a in present) + len(data) > MAX_TOTAL_BYTES:
            raise ValidationFailed(
                f"A submission's attachments may total at most {MAX_TOTAL_BYTES // 1048576} MB.", {"file": "Too large."}
            )
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValidationFailed(
                f"{filename} is {len(data) / 1048576:.1f} MB; an attachment may be at most {MAX_ATTACHMENT_BYTES // 1048576} MB.",
                {"file": "Too large."},
            )
        stored = rt.files.put(data, filename=filename, declared_type=declared_type)
    except ValidationFailed as exc:
        raise _refuse(exc, rt, submission, "task.attach_refused") from None
    now = rt.clock.now()
    row = TaskAttachment(
        id=new_id(now),
        submission_id=submission.id,
        filename=stored.safe_filename,
        media_type=stored.media_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user_id,
        action="task.attachment_added",
        subject_type="task_submission",
        subject_id=submission.id,
        details={"file": stored.safe_filename, "sha256": stored.sha256, "bytes": stored.size},
    )
    return row


def remove_attachment(db: Session, rt: Runtime, *, user_id: str, submission_id: str, attachment_id: str) -> None:
    submission = own(db, user_id=user_id, submission_id=submission_id, lock=True)
    _writable(rt, submission, "task.attach_refused")
    for row in repo.attachments(db, submission.id):
        if row.id == attachment_id:
            db.delete(row)
            db.flush()
            return
    raise NotFound("There is no such attachment on this submission.")


def mentions(db: Session, submission: TaskSubmission) -> list[Mention]:
    """What in the text could name the author, less what they confirmed is not them."""
    user = db.get_one(User, submission.user_id)
    confirmed = set(json.loads(submission.confirmed_mentions))
    found = find_mentions(
        submission.body,
        full_name=user.display_name,
        email=user.email,
        organisations=[o.name for o in org_repo.organisations_of_user(db, user.id)],
    )
    for a in repo.attachments(db, submission.id):
        readable = a.filename.replace("_", " ").replace("-", " ")
        found += [
            Mention(m.term, "attachment name", 0, a.filename)
            for m in find_mentions(readable, full_name=user.display_name, email=user.email, organisations=())
        ]
    return [m for m in found if m.term.casefold() not in confirmed]


def submit(
    db: Session, rt: Runtime, *, user_id: str, submission_id: str, confirm: tuple[str, ...] = ()
) -> TaskSubmission:
    """Submit once. Anything that could identify the author must be removed, or confirmed as not
    identifying, first: the refusal lists each finding with its line."""
    submission = own(db, user_id=user_id, submission_id=submission_id, lock=True)
    _writable(rt, submission, "task.submit_refused")
    if len(submission.body.strip()) < 200:
        raise ValidationFailed(
            "The submission is nearly empty. Write your answer to the brief's deliverables before submitting.",
            {"body": "Too short."},
        )
    if confirm:
        submission.confirmed_mentions = json.dumps(
            sorted(set(json.loads(submission.confirmed_mentions)) | {c.casefold() for c in confirm})
        )
    found = mentions(db, submission)
    if found:
        listed = "; ".join(
            f"“{m.term}” ({m.kind}, line {m.line})" if m.line else f"“{m.term}” ({m.kind})" for m in found[:10]
        )
        raise ValidationFailed(
            "Review is blind, and your submission may name you: "
            + listed
            + ". Remove these, or confirm that they do not identify you.",
            {"body": "May identify you."},
        )
    now = rt.clock.now()
    submission.state, submission.submitted_at = "submitted", now
    db.flush()
    panel.fill(db, rt, submission)  # two blind reviewers, if eligible ones are free
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user_id,
        action="task.submitted",
        subject_type="task_submission",
        subject_id=submission.id,
        details={
            "task": submission.task_id,
            "chars": len(submission.body),
            "attachments": len(repo.attachments(db, submission.id)),
        },
    )
    return submission


def blind_view(db: Session, submission: TaskSubmission) -> dict[str, Any]:
    """Everything a reviewer sees, and nothing that names the candidate."""
    brief = content.task(submission.task_id)
    return {
        "ref": submission.blind_ref,
        "task": brief.id,
        "task_title": brief.title,
        "standard_version": submission.standard_version,
        "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else None,
        "body": submission.body,
        "attachments": [
            {"id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
            for a in repo.attachments(db, submission.id)
        ],
    }


def outcome_dict(o: TaskOutcome | None) -> dict[str, Any] | None:
    return asdict(o) if o is not None else None


def latest_submitted(db: Session, *, user_id: str, programme_id: str, task_id: str) -> TaskSubmission | None:
    rows = [
        s
        for s in repo.submissions(db, user_id=user_id, programme_id=programme_id)
        if s.task_id == task_id and s.state == "submitted"
    ]
    return rows[-1] if rows else None
