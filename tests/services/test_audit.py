"""The audit trail on a real database: every consequential action lands; tampering is detected."""

from __future__ import annotations

import json
import threading

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from assay.core.roles import Role
from assay.db.models import AuditEntry
from assay.services import audit, organisations, roles
from assay.services.runtime import Runtime
from tests.services.conftest import People


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_consequential_actions_are_recorded_in_order(db: Session, rt: Runtime, people: People) -> None:
    maria = people.make("Maria")
    people.make("Jonas")
    roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    db.commit()
    assert actions(db) == ["account.created", "account.created", "role.granted", "organisation.created"]
    grant = db.scalars(select(AuditEntry).where(AuditEntry.action == "role.granted")).one()
    assert json.loads(grant.details) == {"role": "reviewer", "scope": "global", "via": "cli"}
    assert audit.verify(db).ok


def test_a_failed_action_leaves_no_audit_entry(
    db: Session, rt: Runtime, people: People, sessions: sessionmaker[Session]
) -> None:
    people.make("Maria")
    db.commit()
    with sessions() as other:
        roles.grant(other, rt, actor=None, email="maria@example.org", role=Role.REGISTRAR)
        other.rollback()
    assert actions(db) == ["account.created"]


def _tamper(db: Session, sql: str) -> None:
    db.execute(text(sql))
    db.commit()


def _chain_of(db: Session, people: People, rt: Runtime, n: int = 6) -> None:
    for i in range(n):
        people.make(f"Person{i}")
    db.commit()


def test_edited_entry_is_detected(db: Session, rt: Runtime, people: People) -> None:
    _chain_of(db, people, rt)
    _tamper(db, "UPDATE audit_entries SET action = 'account.deleted' WHERE seq = 3")
    result = audit.verify(db)
    assert not result.ok
    assert result.failed_at_seq == 3


def test_removed_entry_is_detected(db: Session, rt: Runtime, people: People) -> None:
    _chain_of(db, people, rt)
    _tamper(db, "DELETE FROM audit_entries WHERE seq = 2")
    result = audit.verify(db)
    assert not result.ok
    assert result.failed_at_seq == 2


def test_reordered_entries_are_detected(db: Session, rt: Runtime, people: People) -> None:
    _chain_of(db, people, rt)
    # Swap the bodies of entries 2 and 3 while keeping their positions.
    rows = {e.seq: e for e in db.scalars(select(AuditEntry).where(AuditEntry.seq.in_([2, 3])))}
    a, b = rows[2], rows[3]
    swapped = {f: (getattr(a, f), getattr(b, f)) for f in ("subject_id", "occurred_at", "id")}
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.seq == 2)
        .values(id="tmp", subject_id=swapped["subject_id"][1], occurred_at=swapped["occurred_at"][1])
    )
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.seq == 3)
        .values(id=swapped["id"][0], subject_id=swapped["subject_id"][0], occurred_at=swapped["occurred_at"][0])
    )
    db.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(id=swapped["id"][1]))
    db.commit()
    result = audit.verify(db)
    assert not result.ok
    assert result.failed_at_seq == 2


def test_concurrent_appends_keep_one_chain(sessions: sessionmaker[Session], rt: Runtime) -> None:
    """Appends from many threads (separate connections) serialise: no fork, no gap."""
    errors: list[BaseException] = []

    def append(i: int) -> None:
        try:
            with sessions() as s, s.begin():
                audit.record(
                    s, clock=rt.clock, actor_id=None, action="test.concurrent", subject_type="n", subject_id=str(i)
                )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as s:
        result = audit.verify(s)
    assert result.ok
    assert result.entries_checked == 16
