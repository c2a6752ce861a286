"""Revocation and suspension status lists: random index allocation, bit changes, signed publication."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.core.credentials.statuslist import (
    MIN_ENTRIES,
    PURPOSES,
    Bitstring,
    random_free_index,
    status_list_credential,
)
from assay.core.credentials.verification import format_time
from assay.core.ids import new_id, new_token
from assay.db.models import StatusAllocation, StatusList
from assay.db.repositories import credentials as repo
from assay.services import jobs, keys
from assay.services.runtime import Runtime
from assay.services.signing import sign_document

#: Re-sign a list once less than this remains of its validity, so it never lapses between job runs.
RESIGN_MARGIN = timedelta(hours=12)


def list_url(rt: Runtime, status_list: StatusList) -> str:
    return f"{rt.settings.base_url}/status/{status_list.slug}"


def _new_list(db: Session, rt: Runtime, purpose: str) -> StatusList:
    now = rt.clock.now()
    record = StatusList(
        id=new_id(now),
        # Unguessable slugs: list URLs reveal nothing about how many lists exist or their order.
        slug=f"{purpose[0]}-{new_token()[:22]}",
        purpose=purpose,
        length=MIN_ENTRIES,
        bits=bytes(MIN_ENTRIES // 8),
        allocated=0,
        dirty=True,
        created_at=now,
    )
    db.add(record)
    db.flush()
    return record


def _draw_index(db: Session, status_list: StatusList) -> int:
    """A random free index: probe random candidates one indexed lookup each (the list is mostly empty, so
    a probe almost always succeeds); only a nearly full list reads every taken index. Reading them all
    for every credential made issuing a large batch quadratic."""
    for _ in range(32):
        candidate = secrets.randbelow(status_list.length)
        if not repo.index_taken(db, status_list.id, candidate):
            return candidate
    return random_free_index(status_list.length, repo.taken_indexes(db, status_list.id))


def allocate(db: Session, rt: Runtime, *, credential_public_id: str, purpose: str) -> tuple[StatusList, int]:
    """A fresh random index on the open list for this purpose. Never reused: the allocation row is unique."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    locking = db.get_bind().dialect.name == "postgresql"
    status_list = repo.open_list(db, purpose, lock=locking) or _new_list(db, rt, purpose)
    for _ in range(8):
        index = _draw_index(db, status_list)
        try:
            with db.begin_nested():
                db.add(
                    StatusAllocation(
                        id=new_id(rt.clock.now()),
                        status_list_id=status_list.id,
                        list_index=index,
                        credential_id=credential_public_id,
                        allocated_at=rt.clock.now(),
                    )
                )
        except IntegrityError:
            continue  # another writer took it between our read and our insert: draw again
        status_list.allocated += 1
        return status_list, index
    raise RuntimeError("could not allocate a status index after 8 attempts")


def set_bit(db: Session, rt: Runtime, *, status_list_id: str, index: int, value: bool) -> None:
    status_list = db.get_one(StatusList, status_list_id)
    bits = Bitstring(status_list.length, bytearray(status_list.bits))
    bits.set(index, value)
    status_list.bits = bytes(bits.bits)
    status_list.dirty = True
    db.flush()
    # Publish promptly: a revocation is only as good as the list verifiers can fetch.
    jobs.enqueue(db, rt, kind="statuslists.publish", payload={})


def bit(status_list: StatusList, index: int) -> bool:
    return Bitstring(status_list.length, bytearray(status_list.bits)).get(index)


def publish(db: Session, rt: Runtime, *, force: bool = False) -> list[str]:
    """Sign every list whose bits changed or whose signature lapses soon. Returns the slugs signed."""
    now = rt.clock.now()
    due = repo.all_lists(db) if force else repo.lists_needing_signature(db, now + RESIGN_MARGIN)
    if not due:
        return []
    key = keys.active(db, rt)
    signed = []
    for status_list in due:
        valid_until = now + timedelta(hours=rt.settings.status_list_validity_hours)
        document = status_list_credential(
            list_url=list_url(rt, status_list),
            issuer=key.record.issuer_did,
            purpose=status_list.purpose,
            bitstring=Bitstring(status_list.length, bytearray(status_list.bits)),
            valid_from=format_time(now),
            valid_until=format_time(valid_until),
            ttl_ms=rt.settings.status_list_ttl_seconds * 1000,
        )
        proofed = sign_document(document, key=key, rt=rt)
        status_list.signed_document = json.dumps(proofed, ensure_ascii=False, separators=(",", ":"))
        status_list.signed_at = now
        status_list.valid_until = valid_until
        status_list.dirty = False
        signed.append(status_list.slug)
    db.flush()
    return signed


def ensure_lists(db: Session, rt: Runtime) -> None:
    for purpose in PURPOSES:
        if repo.open_list(db, purpose) is None:
            _new_list(db, rt, purpose)


def published(db: Session, slug: str) -> dict[str, Any] | None:
    status_list = repo.list_by_slug(db, slug)
    if status_list is None or status_list.signed_document is None:
        return None
    document: dict[str, Any] = json.loads(status_list.signed_document)
    return document


def all_published(db: Session, rt: Runtime) -> dict[str, dict[str, Any]]:
    """URL → signed list, for offline verification bundles."""
    out = {}
    for status_list in repo.all_lists(db):
        if status_list.signed_document:
            out[list_url(rt, status_list)] = json.loads(status_list.signed_document)
    return out


@jobs.handler("statuslists.publish")
def _publish_job(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    publish(db, rt)
