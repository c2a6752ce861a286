"""Practice certification for consultancies and managed-service providers.

The organisation's managers write up the practice's method against each requirement (engagement
templates, client onboarding checklists, QA gates, client documentation standards, incident response
obligations, monitoring commitments) and apply once enough of the people who deliver its AI work hold
a current Certified AI Integrator credential or higher. Two assessors (reviewers who are not
members) find each requirement met or not, with a note. When both find every requirement met, a
registrar who assessed nothing and is not a member approves: an issuance decision about the
organisation is recorded, approved and issued, and the organisation's credential goes through the
same registry, status lists and transparency log as a person's. Renewal is yearly (programme data).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.errors import AssayError, Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, decide, require
from assay.db.models import IssuedCredential, Organisation, PracticeApplication, PracticeAssessment, User
from assay.db.repositories import community as repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit, issuance, panel
from assay.services import programmes as content
from assay.services.runtime import Runtime

PROGRAMME = "practice"
REQUIREMENTS = {
    "engagement-templates": "Engagement templates: how an AI engagement is scoped, staffed and signed off",
    "onboarding-checklists": "Client onboarding checklists: data access, accountable owners, risk appetite",
    "qa-gates": "QA gates: the evaluations and approvals a release passes before a client's users see it",
    "documentation-standards": "Client documentation standards: system cards, runbooks and handover packs",
    "incident-obligations": "Incident response obligations: notification times, replay evidence, post-incident review",
    "monitoring-commitments": "Monitoring commitments: what is watched after go-live, by whom, with what thresholds",
}
ASSESSORS_NEEDED = 2
MIN_EVIDENCE = 80


def certified_people(db: Session, rt: Runtime, organisation: Organisation) -> list[User]:
    """Members holding a current Certified AI Integrator credential or one above it."""
    out = []
    for m in org_repo.members(db, organisation.id):
        user = db.get_one(User, m.user_id)
        if panel.credentialed(db, rt, user.id, "certified-ai-integrator"):
            out.append(user)
    return out


def application_of(db: Session, organisation: Organisation) -> PracticeApplication | None:
    rows = repo.practice_applications(db, organisation_id=organisation.id)
    return rows[-1] if rows else None


def save_evidence(
    db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation, evidence: dict[str, str]
) -> PracticeApplication:
    require(principal, Permission.ORG_MANAGE, organisation.id)
    row = application_of(db, organisation)
    if row is not None and row.state == "approved" and not renewal_open(db, rt, organisation):
        raise Conflict(
            "The practice is certified; renewal opens in the certificate's last months (see the programme's renewal rule)."
        )
    if row is None or row.state in {"rejected", "not-met", "approved"}:
        row = PracticeApplication(
            id=new_id(rt.clock.now()),
            organisation_id=organisation.id,
            evidence="{}",
            state="draft",
            created_at=rt.clock.now(),
        )
        db.add(row)
    elif row.state != "draft":
        raise Conflict(f"The application is {row.state}; its evidence can no longer change.")
    clean = {k: v.strip() for k, v in evidence.items() if k in REQUIREMENTS}
    row.evidence = json.dumps({**json.loads(row.evidence), **clean}, sort_keys=True)
    db.flush()
    return row


def current_credential(db: Session, rt: Runtime, organisation: Organisation) -> IssuedCredential | None:
    now = rt.clock.now()
    live = [
        c
        for c in repo.organisation_credentials(db, organisation.id)
        if c.state == "active" and (c.valid_until is None or c.valid_until > now)
    ]
    return live[-1] if live else None


def renewal_open(db: Session, rt: Runtime, organisation: Organisation) -> bool:
    """A certified practice may apply to renew within the programme's renewal window before expiry."""
    current = current_credential(db, rt, organisation)
    renewal = content.programme(PROGRAMME).renewal
    if current is None or current.valid_until is None or renewal is None:
        return True
    return current.valid_until - rt.clock.now() <= timedelta(days=renewal.window_days)


def submit(db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation) -> PracticeApplication:
    require(principal, Permission.ORG_MANAGE, organisation.id)
    row = application_of(db, organisation)
    if row is None or row.state != "draft":
        raise Conflict("There is no draft application to submit.")
    evidence = json.loads(row.evidence)
    thin = [REQUIREMENTS[k].split(":")[0] for k in REQUIREMENTS if len(evidence.get(k, "")) < MIN_EVIDENCE]
    if thin:
        raise ValidationFailed(
            f"Describe the practice's evidence for each requirement ({MIN_EVIDENCE} characters or more); still missing: {', '.join(thin)}."
        )
    need = content.programme(PROGRAMME).min_certified_individuals
    have = len(certified_people(db, rt, organisation))
    if have < need:
        raise audit.refuse(
            ValidationFailed(
                f"The practice needs at least {need} members holding a current Certified AI Integrator credential or higher; it has {have}."
            ),
            clock=rt.clock,
            actor_id=principal.user_id,
            action="practice.submit_refused",
            subject_type="organisation",
            subject_id=organisation.id,
        )
    row.state, row.submitted_by, row.submitted_at = "submitted", principal.user_id, rt.clock.now()
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="practice.submitted",
        subject_type="practice_application",
        subject_id=row.id,
        organisation_id=organisation.id,
        details={"certified_individuals": have},
    )
    return row


def _load(db: Session, application_id: str) -> tuple[PracticeApplication, Organisation]:
    row = repo.practice_application(db, application_id)
    if row is None:
        raise NotFound("No such practice application.")
    return row, db.get_one(Organisation, row.organisation_id)


def _member(db: Session, organisation: Organisation, user_id: str) -> bool:
    return org_repo.membership(db, organisation.id, user_id) is not None


def assess(
    db: Session, rt: Runtime, *, assessor: Principal, application_id: str, findings: dict[str, tuple[bool, str]]
) -> PracticeApplication:
    require(assessor, Permission.SUBMISSION_REVIEW)
    row, organisation = _load(db, application_id)

    def refuse(exc: AssayError) -> AssayError:
        return audit.refuse(
            exc,
            clock=rt.clock,
            actor_id=assessor.user_id,
            action="practice.assessment_refused",
            subject_type="practice_application",
            subject_id=row.id,
        )

    if _member(db, organisation, assessor.user_id):
        raise refuse(
            PermissionDenied("You are a member of this organisation; another assessor must review its practice.")
        )
    if row.state != "submitted":
        raise Conflict(f"This application is {row.state}.")
    done = repo.practice_assessments(db, row.id)
    if any(a.assessor_id == assessor.user_id for a in done):
        raise refuse(Conflict("You have already assessed this application."))
    clean: dict[str, dict[str, Any]] = {}
    for k in REQUIREMENTS:
        if k not in findings:
            raise ValidationFailed(f"Give a finding for every requirement; {k} is missing.")
        met, note = findings[k]
        if len(note.strip()) < 20:
            raise ValidationFailed(f"Explain the finding on {k} (20 characters or more).")
        clean[k] = {"met": bool(met), "note": note.strip()}
    now = rt.clock.now()
    db.add(
        PracticeAssessment(
            id=new_id(now),
            application_id=row.id,
            assessor_id=assessor.user_id,
            findings=json.dumps(clean, sort_keys=True),
            created_at=now,
        )
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=assessor.user_id,
        action="practice.assessed",
        subject_type="practice_application",
        subject_id=row.id,
        details={"met": sum(1 for v in clean.values() if v["met"])},
    )
    done = repo.practice_assessments(db, row.id)
    if any(not v["met"] for a in done for v in json.loads(a.findings).values()):
        row.state = "not-met"
    elif len(done) >= ASSESSORS_NEEDED:
        row.state = "recommended"
    db.flush()
    return row


def approve(db: Session, rt: Runtime, *, registrar: Principal, application_id: str, rationale: str) -> IssuedCredential:
    require(registrar, Permission.CREDENTIAL_APPROVE)
    row, organisation = _load(db, application_id)
    assessors = [a.assessor_id for a in repo.practice_assessments(db, row.id)]
    if registrar.user_id in assessors or _member(db, organisation, registrar.user_id):
        raise audit.refuse(
            PermissionDenied("A registrar who assessed this practice, or belongs to it, cannot decide it."),
            clock=rt.clock,
            actor_id=registrar.user_id,
            action="practice.approve_refused",
            subject_type="practice_application",
            subject_id=row.id,
        )
    if row.state != "recommended":
        raise Conflict(f"This application is {row.state}; only one both assessors found conformant is approved.")
    grader = db.get_one(User, assessors[0])
    previous = current_credential(db, rt, organisation)
    decision = issuance.create_organisation_decision(
        db,
        rt,
        programme_id=PROGRAMME,
        organisation=organisation,
        graded_by_email=grader.email,
        rationale=rationale,
        results=[{"description": "practice-outcome", "status": "Completed"}],
        created_by=registrar.user_id,
    )
    issuance.approve(db, rt, registrar=registrar, decision_id=decision.id)
    [credential] = issuance.issue(db, rt, decision_id=decision.id, actor_id=registrar.user_id)
    if previous is not None:  # a renewal: the new certificate says which one it renews
        credential.renews = previous.public_id
    row.state, row.decided_by, row.decided_at, row.issuance_decision_id = (
        "approved",
        registrar.user_id,
        rt.clock.now(),
        decision.id,
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action="practice.approved",
        subject_type="practice_application",
        subject_id=row.id,
        organisation_id=organisation.id,
        details={"credential": credential.public_id},
    )
    return credential


def queue(db: Session, principal: Principal) -> list[dict[str, Any]]:
    if not (
        decide(principal, Permission.SUBMISSION_REVIEW).allowed
        or decide(principal, Permission.CREDENTIAL_APPROVE).allowed
    ):
        raise PermissionDenied("Practice assessment is for assessors and registrars.")
    out = []
    for row in repo.practice_applications(db):
        if row.state in {"submitted", "recommended", "not-met"}:
            org = db.get_one(Organisation, row.organisation_id)
            out.append(
                {
                    "application": row,
                    "organisation": org,
                    "evidence": json.loads(row.evidence),
                    "assessments": [json.loads(a.findings) for a in repo.practice_assessments(db, row.id)],
                }
            )
    return out


def public_view(db: Session, rt: Runtime, slug: str) -> dict[str, Any]:
    organisation = org_repo.by_slug(db, slug)
    credentials = repo.organisation_credentials(db, organisation.id) if organisation else []
    if organisation is None or not credentials:
        raise NotFound("No certified practice has this address.")
    now = rt.clock.now()
    return {
        "name": organisation.name,
        "credentials": [
            {
                "public_id": c.public_id,
                "state": "expired" if c.valid_until and c.valid_until <= now else c.state,
                "valid_until": c.valid_until,
                "issued_at": c.issued_at,
            }
            for c in credentials
        ],
        "certified_people": len(certified_people(db, rt, organisation)),
    }
