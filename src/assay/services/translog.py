"""The transparency log: append-only, RFC 6962 hashing, signed tree heads, proofs on demand.

Every issuance, revocation, suspension, reinstatement and key event appends a leaf in the same
transaction as the event itself (if the event rolls back, so does its leaf). Appends are serialised:
an advisory lock on PostgreSQL, the database write lock on SQLite. Each append stores the perfect
subtree hashes it completes, so heads and proofs never re-read the leaves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from assay.core.credentials.multikey import key_resolver
from assay.core.credentials.verification import format_time
from assay.core.errors import NotFound, ValidationFailed
from assay.core.ids import new_id
from assay.core.translog import merkle
from assay.core.translog.heads import LogCheck, TreeHead, check_log, head_from_dict, leaf_data, sign_head
from assay.db.models import LogEntry, LogHead, LogNode
from assay.db.repositories import audit as audit_repo
from assay.services import jobs
from assay.services.runtime import Runtime

_APPEND_LOCK_KEY = 0x41535359_4C4F47  # "ASSY" "LOG": distinct from the audit trail's lock


def log_url(rt: Runtime) -> str:
    return f"{rt.settings.base_url.rstrip('/')}/log"


def _lock(db: Session) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})


class _Nodes:
    """Perfect subtree hashes read from the database, remembered for the length of one request."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.cache: dict[tuple[int, int], bytes] = {}

    def perfect(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.cache:
            node = self.db.get(LogNode, key)
            if node is None:
                raise ValueError(f"no complete subtree at level {level}, index {index}")
            self.cache[key] = bytes.fromhex(node.hash)
        return self.cache[key]


def size(db: Session) -> int:
    """Entries are indexed 0..n−1 without gaps (appends are serialised): the size is the last index + 1,
    read from the primary key's index rather than by counting a million rows."""
    last = db.scalar(select(func.max(LogEntry.index)))
    return 0 if last is None else int(last) + 1


def _frontier(nodes: _Nodes, n: int) -> merkle.Frontier:
    frontier = merkle.Frontier(size=n)
    start = 0
    for level in range(n.bit_length() - 1, -1, -1):
        if n >> level & 1:
            frontier.stack.append(nodes.perfect(level, start >> level))
            start += 1 << level
    return frontier


def append(db: Session, rt: Runtime, *, event: str, subject: str, **fields: str | int) -> LogEntry:
    """Add one leaf. `subject` is a hash or public identifier; so is every field: never personal data."""
    _lock(db)
    n = size(db)
    nodes = _Nodes(db)
    frontier = _frontier(nodes, n)
    now = rt.clock.now()
    data = leaf_data(event, format_time(now), subject=subject, **fields)
    leaf = merkle.leaf_hash(data)
    for level, index, value in frontier.append(leaf):
        db.add(LogNode(level=level, index=index, hash=value.hex()))
    entry = LogEntry(
        index=n, event=event, data=data.decode("utf-8"), leaf_hash=leaf.hex(), subject=subject, created_at=now
    )
    db.add(entry)
    db.flush()
    return entry


def anchor_audit(db: Session, rt: Runtime) -> LogEntry | None:
    """Put the audit trail's current head in the log (once per head)."""
    head = audit_repo.head(db)
    if head is None:
        return None
    last = db.scalars(
        select(LogEntry).where(LogEntry.event == "audit.anchor").order_by(LogEntry.index.desc()).limit(1)
    ).one_or_none()
    if last is not None and last.subject == head.entry_hash:
        return None
    return append(db, rt, event="audit.anchor", subject=head.entry_hash, seq=head.seq)


def audit_anchors(db: Session) -> dict[int, str]:
    """seq → entry hash, for every audit head anchored in the log."""
    out: dict[int, str] = {}
    for entry in db.scalars(select(LogEntry).where(LogEntry.event == "audit.anchor")):
        data = json.loads(entry.data)
        out[int(data["seq"])] = str(data["subject"])
    return out


def publish_head(db: Session, rt: Runtime) -> LogHead:
    """Anchor the audit trail, then sign a head over everything logged so far."""
    from assay.services import keys  # keys logs its own events here: import at use, not at load

    key = keys.active(db, rt)  # first: making the issuer's first key is itself a logged event
    anchor_audit(db, rt)
    _lock(db)
    n = size(db)
    root_hash = merkle.root(_Nodes(db), n)
    now = rt.clock.now()
    head = sign_head(
        key.signer,
        log=log_url(rt),
        tree_size=n,
        root_hash=root_hash,
        timestamp=format_time(now),
        key=key.verification_method,
    )
    row = LogHead(
        id=new_id(now),
        tree_size=n,
        root_hash=head.root_hash,
        signed_at=now,
        key=head.key,
        document=json.dumps(head.to_dict(), sort_keys=True),
    )
    db.add(row)
    db.flush()
    return row


@jobs.handler("translog.publish_head")
def _publish_job(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    publish_head(db, rt)


def latest_head(db: Session) -> LogHead | None:
    return db.scalars(select(LogHead).order_by(LogHead.signed_at.desc(), LogHead.id.desc()).limit(1)).one_or_none()


def head_document(row: LogHead) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(row.document)
    return data


def heads(db: Session, *, limit: int = 100) -> list[LogHead]:
    stmt = select(LogHead).order_by(LogHead.signed_at.desc(), LogHead.id.desc()).limit(limit)
    return list(db.scalars(stmt))


def _check_sizes(db: Session, *sizes: int) -> int:
    current = size(db)
    for s in sizes:
        if not 0 <= s <= current:
            raise ValidationFailed(f"The log has {current} entries; ask about a size from 0 to {current}.")
    return current


def inclusion_proof(db: Session, *, index: int, tree_size: int) -> list[str]:
    _check_sizes(db, tree_size)
    if not 0 <= index < tree_size:
        raise ValidationFailed(f"Entry {index} is not in a tree of {tree_size} entries.")
    return [p.hex() for p in merkle.inclusion_proof(_Nodes(db), index, tree_size)]


def consistency_proof(db: Session, *, old_size: int, new_size: int) -> list[str]:
    _check_sizes(db, old_size, new_size)
    if not 0 < old_size <= new_size:
        raise ValidationFailed("A consistency proof goes from a smaller, non-empty tree to a larger one.")
    return [p.hex() for p in merkle.consistency_proof(_Nodes(db), old_size, new_size)]


def entries(db: Session, *, start: int, end: int) -> list[LogEntry]:
    if not 0 <= start <= end or end - start > 1000:
        raise ValidationFailed("Ask for at most 1,000 entries, from start (inclusive) to end (exclusive).")
    stmt = select(LogEntry).where(LogEntry.index >= start, LogEntry.index < end).order_by(LogEntry.index)
    return list(db.scalars(stmt))


def entry_about(db: Session, *, event: str, subject: str) -> LogEntry | None:
    stmt = select(LogEntry).where(LogEntry.event == event, LogEntry.subject == subject).order_by(LogEntry.index)
    return db.scalars(stmt.limit(1)).one_or_none()


def logged_before(db: Session, *, event: str, subject: str, before: datetime) -> tuple[int, datetime] | None:
    """The entry's index and the earliest head covering it that was signed before `before`, if any."""
    entry = entry_about(db, event=event, subject=subject)
    if entry is None:
        return None
    stmt = (
        select(LogHead)
        .where(LogHead.tree_size > entry.index, LogHead.signed_at < before)
        .order_by(LogHead.signed_at)
        .limit(1)
    )
    head = db.scalars(stmt).one_or_none()
    return None if head is None else (entry.index, head.signed_at)


def proof_bundle(db: Session, *, event: str, subject: str) -> dict[str, Any] | None:
    """What a holder keeps beside a credential: its leaf, the latest signed head that covers it, and the
    inclusion proof against that head. None until a head covers the entry."""
    entry = entry_about(db, event=event, subject=subject)
    head = latest_head(db)
    if entry is None or head is None or head.tree_size <= entry.index:
        return None
    return {
        "leaf_index": entry.index,
        "leaf": json.loads(entry.data),
        "tree_head": head_document(head),
        "inclusion_proof": inclusion_proof(db, index=entry.index, tree_size=head.tree_size),
    }


def export(db: Session) -> dict[str, Any]:
    """The whole log, as `assay log verify` reads it: every entry with its data, and every head."""
    rows = db.scalars(select(LogEntry).order_by(LogEntry.index))
    return {
        "entries": [{"index": e.index, "data": e.data, "leaf_hash": e.leaf_hash} for e in rows],
        "heads": [head_document(h) for h in reversed(heads(db, limit=1_000_000))],
    }


def check_export(data: Any, did_documents: list[dict[str, Any]]) -> LogCheck:
    """Check an exported copy end to end against the issuer's DID document(s)."""
    if (
        not isinstance(data, Mapping)
        or not isinstance(data.get("entries"), list)
        or not isinstance(data.get("heads"), list)
    ):
        raise ValidationFailed("A log export is a JSON object with 'entries' and 'heads' lists.")
    try:
        rows = [(int(e["index"]), str(e["data"]).encode("utf-8"), str(e["leaf_hash"])) for e in data["entries"]]
        tree_heads: list[TreeHead] = [head_from_dict(h) for h in data["heads"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(f"The log export is malformed: {exc}.") from None
    return check_log(rows, tree_heads, key_resolver(did_documents))


def require_entry(db: Session, index: int) -> LogEntry:
    entry = db.get(LogEntry, index)
    if entry is None:
        raise NotFound(f"The log has no entry {index}.")
    return entry
