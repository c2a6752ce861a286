"""Issuance from approved decisions, status changes and key rotation, on both databases, checked by the
core verifier."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock
from assay.core.credentials.verification import Outcome, Verdict
from assay.core.credentials.verify import verify_credential
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.db.models import AuditEntry, IssuedCredential, StatusAllocation
from assay.services import audit, issuance, keys, standards, statuslists
from assay.services.runtime import Runtime
from tests.services.conftest import decide


def verify(db: Session, rt: Runtime, credential: IssuedCredential, *, now: object = None) -> object:
    return verify_credential(
        credential.document,
        now=now or rt.clock.now(),  # type: ignore[arg-type]
        did_documents=[keys.did_document(db, rt)],
        status_source=statuslists.all_published(db, rt),
    )


def test_nothing_is_signed_without_an_approved_decision(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    decision_id = decide(db, rt, "sam@example.org")
    with pytest.raises(PermissionDenied, match="not approved"):
        issuance.issue(db, rt, decision_id=decision_id)
    assert db.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_the_grader_cannot_approve_and_only_registrars_can(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    decision_id = decide(db, rt, "sam@example.org", grader="ada@example.org")
    with pytest.raises(PermissionDenied, match="must not be the person who graded"):
        issuance.approve(db, rt, registrar=cast["Ada"], decision_id=decision_id)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        issuance.approve(db, rt, registrar=cast["Jonas"], decision_id=decision_id)  # type: ignore[arg-type]
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="only a pending decision"):
        issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]


def test_bad_decisions_are_refused(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed, match="not a reviewer"):
        decide(db, rt, "sam@example.org", grader="lee@example.org")
    with pytest.raises(ValidationFailed, match="Unknown programme"):
        issuance.create_decision(
            db,
            rt,
            programme_id="wizard",
            subjects=[issuance.SubjectInput("sam@example.org")],
            graded_by_email="jonas@example.org",
            rationale="x",
        )
    with pytest.raises(ValidationFailed, match="not defined by"):
        issuance.create_decision(
            db,
            rt,
            programme_id="foundation",
            subjects=[issuance.SubjectInput("sam@example.org", results=[{"description": "nope", "value": "1"}])],
            graded_by_email="jonas@example.org",
            rationale="x",
        )
    with pytest.raises(NotFound):
        decide(db, rt, "ghost@example.org")
    with pytest.raises(ValidationFailed, match="http"):
        issuance.create_decision(
            db,
            rt,
            programme_id="foundation",
            subjects=[issuance.SubjectInput("sam@example.org", evidence=[{"id": "javascript:alert(1)"}])],
            graded_by_email="jonas@example.org",
            rationale="x",
        )


def test_a_batch_issues_once_and_verifies(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    decision_id = decide(db, rt, "sam@example.org", "lee@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    issued = issuance.issue(db, rt, decision_id=decision_id)
    assert len(issued) == 2
    assert issuance.issue(db, rt, decision_id=decision_id) == []  # twice never issues twice
    statuslists.publish(db, rt)
    db.commit()
    for credential in issued:
        document = json.loads(credential.document)
        assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        [alignment] = document["credentialSubject"]["achievement"]["alignment"]
        assert alignment["targetCode"] == standards.resolve(db, "assay-pae", "1.1").content_hash
        assert "sam@example.org" not in credential.document
        result = verify(db, rt, credential)
        assert result.verdict is Verdict.VALID, result.as_dict()  # type: ignore[attr-defined]
    indexes = list(db.scalars(select(StatusAllocation.list_index)))
    assert len(indexes) == 4 and len(set(indexes)) == 4
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("credential.%"))))
    assert actions == ["credential.issued", "credential.issued"]
    assert audit.verify(db).ok


def test_revoke_suspend_reinstate(db: Session, rt: Runtime, cast: dict[str, object], clock: FrozenClock) -> None:
    decision_id = decide(db, rt, "sam@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    [credential] = issuance.issue(db, rt, decision_id=decision_id)
    registrar = cast["Priya"]
    with pytest.raises(PermissionDenied):
        issuance.change_state(
            db, rt, registrar=cast["Jonas"], public_id=credential.public_id, action="suspend", reason="x"
        )  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="reason"):
        issuance.change_state(db, rt, registrar=registrar, public_id=credential.public_id, action="suspend", reason=" ")  # type: ignore[arg-type]
    issuance.change_state(
        db, rt, registrar=registrar, public_id=credential.public_id, action="suspend", reason="Under review"
    )  # type: ignore[arg-type]
    statuslists.publish(db, rt)
    result = verify(db, rt, credential)
    assert result.verdict is Verdict.INVALID and result.check("status").detail.endswith("suspended")  # type: ignore[attr-defined]
    issuance.change_state(
        db, rt, registrar=registrar, public_id=credential.public_id, action="reinstate", reason="Cleared"
    )  # type: ignore[arg-type]
    statuslists.publish(db, rt)
    assert verify(db, rt, credential).verdict is Verdict.VALID  # type: ignore[attr-defined]
    issuance.change_state(
        db, rt, registrar=registrar, public_id=credential.public_id, action="revoke", reason="Misconduct"
    )  # type: ignore[arg-type]
    statuslists.publish(db, rt)
    result = verify(db, rt, credential)
    assert result.check("status").outcome is Outcome.FAILED and "revoked" in result.check("status").detail  # type: ignore[attr-defined]
    with pytest.raises(Conflict, match="cannot be undone"):
        issuance.change_state(
            db, rt, registrar=registrar, public_id=credential.public_id, action="reinstate", reason="x"
        )  # type: ignore[arg-type]


def test_rotation_keeps_old_credentials_valid(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    first = decide(db, rt, "sam@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=first)  # type: ignore[arg-type]
    [old] = issuance.issue(db, rt, decision_id=first)
    keys.rotate(db, rt)
    second = decide(db, rt, "lee@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=second)  # type: ignore[arg-type]
    [new] = issuance.issue(db, rt, decision_id=second)
    statuslists.publish(db, rt)
    assert json.loads(old.document)["proof"]["verificationMethod"].endswith("#key-1")
    assert json.loads(new.document)["proof"]["verificationMethod"].endswith("#key-2")
    for credential in (old, new):
        assert verify(db, rt, credential).verdict is Verdict.VALID  # type: ignore[attr-defined]
    assert [k.state for k in keys.listing(db, rt)] == ["retired", "active"]


def test_status_lists_lapse_and_are_resigned(
    db: Session, rt: Runtime, cast: dict[str, object], clock: FrozenClock
) -> None:
    decision_id = decide(db, rt, "sam@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    [credential] = issuance.issue(db, rt, decision_id=decision_id)
    statuslists.publish(db, rt)
    clock.advance(timedelta(hours=rt.settings.status_list_validity_hours, minutes=1))
    lapsed = verify(db, rt, credential)
    assert lapsed.verdict is Verdict.UNKNOWN and "lapsed" in lapsed.check("status").detail  # type: ignore[attr-defined]
    assert statuslists.publish(db, rt)  # the job re-signs what lapses
    assert verify(db, rt, credential).verdict is Verdict.VALID  # type: ignore[attr-defined]
    clock.advance(hours=1)
    assert statuslists.publish(db, rt) == []  # nothing due an hour later


def test_tampering_is_detected(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    decision_id = decide(db, rt, "sam@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    [credential] = issuance.issue(db, rt, decision_id=decision_id)
    statuslists.publish(db, rt)
    document = json.loads(credential.document)
    document["credentialSubject"]["result"][0]["value"] = "99"
    result = verify_credential(
        document,
        now=rt.clock.now(),
        did_documents=[keys.did_document(db, rt)],
        status_source=statuslists.all_published(db, rt),
    )
    assert result.verdict is Verdict.INVALID
    assert result.check("proof").outcome is Outcome.FAILED  # type: ignore[union-attr]


def test_large_batches_issue_in_committed_slices(db: Session, rt: Runtime, cast: dict[str, object]) -> None:
    decision_id = decide(db, rt, "sam@example.org", "lee@example.org")
    issuance.approve(db, rt, registrar=cast["Priya"], decision_id=decision_id)  # type: ignore[arg-type]
    seen: list[tuple[int, int]] = []
    first = issuance.issue(db, rt, decision_id=decision_id, limit=1, progress=lambda d, t: seen.append((d, t)))
    db.commit()
    assert len(first) == 1 and issuance.decision_view(db, decision_id=decision_id)["status"] == "approved"
    second = issuance.issue(db, rt, decision_id=decision_id, limit=1, progress=lambda d, t: seen.append((d, t)))
    db.commit()
    assert len(second) == 1 and second[0].user_id != first[0].user_id
    assert issuance.decision_view(db, decision_id=decision_id)["status"] == "issued"
    assert seen == [(1, 2), (2, 2)]
    assert issuance.issue(db, rt, decision_id=decision_id, limit=1) == []
