"""Queries for panel review: founding seats, declared conflicts, assignments, calibration, Angoff."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.ids import new_id
from assay.db.models import (
    AngoffRating,
    AngoffRound,
    AngoffStudy,
    CalibrationRound,
    DeclaredConflict,
    ItemPromotion,
    PanelSeat,
    ReviewAssignment,
    TaskReview,
)


def active_seats(db: Session, programme_id: str) -> list[PanelSeat]:
    stmt = select(PanelSeat).where(PanelSeat.programme_id == programme_id, PanelSeat.lapsed_at.is_(None))
    return list(db.scalars(stmt.order_by(PanelSeat.seated_at)))


def seats(db: Session) -> list[PanelSeat]:
    return list(db.scalars(select(PanelSeat).order_by(PanelSeat.seated_at)))


def conflicts_of(db: Session, reviewer_id: str) -> list[DeclaredConflict]:
    return list(db.scalars(select(DeclaredConflict).where(DeclaredConflict.reviewer_id == reviewer_id)))


def assignments_of(db: Session, submission_id: str, *, lock: bool = False) -> list[ReviewAssignment]:
    stmt = (
        select(ReviewAssignment)
        .where(ReviewAssignment.submission_id == submission_id)
        .order_by(ReviewAssignment.assigned_at)
    )
    if lock:
        stmt = stmt.with_for_update()
    return list(db.scalars(stmt))


def open_assignments(db: Session, *, reviewer_id: str | None = None) -> list[ReviewAssignment]:
    stmt = select(ReviewAssignment).where(ReviewAssignment.state == "assigned")
    if reviewer_id is not None:
        stmt = stmt.where(ReviewAssignment.reviewer_id == reviewer_id)
    return list(db.scalars(stmt.order_by(ReviewAssignment.due_at)))


def open_load(db: Session) -> Counter[str]:
    return Counter(a.reviewer_id for a in open_assignments(db))


def reviews_by(db: Session, reviewer_id: str) -> list[TaskReview]:
    return list(
        db.scalars(select(TaskReview).where(TaskReview.reviewer_id == reviewer_id).order_by(TaskReview.created_at))
    )


def new_calibration_round(db: Session, *, task_id: str, opened_by: str, now: datetime, due_at: datetime) -> str:
    row = CalibrationRound(id=new_id(now), task_id=task_id, opened_by=opened_by, opened_at=now, due_at=due_at)
    db.add(row)
    db.flush()
    return row.id


def anchor_ref(anchor_id: str) -> str:
    """An anchor's blind reference, the same in every round (reviewers are told it is calibration)."""
    return "A" + hashlib.sha256(anchor_id.encode()).hexdigest()[:9].upper()


def studies(db: Session) -> list[AngoffStudy]:
    return list(db.scalars(select(AngoffStudy).order_by(AngoffStudy.opened_at.desc())))


def study(db: Session, study_id: str, *, lock: bool = False) -> AngoffStudy | None:
    return db.get(AngoffStudy, study_id, with_for_update=lock)


def rounds(db: Session, study_id: str) -> list[AngoffRound]:
    return list(db.scalars(select(AngoffRound).where(AngoffRound.study_id == study_id).order_by(AngoffRound.number)))


def ratings(db: Session, round_id: str) -> list[AngoffRating]:
    return list(db.scalars(select(AngoffRating).where(AngoffRating.round_id == round_id)))


def promotions(db: Session) -> dict[str, ItemPromotion]:
    return {p.item_ref: p for p in db.scalars(select(ItemPromotion))}
