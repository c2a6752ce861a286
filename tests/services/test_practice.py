"""The practice certification: method evidence, the certified-individuals minimum, two assessors,
a registrar's approval, and an organisation credential that verifies."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from assay.core.credentials.verification import Verdict
from assay.core.errors import Conflict, PermissionDenied, ValidationFailed
from assay.core.roles import Role
from assay.services import accounts, credentials_public, organisations, practice, roles, statuslists
from assay.services.runtime import Runtime
from tests.certifying import PASSWORD, grant, make_cast, principal

EVIDENCE = {
    k: f"Our {k.replace('-', ' ')} are written down, versioned, and every engagement since March has followed them; examples are attached."
    for k in practice.REQUIREMENTS
}


def test_a_practice_from_application_to_an_organisation_credential(db: Session, rt: Runtime) -> None:
    cast = make_cast(db, rt)
    ada = principal(db, cast["ada"])
    org = organisations.create(db, rt, principal=ada, name="Harbourlight Partners", slug="harbourlight")
    for n in range(3):
        email = f"consultant{n}@example.org"
        user = accounts.sign_up(db, rt, email=email, display_name=f"Consultant {n}", password=PASSWORD)
        _, token = organisations.invite(
            db, rt, principal=principal(db, cast["ada"]), organisation=org, email=email, role="member"
        )
        organisations.accept(db, rt, user=user, token=token)
        if n < 2:
            grant(db, rt, email, "certified-ai-integrator")
    ada = principal(db, cast["ada"])
    practice.save_evidence(db, rt, principal=ada, organisation=org, evidence={**EVIDENCE, "qa-gates": "Short."})
    with pytest.raises(ValidationFailed, match="QA gates"):
        practice.submit(db, rt, principal=ada, organisation=org)
    practice.save_evidence(db, rt, principal=ada, organisation=org, evidence=EVIDENCE)
    with pytest.raises(ValidationFailed, match=r"at least 3 members .* it has 2"):
        practice.submit(db, rt, principal=ada, organisation=org)
    grant(db, rt, "consultant2@example.org", "certified-ai-integrator")
    application = practice.submit(db, rt, principal=ada, organisation=org)
    for name in ("rhea", "omar"):
        accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD)
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
    findings = dict.fromkeys(
        practice.REQUIREMENTS, (True, "The templates and records show it applied on two recent engagements.")
    )
    practice.assess(
        db,
        rt,
        assessor=principal(db, accounts.repo.user_by_email(db, "rhea@example.org")),
        application_id=application.id,
        findings=findings,
    )  # type: ignore[arg-type]
    with pytest.raises(Conflict, match=r"recommended|submitted"):
        practice.approve(
            db, rt, registrar=principal(db, cast["priya"]), application_id=application.id, rationale="Too early."
        )
    practice.assess(
        db,
        rt,
        assessor=principal(db, accounts.repo.user_by_email(db, "omar@example.org")),
        application_id=application.id,
        findings=findings,
    )  # type: ignore[arg-type]
    assert application.state == "recommended"
    credential = practice.approve(
        db,
        rt,
        registrar=principal(db, cast["priya"]),
        application_id=application.id,
        rationale="Both assessors found every requirement met.",
    )
    assert credential.organisation_id == org.id and credential.user_id is None
    document = json.loads(credential.document)
    assert document["credentialSubject"]["id"].endswith("/practices/harbourlight")
    assert document["credentialSubject"]["achievement"]["name"] == "Assay Certified Practice"
    statuslists.publish(db, rt)
    assert credentials_public.verify(db, rt, document).verdict is Verdict.VALID
    page = credentials_public.credential_view(db, rt, public_id=credential.public_id, client_ip="192.0.2.9")
    assert page is not None and page["holder"] == "Harbourlight Partners"
    assert practice.public_view(db, rt, "harbourlight")["credentials"][0]["state"] == "active"


def test_conflicted_assessors_and_registrars_are_refused(db: Session, rt: Runtime) -> None:
    cast = make_cast(db, rt)
    org = organisations.create(db, rt, principal=principal(db, cast["jonas"]), name="Kestrel", slug="kestrel")
    for n in range(3):
        email = f"c{n}@example.org"
        user = accounts.sign_up(db, rt, email=email, display_name=f"C {n}", password=PASSWORD)
        _, token = organisations.invite(
            db, rt, principal=principal(db, cast["jonas"]), organisation=org, email=email, role="member"
        )
        organisations.accept(db, rt, user=user, token=token)
        grant(db, rt, email, "certified-ai-integrator")
    manager = principal(db, cast["jonas"])
    practice.save_evidence(db, rt, principal=manager, organisation=org, evidence=EVIDENCE)
    application = practice.submit(db, rt, principal=manager, organisation=org)
    findings = dict.fromkeys(
        practice.REQUIREMENTS, (True, "The templates and records show it applied on two recent engagements.")
    )
    with pytest.raises(PermissionDenied, match="member of this organisation"):
        practice.assess(db, rt, assessor=manager, application_id=application.id, findings=findings)
    with pytest.raises(PermissionDenied):
        practice.save_evidence(db, rt, principal=principal(db, cast["kim"]), organisation=org, evidence=EVIDENCE)


def test_a_certified_practice_renews_in_its_window(db: Session, rt: Runtime, clock) -> None:  # type: ignore[no-untyped-def]
    cast = make_cast(db, rt)
    org = organisations.create(db, rt, principal=principal(db, cast["ada"]), name="Harbourlight", slug="harbourlight")
    for n in range(3):
        email = f"c{n}@example.org"
        user = accounts.sign_up(db, rt, email=email, display_name=f"C {n}", password=PASSWORD)
        _, token = organisations.invite(
            db, rt, principal=principal(db, cast["ada"]), organisation=org, email=email, role="member"
        )
        organisations.accept(db, rt, user=user, token=token)
        grant(db, rt, email, "certified-ai-integrator")
    assessors = []
    for name in ("rhea", "omar"):
        user = accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name, password=PASSWORD)
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
        assessors.append(user)
    findings = dict.fromkeys(practice.REQUIREMENTS, (True, "Applied consistently on two recent engagements."))

    def certify():  # type: ignore[no-untyped-def]
        manager = principal(db, cast["ada"])
        practice.save_evidence(db, rt, principal=manager, organisation=org, evidence=EVIDENCE)
        application = practice.submit(db, rt, principal=manager, organisation=org)
        for a in assessors:
            practice.assess(db, rt, assessor=principal(db, a), application_id=application.id, findings=findings)
        return practice.approve(
            db,
            rt,
            registrar=principal(db, cast["priya"]),
            application_id=application.id,
            rationale="Every requirement met.",
        )

    first = certify()
    with pytest.raises(Conflict, match="renewal opens"):
        practice.save_evidence(db, rt, principal=principal(db, cast["ada"]), organisation=org, evidence=EVIDENCE)
    clock.advance(days=365 - 80)  # inside the 90-day window of a 12-month certificate
    second = certify()
    assert second.renews == first.public_id and second.valid_until > first.valid_until
