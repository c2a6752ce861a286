"""The certification path end to end, checked by the independent Node verifier: a candidate takes
the Foundation exam on the secure pool, passes, an assessor recommends, a registrar who graded
nothing approves, and the credential the core signs verifies outside Assay."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock, SystemClock
from assay.services import cases, statuslists
from assay.services.runtime import Runtime
from tests.certifying import make_cast, principal, take_exam
from tests.interop.conftest import Harness
from tests.interop.test_registry_interop import node_verify

pytestmark = pytest.mark.interop


def test_a_passed_foundation_exam_becomes_a_credential_node_verifies(
    harness: Harness, db: Session, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(SystemClock().now())  # the Node verifier checks status-list validity on its wall clock
    cast = make_cast(db, rt)
    attempt = take_exam(db, rt, cast["kim"], "foundation", right_share=0.75)
    assert attempt.passed is True and attempt.percent == 75.0
    case = cases.recommend(
        db, rt, assessor=principal(db, cast["jonas"]), candidate_email="kim@example.org", programme_id="foundation"
    )
    _, [credential] = cases.approve(
        db, rt, registrar=principal(db, cast["priya"]), case_id=case.id, rationale="75% against a 65% cut."
    )
    statuslists.publish(db, rt)
    document = json.loads(credential.document)
    report = node_verify(harness, db, rt, document)
    assert report["verified"] is True, report
    assert document["credentialSubject"]["achievement"]["name"] == "Assay Foundation in Production AI Engineering"
    assert document["credentialSubject"]["result"][0]["value"] == "75"


def test_an_integrator_credential_after_adjudication_verifies_in_node(
    harness: Harness, db: Session, rt: Runtime, clock: FrozenClock
) -> None:
    from tests.certifying import integrator_path

    clock.set(SystemClock().now())
    _, _, credential = integrator_path(db, rt)
    statuslists.publish(db, rt)
    report = node_verify(harness, db, rt, json.loads(credential.document))
    assert report["verified"] is True, report
