"""Blind panel review: who may review, conflicts, two blind reviewers per submission, adjudication by
a third, due dates and reminders. (Calibration and agreement between reviewers: services.calibration.)

Eligibility: a reviewer has the reviewer role and either holds a current credential of the
programme (or of one above it on the ladder), or a founding-panel seat a registrar gave them.
Founding seats lapse once FOUNDING_LAPSE_AT credentialed reviewers exist for the programme.

Conflicts (never assigned, and refused if tried): the candidate themselves, anyone sharing an
organisation with the candidate, a declared conflict with the candidate or their organisation, and
a submission the reviewer has already reviewed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.accounts import normalise_email
from assay.core.certification.rules import TaskOutcome, disagreements, task_outcome
from assay.core.certification.tasks import DIMENSIONS
from assay.core.errors import AssayError, Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, decide, require
from assay.db.models import DeclaredConflict, PanelSeat, ReviewAssignment, TaskReview, TaskSubmission, User
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import certification as repo
from assay.db.repositories import organisations as org_repo
from assay.db.repositories import panel as panel_repo
from assay.services import audit, jobs, mail
from assay.services import programmes as content
from assay.services.accounts import principal_for
from assay.services.runtime import Runtime

REVIEW_DAYS = 10  # from assignment to due date
REMIND_BEFORE = timedelta(days=2)
FOUNDING_LAPSE_AT = 5  # credentialed reviewers of a programme after which founding seats lapse
MIN_JUSTIFICATION = 40


# --- who may review --------------------------------------------------------------------------------


def _above(programme_id: str) -> set[str]:
    """The programme and every programme that has it, directly or not, as a prerequisite."""
    out = {programme_id}
    changed = True
    while changed:
        changed = False
        for p in content.all_programmes():
            if p.id not in out and out & set(p.prerequisites):
                out.add(p.id)
                changed = True
    return out


def credentialed(db: Session, rt: Runtime, user_id: str, programme_id: str) -> bool:
    now = rt.clock.now()
    return any(content.holds_current(db, user_id, p, now) for p in _above(programme_id))


def credentialed_reviewers(db: Session, rt: Runtime, programme_id: str) -> list[User]:
    out = []
    for user in account_repo.users_with_role(db, "reviewer"):
        if credentialed(db, rt, user.id, programme_id):
            out.append(user)
    return out


def _lapse_founding_seats(db: Session, rt: Runtime, programme_id: str) -> None:
    seats = panel_repo.active_seats(db, programme_id)
    if not seats:
        return
    count = len(credentialed_reviewers(db, rt, programme_id))
    if count < FOUNDING_LAPSE_AT:
        return
    now = rt.clock.now()
    for seat in seats:
        seat.lapsed_at = now
        audit.record(
            db,
            clock=rt.clock,
            actor_id=None,
            action="panel.founding_seat_lapsed",
            subject_type="panel_seat",
            subject_id=seat.id,
            details={"programme": programme_id, "credentialed_reviewers": count},
        )
    db.flush()


def eligible(db: Session, rt: Runtime, user: User, programme_id: str) -> bool:
    if not decide(principal_for(db, user), Permission.SUBMISSION_REVIEW).allowed:
        return False
    if credentialed(db, rt, user.id, programme_id):
        return True
    _lapse_founding_seats(db, rt, programme_id)
    return any(s.user_id == user.id for s in panel_repo.active_seats(db, programme_id))


def reviewers_by_email(db: Session, emails: Iterable[str], *, what: str) -> list[User]:
    """The named people, each an account with the reviewer role, each named once."""
    out: list[User] = []
    for email in emails:
        user = account_repo.user_by_email(db, normalise_email(email))
        if user is None:
            raise NotFound(f"No account uses {email}.")
        if not decide(principal_for(db, user), Permission.SUBMISSION_REVIEW).allowed:
            raise ValidationFailed(f"{user.email} is not a reviewer; {what} are drawn from the panel.")
        if any(u.id == user.id for u in out):
            raise ValidationFailed(f"{user.email} is named twice.")
        out.append(user)
    return out


def seat_founding(
    db: Session, rt: Runtime, *, registrar: Principal, email: str, programme_id: str, reason: str
) -> PanelSeat:
    """Seat a founding panellist: someone trusted to review before anyone holds the credential."""
    require(registrar, Permission.CREDENTIAL_APPROVE)
    p = content.programme(programme_id)
    [user] = reviewers_by_email(db, [email], what="founding panellists")
    if len(reason.strip()) < 20:
        raise ValidationFailed("Record why this person is seated (their standing in the field), in a sentence or more.")
    if any(s.user_id == user.id for s in panel_repo.active_seats(db, p.id)):
        raise Conflict(f"{user.email} already holds a founding seat for {p.name}.")
    count = len(credentialed_reviewers(db, rt, p.id))
    if count >= FOUNDING_LAPSE_AT:
        raise Conflict(f"{p.name} has {count} credentialed reviewers; founding seats are no longer given.")
    now = rt.clock.now()
    seat = PanelSeat(
        id=new_id(now),
        user_id=user.id,
        programme_id=p.id,
        seated_by=registrar.user_id,
        seated_at=now,
        reason=reason.strip(),
    )
    db.add(seat)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action="panel.founding_seat",
        subject_type="panel_seat",
        subject_id=seat.id,
        details={"programme": p.id, "reviewer": user.id, "reason": reason.strip()},
    )
    return seat


def declare_conflict(
    db: Session,
    rt: Runtime,
    *,
    reviewer: Principal,
    reason: str,
    email: str | None = None,
    organisation_slug: str | None = None,
) -> DeclaredConflict:
    require(reviewer, Permission.SUBMISSION_REVIEW)
    if not reason.strip():
        raise ValidationFailed("Say what the conflict is.")
    user_id = org_id = None
    if email:
        user = account_repo.user_by_email(db, normalise_email(email))
        if user is None:
            raise NotFound(f"No account uses {email}.")
        user_id = user.id
    if organisation_slug:
        org = org_repo.by_slug(db, organisation_slug)
        if org is None:
            raise NotFound(f"There is no organisation {organisation_slug}.")
        org_id = org.id
    if user_id is None and org_id is None:
        raise ValidationFailed("Name the person (e-mail) or the organisation you are conflicted with.")
    now = rt.clock.now()
    row = DeclaredConflict(
        id=new_id(now),
        reviewer_id=reviewer.user_id,
        user_id=user_id,
        organisation_id=org_id,
        reason=reason.strip(),
        declared_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=reviewer.user_id,
        action="panel.conflict_declared",
        subject_type="declared_conflict",
        subject_id=row.id,
    )
    return row


def conflict(db: Session, reviewer_id: str, submission: TaskSubmission) -> AssayError | None:
    """Why this reviewer may not review this submission (an error to raise), or None."""
    if reviewer_id == submission.user_id:
        return PermissionDenied("You cannot review your own submission.")
    if any(r.reviewer_id == reviewer_id for r in repo.reviews(db, submission.id)):
        return Conflict("You have already reviewed this submission.")
    if org_repo.colleagues(db, submission.user_id, reviewer_id):
        return PermissionDenied(
            "The candidate is a colleague: you share an organisation, so you cannot review this work."
        )
    for c in panel_repo.conflicts_of(db, reviewer_id):
        if c.user_id == submission.user_id or c.organisation_id in org_repo.organisation_ids_of(db, submission.user_id):
            return PermissionDenied("You declared a conflict of interest with this candidate.")
    return None


# --- assignment ------------------------------------------------------------------------------------


def _candidates_for(db: Session, rt: Runtime, submission: TaskSubmission, exclude: Iterable[str]) -> list[User]:
    taken = set(exclude) | {a.reviewer_id for a in panel_repo.assignments_of(db, submission.id)}
    load = panel_repo.open_load(db)
    pool = [
        u
        for u in account_repo.users_with_role(db, "reviewer")
        if u.id not in taken and eligible(db, rt, u, submission.programme_id) and conflict(db, u.id, submission) is None
    ]
    return sorted(pool, key=lambda u: (load.get(u.id, 0), u.id))


def _assign(db: Session, rt: Runtime, submission: TaskSubmission, reviewer: User, role: str) -> ReviewAssignment:
    now = rt.clock.now()
    row = ReviewAssignment(
        id=new_id(now),
        submission_id=submission.id,
        reviewer_id=reviewer.id,
        role=role,
        assigned_at=now,
        due_at=now + timedelta(days=REVIEW_DAYS),
        state="assigned",
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=None,
        action="panel.assigned",
        subject_type="task_submission",
        subject_id=submission.id,
        details={"reviewer": reviewer.id, "role": role, "due": row.due_at.isoformat()},
    )
    link = f"{rt.settings.base_url.rstrip('/')}/review/{submission.blind_ref}"
    mail.queue(
        db,
        rt,
        to=reviewer.email,
        subject=f"Assay: a submission to review by {row.due_at:%d %B %Y}",
        text=(
            f"You have been assigned submission {submission.blind_ref} ({content.task(submission.task_id).title}) "
            f"as the {role} reviewer. It is reviewed blind: you will not see who wrote it. Please review it by "
            f"{row.due_at:%d %B %Y}: {link}\n\nIf you know who wrote it or have any other conflict of interest, "
            "declare it instead of reviewing."
        ),
    )
    return row


def fill(db: Session, rt: Runtime, submission: TaskSubmission) -> list[ReviewAssignment]:
    """Give a submitted piece of work the reviewers it still needs: two blind reviewers, and an
    adjudicator once they disagree. Returns the new assignments (none when nobody eligible is free:
    the submission waits, and `assay panel assign` or the daily job tries again)."""
    if submission.state != "submitted":
        return []
    live = [a for a in panel_repo.assignments_of(db, submission.id) if a.state in {"assigned", "done"}]
    roles = {a.role for a in live}
    wanted = [r for r in ("first", "second") if r not in roles]
    first, second = (_scores_by_role(db, submission).get(r) for r in ("first", "second"))
    if not wanted and first and second and disagreements(first, second) and "adjudicator" not in roles:
        wanted = ["adjudicator"]
    made = []
    for role in wanted:
        pool = _candidates_for(db, rt, submission, exclude=[])
        if not pool:
            break
        made.append(_assign(db, rt, submission, pool[0], role))
    return made


def _scores_by_role(db: Session, submission: TaskSubmission) -> dict[str, dict[str, int]]:
    return {
        r.role: {d: int(v["score"]) for d, v in json.loads(r.scores).items()} for r in repo.reviews(db, submission.id)
    }


def outcome(db: Session, submission: TaskSubmission) -> TaskOutcome | None:
    by_role = _scores_by_role(db, submission)
    return task_outcome(by_role.get("first"), by_role.get("second"), by_role.get("adjudicator"))


def status(db: Session, submission: TaskSubmission) -> str:
    by_role = _scores_by_role(db, submission)
    if submission.state != "submitted":
        return "draft"
    if outcome(db, submission) is not None:
        return "reviewed"
    if by_role.get("first") and by_role.get("second"):
        return "awaiting adjudication"
    return f"in review ({len(by_role)} of 2)"


# --- reviewing -------------------------------------------------------------------------------------


def review(
    db: Session, rt: Runtime, *, reviewer: Principal, blind_ref: str, scores: Mapping[str, tuple[int, str]]
) -> TaskReview:
    """Score an assigned submission: all four dimensions 1–4, each with its justification."""
    require(reviewer, Permission.SUBMISSION_REVIEW)
    submission = repo.submission_by_ref(db, blind_ref)
    if submission is None or submission.state != "submitted":
        raise NotFound(f"No submitted work {blind_ref}.")

    def refused(exc: AssayError) -> AssayError:
        return audit.refuse(
            exc,
            clock=rt.clock,
            actor_id=reviewer.user_id,
            action="panel.review_refused",
            subject_type="task_submission",
            subject_id=submission.id,
        )

    why = conflict(db, reviewer.user_id, submission)
    if why is not None:
        raise refused(why)
    assignment = next(
        (
            a
            for a in panel_repo.assignments_of(db, submission.id, lock=True)
            if a.reviewer_id == reviewer.user_id and a.state == "assigned"
        ),
        None,
    )
    if assignment is None:
        raise refused(PermissionDenied(f"{blind_ref} is not assigned to you."))
    now = rt.clock.now()
    if now > assignment.due_at:
        raise refused(
            ValidationFailed(
                f"This review was due on {assignment.due_at:%d %B %Y}; it has been passed to another reviewer."
            )
        )
    clean: dict[str, dict[str, Any]] = {}
    for dimension in DIMENSIONS:
        value, text = scores.get(dimension, (0, ""))
        if value not in (1, 2, 3, 4):
            raise refused(ValidationFailed(f"Score {dimension} from 1 to 4.", {dimension: "1 to 4."}))
        if len(text.strip()) < MIN_JUSTIFICATION:
            raise refused(
                ValidationFailed(
                    f"Justify the {dimension} score in at least {MIN_JUSTIFICATION} characters, citing the submission.",
                    {dimension: "Justification required."},
                )
            )
        clean[dimension] = {"score": value, "justification": text.strip()}
    row = TaskReview(
        id=new_id(now),
        submission_id=submission.id,
        reviewer_id=reviewer.user_id,
        scores=json.dumps(clean, sort_keys=True),
        created_at=now,
        role=assignment.role,
    )
    db.add(row)
    assignment.state = "done"
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=reviewer.user_id,
        action="panel.reviewed",
        subject_type="task_submission",
        subject_id=submission.id,
        details={"role": assignment.role, **{d: v["score"] for d, v in clean.items()}},
    )
    if submission.anchor_scores is None:
        fill(db, rt, submission)  # an adjudicator when the two disagree
    return row


def queue(db: Session, rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    """The reviewer's open assignments, soonest due first; blind: references and tasks only."""
    require(principal, Permission.SUBMISSION_REVIEW)
    now = rt.clock.now()
    out = []
    for a in panel_repo.open_assignments(db, reviewer_id=principal.user_id):
        s = db.get_one(TaskSubmission, a.submission_id)
        out.append(
            {
                "ref": s.blind_ref,
                "task": s.task_id,
                "task_title": content.task(s.task_id).title,
                "role": a.role,
                "due_at": a.due_at,
                "overdue": a.due_at < now,
                "calibration": s.anchor_scores is not None,
            }
        )
    return sorted(out, key=lambda q: q["due_at"])


@jobs.handler("panel.reminders")
def reminders_job(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    reminders(db, rt)


def reminders(db: Session, rt: Runtime) -> tuple[int, int]:
    """Remind reviewers two days before a review is due; pass overdue reviews to someone else."""
    now = rt.clock.now()
    reminded = expired = 0
    for a in panel_repo.open_assignments(db):
        reviewer = db.get_one(User, a.reviewer_id)
        submission = db.get_one(TaskSubmission, a.submission_id)
        if a.due_at < now:
            a.state = "expired"
            expired += 1
            audit.record(
                db,
                clock=rt.clock,
                actor_id=None,
                action="panel.assignment_expired",
                subject_type="task_submission",
                subject_id=submission.id,
                details={"reviewer": reviewer.id, "role": a.role},
            )
            if submission.anchor_scores is None:
                pool = _candidates_for(db, rt, submission, exclude=[reviewer.id])
                if pool:
                    _assign(db, rt, submission, pool[0], a.role)
        elif a.reminded_at is None and a.due_at - now <= REMIND_BEFORE:
            a.reminded_at = now
            reminded += 1
            mail.queue(
                db,
                rt,
                to=reviewer.email,
                subject=f"Assay: review {submission.blind_ref} is due on {a.due_at:%d %B %Y}",
                text=(
                    f"A reminder: your review of {submission.blind_ref} is due on {a.due_at:%d %B %Y}. After that it "
                    f"passes to another reviewer. {rt.settings.base_url.rstrip('/')}/review/{submission.blind_ref}"
                ),
            )
    for submission in repo.submitted(db):  # work that waited for a free reviewer
        if submission.anchor_scores is None:
            fill(db, rt, submission)
    db.flush()
    return reminded, expired
