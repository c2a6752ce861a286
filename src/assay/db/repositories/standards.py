"""Queries over stored standard versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.db.models import StandardVersionRecord


def versions_of(db: Session, standard_id: str) -> list[StandardVersionRecord]:
    stmt = select(StandardVersionRecord).where(StandardVersionRecord.standard_id == standard_id)
    return list(db.scalars(stmt))


def standard_ids(db: Session) -> list[str]:
    return list(
        db.scalars(select(StandardVersionRecord.standard_id).distinct().order_by(StandardVersionRecord.standard_id))
    )
