"""Issuance through the JSON API: record a decision (one person or a batch), approve it, issue it.

Authentication is the session cookie; as for every state-changing request, send the CSRF token
(from GET /api/v1/session) in the X-CSRF-Token header.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assay.core.errors import PermissionDenied, ValidationFailed
from assay.core.roles import Permission, decide
from assay.services import issuance, statuslists
from assay.web.deps import CurrentPrincipal, DbSession, Rt
from assay.web.security import csrf_token

router = APIRouter(prefix="/api/v1")

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Short
    value: Short | None = None
    status: Short | None = None


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2000)]
    name: Short = "Evidence"
    description: str = ""


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Short
    results: list[ResultIn] = Field(default_factory=list, max_length=20)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)
    renews: Short | None = None  # the public ID of the credential this renews


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programme: Short
    grader_email: Short
    rationale: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    standard_version: Short = "latest"
    subjects: list[SubjectIn] = Field(min_length=1, max_length=1000)


class DecisionOut(BaseModel):
    id: str
    programme: str
    standard_version: str
    status: str
    subjects: int
    credentials: list[str]


@router.get("/session")
def session(request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    """Who you are, and the CSRF token your state-changing API calls must send."""
    return {"user_id": principal.user_id, "csrf_token": csrf_token(request)}


def _out(db: DbSession, decision_id: str) -> DecisionOut:
    view = issuance.decision_view(db, decision_id=decision_id)
    return DecisionOut(**view)


@router.post("/issuance/decisions", status_code=201)
def create_decision(body: DecisionIn, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> DecisionOut:
    """Record a decision for one person or a batch. Nothing is signed until a registrar approves it."""
    if not (
        decide(principal, Permission.SUBMISSION_REVIEW).allowed
        or decide(principal, Permission.CREDENTIAL_APPROVE).allowed
    ):
        raise PermissionDenied("Only reviewers and registrars record issuance decisions.")
    subjects = [
        issuance.SubjectInput(
            s.email,
            results=[r.model_dump(exclude_none=True) for r in s.results],
            evidence=[e.model_dump() for e in s.evidence],
            renews=s.renews,
        )
        for s in body.subjects
    ]
    problems = issuance.check_subjects(
        db, programme_id=body.programme, subjects=subjects, grader_email=body.grader_email
    )
    if any(problems):  # the whole batch's report at once; nothing is recorded until every row is right
        bad = {f"subjects[{i}]": p for i, p in enumerate(problems) if p}
        raise ValidationFailed(f"{len(bad)} of {len(subjects)} subjects need fixing; nothing was recorded.", bad)
    decision = issuance.create_decision(
        db,
        rt,
        programme_id=body.programme,
        subjects=subjects,
        graded_by_email=body.grader_email,
        rationale=body.rationale,
        standard_version=body.standard_version,
        created_by=principal.user_id,
    )
    return _out(db, decision.id)


@router.get("/issuance/decisions/{decision_id}")
def get_decision(decision_id: str, db: DbSession, principal: CurrentPrincipal) -> DecisionOut:
    if not (
        decide(principal, Permission.SUBMISSION_REVIEW).allowed
        or decide(principal, Permission.CREDENTIAL_APPROVE).allowed
    ):
        raise PermissionDenied("Only reviewers and registrars see issuance decisions.")
    return _out(db, decision_id)


@router.post("/issuance/decisions/{decision_id}/approve")
def approve(decision_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> DecisionOut:
    issuance.approve(db, rt, registrar=principal, decision_id=decision_id)
    return _out(db, decision_id)


@router.post("/issuance/decisions/{decision_id}/issue")
def issue(decision_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> DecisionOut:
    """Sign the approved decision's credentials; calling it again issues nothing twice."""
    if not decide(principal, Permission.CREDENTIAL_APPROVE).allowed:
        raise PermissionDenied("Only registrars issue credentials.")
    issuance.issue(db, rt, decision_id=decision_id, actor_id=principal.user_id)
    statuslists.publish(db, rt)
    return _out(db, decision_id)
