"""The certification content a service needs: programmes, the secure pool, task briefs, interview
guides; and what a person holds towards a programme's prerequisites."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from assay.content import ANCHORS_DIR, INTERVIEWS_DIR, SECURE_ITEMS_DIR, TASKS_DIR
from assay.core.certification.tasks import (
    Anchor,
    InterviewGuide,
    TaskBrief,
    load_anchors,
    load_interview_guide,
    load_tasks,
)
from assay.core.credentials.programmes import ProgrammeDef
from assay.core.errors import NotFound, ValidationFailed
from assay.core.items.bank import ItemBank
from assay.core.items.model import Item
from assay.core.standard.problems import ContentInvalid
from assay.db.repositories import community as community_repo
from assay.db.repositories import credentials as credential_repo
from assay.services import issuance, standards


def programme(programme_id: str) -> ProgrammeDef:
    try:
        return issuance.programmes().get(programme_id)
    except ValidationFailed as exc:
        raise NotFound(exc.message) from None


def all_programmes() -> list[ProgrammeDef]:
    return sorted(issuance.programmes().programmes, key=lambda p: (p.level, p.id))


@cache
def secure_bank() -> ItemBank:
    """The secure pool, validated against the standard version it measures. Never shown with keys."""
    return standards.item_bank(SECURE_ITEMS_DIR)


#: Items added to the secure pool in the database (accepted contributions), by id; refreshed by
#: load_pool_extras wherever a database session is at hand, so a pinned ref always resolves.
_extra: dict[str, Item] = {}


def load_pool_extras(db: Session) -> None:
    """Replace the process's view of the database's pool items (swapped whole, never emptied in place)."""
    global _extra
    _extra = {row.item_id: Item.model_validate(json.loads(row.item)) for row in community_repo.pool_items(db)}


def secure_items(db: Session) -> list[Item]:
    """The shipped secure pool and the items added to it since."""
    load_pool_extras(db)
    return [*secure_bank().items.values(), *(_extra[k] for k in sorted(_extra))]


def secure_item(ref: str) -> Item:
    item_id, _, version = ref.partition("@")
    item = secure_bank().items.get(item_id) or _extra.get(item_id)
    if item is None or str(item.version) != version:
        raise ContentInvalid([])  # a pinned item that is gone cannot be re-scored: loud, not silent
    return item


@cache
def tasks() -> dict[str, TaskBrief]:
    return load_tasks(TASKS_DIR)


def task(task_id: str) -> TaskBrief:
    found = tasks().get(task_id)
    if found is None:
        raise NotFound(f"There is no practical task “{task_id}”.")
    return found


@cache
def _anchors() -> dict[str, tuple[Anchor, ...]]:
    return load_anchors(ANCHORS_DIR) if ANCHORS_DIR.exists() else {}


def anchors(task_id: str) -> list[dict[str, Any]]:
    """The task's calibration anchors as plain data (body and known scores)."""
    return [a.model_dump(mode="json") for a in _anchors().get(task_id, ())]


@cache
def interview_guide(guide_id: str) -> InterviewGuide:
    path = INTERVIEWS_DIR / f"{guide_id}.yaml"
    if not path.exists():
        raise NotFound(f"There is no interview guide “{guide_id}”.")
    return load_interview_guide(path)


def holds_current(db: Session, user_id: str, programme_id: str, now: datetime) -> bool:
    return any(
        c.programme_id == programme_id and c.state == "active" and (c.valid_until is None or c.valid_until > now)
        for c in credential_repo.credentials_of_user(db, user_id)
    )


def missing_prerequisites(db: Session, user_id: str, p: ProgrammeDef, now: datetime) -> list[str]:
    return [programme(q).name for q in p.prerequisites if not holds_current(db, user_id, q, now)]


def require_person_programme(programme_id: str) -> ProgrammeDef:
    p = programme(programme_id)
    if p.holder != "person":
        raise ValidationFailed(f"{p.name} certifies organisations; a person cannot enrol in it.")
    return p
