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


def test_an_organisation_practice_credential_verifies_in_node(
    harness: Harness, db: Session, rt: Runtime, clock: FrozenClock
) -> None:
    from assay.core.roles import Role
    from assay.services import accounts, organisations, practice, roles
    from tests.certifying import PASSWORD, grant
    from tests.services.test_practice import EVIDENCE

    clock.set(SystemClock().now())
    cast = make_cast(db, rt)
    org = organisations.create(
        db, rt, principal=principal(db, cast["ada"]), name="Harbourlight Partners", slug="harbourlight"
    )
    for n in range(3):
        email = f"c{n}@example.org"
        user = accounts.sign_up(db, rt, email=email, display_name=f"C {n}", password=PASSWORD)
        _, token = organisations.invite(
            db, rt, principal=principal(db, cast["ada"]), organisation=org, email=email, role="member"
        )
        organisations.accept(db, rt, user=user, token=token)
        grant(db, rt, email, "certified-ai-integrator")
    manager = principal(db, cast["ada"])
    practice.save_evidence(db, rt, principal=manager, organisation=org, evidence=EVIDENCE)
    application = practice.submit(db, rt, principal=manager, organisation=org)
    findings = dict.fromkeys(practice.REQUIREMENTS, (True, "Applied consistently on two recent engagements."))
    for name in ("rhea", "omar"):
        user = accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name, password=PASSWORD)
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
        practice.assess(db, rt, assessor=principal(db, user), application_id=application.id, findings=findings)
    credential = practice.approve(
        db,
        rt,
        registrar=principal(db, cast["priya"]),
        application_id=application.id,
        rationale="Every requirement met.",
    )
    statuslists.publish(db, rt)
    report = node_verify(harness, db, rt, json.loads(credential.document))
    assert report["verified"] is True, report
