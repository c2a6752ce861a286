"""Queries over exam forms and attempts, flags, task submissions and reviews, interviews and cases."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from assay.db.models import (
    Appeal,
    CertificationCase,
    ExamAttempt,
    ExamFormRecord,
    ExamResponse,
    InterviewScore,
    InterviewSlot,
    ItemExposure,
    ItemFlag,
    TaskAttachment,
    TaskReview,
    TaskSubmission,
    User,
)


def active_forms(db: Session, programme_id: str, standard_version: str) -> list[ExamFormRecord]:
    stmt = select(ExamFormRecord).where(
        ExamFormRecord.programme_id == programme_id,
        ExamFormRecord.standard_version == standard_version,
        ExamFormRecord.state == "active",
    )
    return list(db.scalars(stmt.order_by(ExamFormRecord.deliveries, ExamFormRecord.id)))


def forms_of(db: Session, programme_id: str | None = None) -> list[ExamFormRecord]:
    stmt = select(ExamFormRecord).order_by(ExamFormRecord.created_at)
    if programme_id is not None:
        stmt = stmt.where(ExamFormRecord.programme_id == programme_id)
    return list(db.scalars(stmt))


def exposures(db: Session, item_ids: Iterable[str] | None = None) -> dict[str, int]:
    stmt = select(ItemExposure)
    if item_ids is not None:
        stmt = stmt.where(ItemExposure.item_id.in_(list(item_ids)))
    return {e.item_id: e.deliveries for e in db.scalars(stmt)}


def count_deliveries(db: Session, form_id: str, item_ids: Iterable[str]) -> None:
    """Add one delivery to the form and to each item, atomically: an upsert per item, so concurrent
    starts neither lose a count nor collide inserting an item's first row."""
    db.execute(
        update(ExamFormRecord).where(ExamFormRecord.id == form_id).values(deliveries=ExamFormRecord.deliveries + 1)
    )
    rows = [{"item_id": i, "deliveries": 1} for i in item_ids]
    if not rows:
        return
    dialect = db.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(ItemExposure).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ItemExposure.item_id], set_={"deliveries": ItemExposure.deliveries + 1}
    )
    db.execute(stmt)


def lock_user(db: Session, user_id: str) -> None:
    """Serialise one person's starts (two tabs pressing Start at once make one attempt, not two)."""
    db.execute(select(User.id).where(User.id == user_id).with_for_update())


def exam_attempts(db: Session, *, user_id: str, programme_id: str | None = None) -> list[ExamAttempt]:
    stmt = select(ExamAttempt).where(ExamAttempt.user_id == user_id)
    if programme_id is not None:
        stmt = stmt.where(ExamAttempt.programme_id == programme_id)
    return list(db.scalars(stmt.order_by(ExamAttempt.started_at)))


def exam_attempt(db: Session, attempt_id: str, *, lock: bool = False) -> ExamAttempt | None:
    return db.get(ExamAttempt, attempt_id, with_for_update=lock)


def overdue_attempts(db: Session, now: datetime) -> list[ExamAttempt]:
    stmt = select(ExamAttempt).where(ExamAttempt.state == "in_progress", ExamAttempt.deadline_at <= now)
    return list(db.scalars(stmt))


def releasable_attempts(db: Session, now: datetime) -> list[ExamAttempt]:
    stmt = select(ExamAttempt).where(ExamAttempt.state == "scored", ExamAttempt.release_at <= now)
    return list(db.scalars(stmt))


def attempts_on_form(db: Session, form_id: str, states: Iterable[str]) -> list[ExamAttempt]:
    stmt = select(ExamAttempt).where(ExamAttempt.form_id == form_id, ExamAttempt.state.in_(list(states)))
    return list(db.scalars(stmt.order_by(ExamAttempt.started_at, ExamAttempt.id)))


def exam_responses(db: Session, attempt_id: str) -> dict[str, ExamResponse]:
    rows = db.scalars(select(ExamResponse).where(ExamResponse.attempt_id == attempt_id))
    return {r.item_ref: r for r in rows}


def responses_on_form(db: Session, form_id: str, states: Iterable[str]) -> dict[str, dict[str, ExamResponse]]:
    """Every response to the form's attempts in these states, in one query: attempt → item ref → response."""
    stmt = (
        select(ExamResponse)
        .join(ExamAttempt, ExamAttempt.id == ExamResponse.attempt_id)
        .where(ExamAttempt.form_id == form_id, ExamAttempt.state.in_(list(states)))
    )
    out: dict[str, dict[str, ExamResponse]] = {}
    for row in db.scalars(stmt):
        out.setdefault(row.attempt_id, {})[row.item_ref] = row
    return out


def flags_of_attempt(db: Session, attempt_id: str) -> dict[str, ItemFlag]:
    return {f.item_ref: f for f in db.scalars(select(ItemFlag).where(ItemFlag.attempt_id == attempt_id))}


def flags(db: Session, *, state: str | None = "open") -> list[ItemFlag]:
    stmt = select(ItemFlag).order_by(ItemFlag.created_at)
    if state is not None:
        stmt = stmt.where(ItemFlag.state == state)
    return list(db.scalars(stmt))


def flag(db: Session, flag_id: str) -> ItemFlag | None:
    return db.get(ItemFlag, flag_id, with_for_update=True)


def submissions(db: Session, *, user_id: str, programme_id: str | None = None) -> list[TaskSubmission]:
    stmt = select(TaskSubmission).where(TaskSubmission.user_id == user_id)
    if programme_id is not None:
        stmt = stmt.where(TaskSubmission.programme_id == programme_id)
    return list(db.scalars(stmt.order_by(TaskSubmission.opened_at)))


def submission(db: Session, submission_id: str, *, lock: bool = False) -> TaskSubmission | None:
    return db.get(TaskSubmission, submission_id, with_for_update=lock)


def submission_by_ref(db: Session, blind_ref: str) -> TaskSubmission | None:
    return db.scalars(select(TaskSubmission).where(TaskSubmission.blind_ref == blind_ref)).one_or_none()


def submitted(db: Session) -> list[TaskSubmission]:
    stmt = select(TaskSubmission).where(TaskSubmission.state == "submitted").order_by(TaskSubmission.submitted_at)
    return list(db.scalars(stmt))


def attachments(db: Session, submission_id: str) -> list[TaskAttachment]:
    stmt = select(TaskAttachment).where(TaskAttachment.submission_id == submission_id)
    return list(db.scalars(stmt.order_by(TaskAttachment.uploaded_at)))


def reviews(db: Session, submission_id: str) -> list[TaskReview]:
    stmt = select(TaskReview).where(TaskReview.submission_id == submission_id).order_by(TaskReview.created_at)
    return list(db.scalars(stmt))


def slots(db: Session, *, programme_id: str | None = None, state: str | None = None) -> list[InterviewSlot]:
    stmt = select(InterviewSlot).order_by(InterviewSlot.starts_at)
    if programme_id is not None:
        stmt = stmt.where(InterviewSlot.programme_id == programme_id)
    if state is not None:
        stmt = stmt.where(InterviewSlot.state == state)
    return list(db.scalars(stmt))


def slot(db: Session, slot_id: str, *, lock: bool = False) -> InterviewSlot | None:
    return db.get(InterviewSlot, slot_id, with_for_update=lock)


def slots_of_candidate(db: Session, user_id: str, programme_id: str) -> list[InterviewSlot]:
    stmt = select(InterviewSlot).where(
        InterviewSlot.candidate_id == user_id, InterviewSlot.programme_id == programme_id
    )
    return list(db.scalars(stmt.order_by(InterviewSlot.starts_at)))


def interview_scores(db: Session, slot_id: str) -> list[InterviewScore]:
    return list(db.scalars(select(InterviewScore).where(InterviewScore.slot_id == slot_id)))


def case(db: Session, case_id: str, *, lock: bool = False) -> CertificationCase | None:
    return db.get(CertificationCase, case_id, with_for_update=lock)


def cases(db: Session, *, state: str | None = None, user_id: str | None = None) -> list[CertificationCase]:
    stmt = select(CertificationCase).order_by(CertificationCase.created_at)
    if state is not None:
        stmt = stmt.where(CertificationCase.state == state)
    if user_id is not None:
        stmt = stmt.where(CertificationCase.user_id == user_id)
    return list(db.scalars(stmt))


def appeals(db: Session, *, case_id: str | None = None, state: str | None = None) -> list[Appeal]:
    stmt = select(Appeal).order_by(Appeal.lodged_at)
    if case_id is not None:
        stmt = stmt.where(Appeal.case_id == case_id)
    if state is not None:
        stmt = stmt.where(Appeal.state == state)
    return list(db.scalars(stmt))


def appeal(db: Session, appeal_id: str, *, lock: bool = False) -> Appeal | None:
    return db.get(Appeal, appeal_id, with_for_update=lock)
