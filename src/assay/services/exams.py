"""Timed certification exams on the secure pool.

An attempt starts only after the identity and honour-code step and only for an eligible candidate
(prerequisites, attempt limit, retake wait). Its deadline is fixed by the server at the start. An
answer is saved as it is given and checked against the server's clock; once the deadline passes the
attempt is closed and scored with what was saved, and later answers are refused and recorded. The
result is released after scoring, once the programme's hold (for reviewing item flags) has passed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assay.core.certification import exam as rules
from assay.core.certification.forms import FormAssemblyError, assemble_forms
from assay.core.credentials.programmes import ExamSpec, ProgrammeDef
from assay.core.errors import Conflict, NotFound, ValidationFailed
from assay.core.ids import new_id, new_token
from assay.core.items.model import ItemStatus
from assay.core.roles import Permission, Principal, require
from assay.core.scoring.responses import AnswerError, score
from assay.db.models import ExamAttempt, ExamFormRecord, ExamResponse, ItemFlag, User
from assay.db.repositories import certification as repo
from assay.db.repositories import panel as panel_repo
from assay.services import audit, jobs
from assay.services import programmes as content
from assay.services.runtime import Runtime

FLAG_REASONS = {
    "ambiguous": "The question or its options are ambiguous",
    "no-correct-answer": "No option is correct",
    "several-correct": "More than one option is correct",
    "outdated": "It no longer matches current practice or the standard",
    "typo": "A typo or formatting problem",
    "other": "Something else",
}
FLAG_RESOLUTIONS = ("kept", "revise", "retire")


def _spec(p: ProgrammeDef) -> ExamSpec:
    if p.exam is None:
        raise ValidationFailed(f"{p.name} has no exam.")
    return p.exam


def _refs(text: str) -> list[str]:
    out: list[str] = json.loads(text)
    return out


def assemble(
    db: Session, rt: Runtime, *, programme_id: str, actor_id: str | None = None, seed: str | None = None
) -> list[ExamFormRecord]:
    """Retire the programme's active forms and assemble a new set to its blueprint."""
    p = content.programme(programme_id)
    spec = _spec(p)
    bank = content.secure_bank()
    now = rt.clock.now()
    promoted = panel_repo.promotions(db)  # pilot items an editor made operational, on the evidence
    pool = [
        i.model_copy(update={"status": ItemStatus.OPERATIONAL}) if i.ref in promoted else i for i in bank.items.values()
    ]
    try:
        forms = assemble_forms(
            pool,
            programme_id=p.id,
            standard_version=bank.standard_version,
            blueprint=spec.blueprint,
            length=spec.items,
            forms=spec.forms,
            max_overlap=spec.max_overlap,
            pilot_per_form=spec.pilot_items,
            seed=seed or new_token(),
            exposure=repo.exposures(db),
            exposure_cap=spec.exposure_cap,
        )
    except FormAssemblyError as exc:
        raise ValidationFailed(f"Cannot assemble forms for {p.name}: {exc}.") from None
    for old in repo.active_forms(db, p.id, bank.standard_version):
        old.state, old.retired_at = "retired", now
    rows = []
    for form in forms:
        row = db.get(ExamFormRecord, form.id)
        if row is None:
            row = ExamFormRecord(
                id=form.id, programme_id=p.id, standard_version=form.standard_version, deliveries=0, created_at=now
            )
            db.add(row)
        row.scored_refs, row.pilot_refs, row.order_refs = (
            json.dumps(list(x)) for x in (form.scored, form.pilot, form.order)
        )
        row.mean_facility, row.cut_percent = form.mean_facility, spec.cut_percent
        row.cut_source = f"programme default ({spec.cut_percent:g}%) until a modified-Angoff cut is adopted"
        row.state, row.retired_at = "active", None
        rows.append(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor_id,
        action="exam.forms_assembled",
        subject_type="programme",
        subject_id=p.id,
        details={"forms": [f.id for f in forms], "mean_facility": [f"{f.mean_facility:.3f}" for f in forms]},
    )
    return rows


def _pick_form(db: Session, rt: Runtime, p: ProgrammeDef, spec: ExamSpec) -> ExamFormRecord:
    """The active form delivered least, skipping (and retiring) forms with an item at its exposure cap."""
    version = content.secure_bank().standard_version
    for _ in range(2):
        forms = repo.active_forms(db, p.id, version) or assemble(db, rt, programme_id=p.id)
        for form in forms:
            ids = [r.partition("@")[0] for r in _refs(form.order_refs)]
            if max(repo.exposures(db, ids).values(), default=0) < spec.exposure_cap:
                return form
            form.state, form.retired_at = "retired", rt.clock.now()
        db.flush()
    raise ValidationFailed(f"No exam form for {p.name} is available; the exam team has been told.")


def start(
    db: Session, rt: Runtime, *, user: User, programme_id: str, identity_name: str, honour_accepted: bool
) -> ExamAttempt:
    p = content.require_person_programme(programme_id)
    spec = _spec(p)
    now = rt.clock.now()

    def refused(message: str, **fields: str) -> ValidationFailed:
        exc = ValidationFailed(message, fields)
        return audit.refuse(  # type: ignore[return-value]
            exc,
            clock=rt.clock,
            actor_id=user.id,
            action="exam.start_refused",
            subject_type="programme",
            subject_id=p.id,
        )

    repo.lock_user(db, user.id)
    if not rules.identity_matches(identity_name, user.display_name):
        raise refused(
            f"Type your full name exactly as it is on your account ({user.display_name}). "
            "If that name is wrong, change it in your account before the exam.",
            identity_name="Does not match the name on your account.",
        )
    if not honour_accepted:
        raise refused("Accept the honour code to start the exam.", honour="Required.")
    past = [
        rules.PastAttempt(a.started_at, a.passed if a.state == "released" else None)
        for a in repo.exam_attempts(db, user_id=user.id, programme_id=p.id)
    ]
    reason = rules.eligibility(
        spec, past, now=now, missing_prerequisites=content.missing_prerequisites(db, user.id, p, now)
    )
    if reason:
        raise refused(reason)
    form = _pick_form(db, rt, p, spec)
    repo.count_deliveries(db, form.id, [ref.partition("@")[0] for ref in _refs(form.order_refs)])
    attempt = ExamAttempt(
        id=new_id(now),
        user_id=user.id,
        programme_id=p.id,
        form_id=form.id,
        standard_version=form.standard_version,
        state="in_progress",
        identity_name=identity_name.strip(),
        honour_code="\n".join(rules.HONOUR_CODE),
        started_at=now,
        deadline_at=rules.deadline(now, spec),
        late_answers=0,
    )
    db.add(attempt)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="exam.started",
        subject_type="exam_attempt",
        subject_id=attempt.id,
        details={"programme": p.id, "form": form.id, "deadline": attempt.deadline_at.isoformat()},
    )
    return attempt


def owned(db: Session, rt: Runtime, *, user_id: str, attempt_id: str) -> ExamAttempt:
    """The candidate's own attempt, brought up to date: closed if its time ran out, released if due."""
    content.load_pool_extras(db)
    attempt = repo.exam_attempt(db, attempt_id, lock=True)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("There is no such exam attempt on your account.")
    _catch_up(db, rt, attempt)
    return attempt


def _catch_up(db: Session, rt: Runtime, attempt: ExamAttempt) -> None:
    now = rt.clock.now()
    if attempt.state == "in_progress" and now >= attempt.deadline_at:
        _finalise(db, rt, attempt, "timed_out")
    if attempt.state == "scored" and attempt.release_at is not None and attempt.release_at <= now:
        _release(db, rt, attempt)


def view(db: Session, rt: Runtime, attempt: ExamAttempt) -> dict[str, Any]:
    """What the exam page needs: items in order without keys, saved answers, flags, the server's clock."""
    saved = repo.exam_responses(db, attempt.id)
    flagged = repo.flags_of_attempt(db, attempt.id)
    form = db.get_one(ExamFormRecord, attempt.form_id)
    items = []
    for n, ref in enumerate(_refs(form.order_refs), start=1):
        item = content.secure_item(ref)
        items.append(
            {
                **item.public_view(),
                "number": n,
                "answer": json.loads(saved[ref].answer) if ref in saved else [],
                "flagged": ref in flagged,
            }
        )
    p = content.programme(attempt.programme_id)
    return {
        "attempt_id": attempt.id,
        "programme": p.id,
        "programme_name": p.name,
        "state": attempt.state,
        "deadline": attempt.deadline_at.isoformat(),
        "seconds_left": rules.seconds_left(attempt.deadline_at, rt.clock.now())
        if attempt.state == "in_progress"
        else 0,
        "answered": len(saved),
        "items": items,
    }


@dataclass(frozen=True)
class AnswerOutcome:
    accepted: bool
    message: str
    answered: int
    seconds_left: int


def answer(
    db: Session, rt: Runtime, *, user_id: str, attempt_id: str, item_id: str, choice: Sequence[str]
) -> AnswerOutcome:
    """Save one answer. After the deadline the answer is refused and recorded, and the attempt is
    closed and scored with what was saved in time: both are kept, so the refusal is not an error."""
    attempt = owned(db, rt, user_id=user_id, attempt_id=attempt_id)
    now = rt.clock.now()
    if attempt.state != "in_progress":
        if attempt.submitted_at is not None:  # submitted by the candidate, not closed by the clock
            raise audit.refuse(
                Conflict("This exam has been submitted; answers can no longer change."),
                clock=rt.clock,
                actor_id=user_id,
                action="exam.answer_refused",
                subject_type="exam_attempt",
                subject_id=attempt.id,
                details={"item": item_id},
            )
        attempt.late_answers += 1
        audit.record(
            db,
            clock=rt.clock,
            actor_id=user_id,
            action="exam.answer_refused_late",
            subject_type="exam_attempt",
            subject_id=attempt.id,
            details={"item": item_id, "deadline": attempt.deadline_at.isoformat(), "received": now.isoformat()},
        )
        return AnswerOutcome(
            False,
            "Time is up: this answer arrived after the exam's deadline and was not saved. "
            "Your answers saved before the deadline have been scored.",
            len(repo.exam_responses(db, attempt.id)),
            0,
        )
    form = db.get_one(ExamFormRecord, attempt.form_id)
    on_form = {ref.partition("@")[0]: ref for ref in _refs(form.order_refs)}
    if item_id not in on_form:
        raise ValidationFailed(f"Question {item_id} is not part of this exam.")
    item = content.secure_item(on_form[item_id])
    try:
        score(item, choice)
    except AnswerError as exc:
        raise ValidationFailed(f"That answer does not fit the question: {exc}.") from None
    saved = repo.exam_responses(db, attempt.id)
    row = saved.get(item.ref)
    if row is None:
        row = ExamResponse(id=new_id(now), attempt_id=attempt.id, item_ref=item.ref, answer="[]", answered_at=now)
        db.add(row)
    row.answer, row.answered_at = json.dumps(list(choice)), now
    db.flush()
    count = len(saved) + (0 if item.ref in saved else 1)
    return AnswerOutcome(True, "Saved.", count, rules.seconds_left(attempt.deadline_at, now))


def flag(
    db: Session, rt: Runtime, *, user_id: str, attempt_id: str, item_id: str, reason: str, comment: str = ""
) -> ItemFlag:
    attempt = owned(db, rt, user_id=user_id, attempt_id=attempt_id)
    if attempt.state != "in_progress":
        raise Conflict("Flags are raised during the exam; this attempt is closed.")
    if reason not in FLAG_REASONS:
        raise ValidationFailed("Choose why you are flagging this question.", {"reason": "Choose a reason."})
    if len(comment) > 1000:
        raise ValidationFailed("Keep the comment under 1,000 characters.", {"comment": "Too long."})
    form = db.get_one(ExamFormRecord, attempt.form_id)
    on_form = {ref.partition("@")[0]: ref for ref in _refs(form.order_refs)}
    if item_id not in on_form:
        raise ValidationFailed(f"Question {item_id} is not part of this exam.")
    existing = repo.flags_of_attempt(db, attempt.id).get(on_form[item_id])
    now = rt.clock.now()
    if existing is not None:
        existing.reason, existing.comment = reason, comment.strip()
        return existing
    row = ItemFlag(
        id=new_id(now),
        attempt_id=attempt.id,
        item_ref=on_form[item_id],
        reason=reason,
        comment=comment.strip(),
        created_at=now,
        state="open",
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user_id,
        action="exam.item_flagged",
        subject_type="item",
        subject_id=item_id,
        details={"reason": reason, "attempt": attempt.id},
    )
    return row


def submit(db: Session, rt: Runtime, *, user_id: str, attempt_id: str) -> ExamAttempt:
    attempt = owned(db, rt, user_id=user_id, attempt_id=attempt_id)
    if attempt.state != "in_progress":
        if attempt.submitted_at is None:
            return attempt  # time ran out first: it was closed and scored with the answers saved in time
        raise audit.refuse(
            Conflict("This exam was already submitted."),
            clock=rt.clock,
            actor_id=user_id,
            action="exam.submit_refused",
            subject_type="exam_attempt",
            subject_id=attempt.id,
        )
    _finalise(db, rt, attempt, "submitted")
    return attempt


def _finalise(db: Session, rt: Runtime, attempt: ExamAttempt, how: str) -> None:
    """Close and score. Exam items are right or wrong: a point only for an entirely correct answer.
    Pilot answers are scored too (for item analysis) but never count."""
    now = rt.clock.now()
    if how == "submitted":
        attempt.submitted_at = now
    form = db.get_one(ExamFormRecord, attempt.form_id)
    points: dict[str, float] = {}
    for ref, row in repo.exam_responses(db, attempt.id).items():
        row.points = 1.0 if score(content.secure_item(ref), json.loads(row.answer)) == 1.0 else 0.0
        points[ref] = row.points
    result = rules.score_exam(_refs(form.scored_refs), points, cut_percent=form.cut_percent)
    spec = _spec(content.programme(attempt.programme_id))
    attempt.state = "scored"
    attempt.scored_at = now
    attempt.percent, attempt.cut_percent, attempt.passed = result.percent, result.cut_percent, result.passed
    attempt.by_domain = json.dumps({d: list(v) for d, v in sorted(result.by_domain.items())})
    attempt.release_at = rules.release_at(now, spec)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=attempt.user_id if how == "submitted" else None,
        action=f"exam.{how}",
        subject_type="exam_attempt",
        subject_id=attempt.id,
        details={
            "percent": f"{result.percent:g}",
            "cut": f"{result.cut_percent:g}",
            "passed": result.passed,
            "form": form.id,
        },
    )
    if attempt.release_at <= now:
        _release(db, rt, attempt)


def _release(db: Session, rt: Runtime, attempt: ExamAttempt) -> None:
    attempt.state, attempt.released_at = "released", rt.clock.now()
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=None,
        action="exam.result_released",
        subject_type="exam_attempt",
        subject_id=attempt.id,
        details={"passed": attempt.passed},
    )


@jobs.handler("exams.sweep")
def sweep_job(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    sweep(db, rt)


def sweep(db: Session, rt: Runtime) -> tuple[int, int]:
    """Close attempts whose time ran out with nobody on the page, and release results that are due."""
    content.load_pool_extras(db)
    now = rt.clock.now()
    closed = 0
    for attempt in repo.overdue_attempts(db, now):
        _finalise(db, rt, attempt, "timed_out")
        closed += 1
    released = 0
    for attempt in repo.releasable_attempts(db, now):
        _release(db, rt, attempt)
        released += 1
    return closed, released


def result(attempt: ExamAttempt) -> dict[str, Any] | None:
    """The released result; None until it is released (the candidate sees that it is being processed)."""
    if attempt.state != "released":
        return None
    by_domain = json.loads(attempt.by_domain or "{}")
    return {
        "percent": attempt.percent,
        "cut_percent": attempt.cut_percent,
        "passed": attempt.passed,
        "by_domain": {d: {"points": v[0], "items": v[1]} for d, v in by_domain.items()},
        "released_at": attempt.released_at.isoformat() if attempt.released_at else None,
    }


def attempts_of(db: Session, rt: Runtime, *, user_id: str) -> list[ExamAttempt]:
    attempts = repo.exam_attempts(db, user_id=user_id)
    for attempt in attempts:
        _catch_up(db, rt, attempt)
    return attempts


def flag_queue(db: Session, principal: Principal) -> list[dict[str, Any]]:
    """Open flags grouped by item, most-flagged first: the item review queue."""
    require(principal, Permission.STANDARD_EDIT)
    content.load_pool_extras(db)
    grouped: dict[str, list[ItemFlag]] = {}
    for f in repo.flags(db):
        grouped.setdefault(f.item_ref, []).append(f)
    out = []
    for ref, rows in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        item = content.secure_item(ref)
        out.append(
            {
                "item": ref,
                "title": item.title,
                "status": item.status.value,
                "flags": [
                    {"id": f.id, "reason": FLAG_REASONS[f.reason], "comment": f.comment, "at": f.created_at.isoformat()}
                    for f in rows
                ],
            }
        )
    return out


def resolve_flags(db: Session, rt: Runtime, *, principal: Principal, item_ref: str, resolution: str, note: str) -> int:
    """Close every open flag on an item with one editorial decision, recorded."""
    require(principal, Permission.STANDARD_EDIT)
    if resolution not in FLAG_RESOLUTIONS:
        raise ValidationFailed(f"Resolve as one of: {', '.join(FLAG_RESOLUTIONS)}.", {"resolution": "Choose one."})
    if not note.strip():
        raise ValidationFailed("Say what was decided and why.", {"note": "Required."})
    rows = [f for f in repo.flags(db) if f.item_ref == item_ref]
    if not rows:
        raise NotFound(f"No open flags on {item_ref}.")
    now = rt.clock.now()
    for f in rows:
        f.state, f.resolution, f.resolution_note, f.resolved_by, f.resolved_at = (
            "resolved",
            resolution,
            note.strip(),
            principal.user_id,
            now,
        )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="exam.flags_resolved",
        subject_type="item",
        subject_id=item_ref,
        details={"resolution": resolution, "flags": len(rows), "note": note.strip()},
    )
    return len(rows)


def pool_summary() -> dict[str, Any]:
    bank = content.secure_bank()
    items = list(bank.items.values())
    by_domain: dict[str, dict[str, int]] = {}
    for item in items:
        counts = by_domain.setdefault(item.domain, {"operational": 0, "pilot": 0})
        if item.status in (ItemStatus.OPERATIONAL, ItemStatus.PILOT):
            counts[item.status.value] += 1
    return {"standard_version": bank.standard_version, "by_domain": by_domain, "total": len(items)}
