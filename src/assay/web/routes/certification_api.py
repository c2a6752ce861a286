"""Certification through the JSON API: programmes (public), and a signed-in candidate's exams and
decision records. Send the CSRF token (GET /api/v1/csrf) as X-CSRF-Token with every change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from assay.core.errors import NotFound
from assay.core.roles import Permission, decide
from assay.db.repositories import certification as repo
from assay.services import cases, exams
from assay.services import programmes as content
from assay.web.deps import CurrentPrincipal, DbSession, Rt, SignedInUser

router = APIRouter(prefix="/api/v1")


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identity_name: Annotated[str, Field(max_length=200)]
    honour_accepted: bool


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choice: Annotated[list[str], Field(min_length=1, max_length=10)]


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: Annotated[str, Field(max_length=30)]
    reason: Annotated[str, Field(max_length=40)]
    comment: Annotated[str, Field(max_length=1000)] = ""


@router.get("/programmes")
def programmes() -> list[dict[str, Any]]:
    return [p.model_dump(mode="json") for p in content.all_programmes()]


@router.get("/programmes/{programme_id}")
def programme(programme_id: str) -> dict[str, Any]:
    return content.programme(programme_id).model_dump(mode="json")


def _attempt(attempt: Any) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "programme": attempt.programme_id,
        "state": attempt.state,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline_at.isoformat(),
        "result": exams.result(attempt),
    }


@router.post("/programmes/{programme_id}/exam", status_code=201)
def start(programme_id: str, body: StartIn, db: DbSession, rt: Rt, user: SignedInUser) -> dict[str, Any]:
    attempt = exams.start(
        db,
        rt,
        user=user,
        programme_id=programme_id,
        identity_name=body.identity_name,
        honour_accepted=body.honour_accepted,
    )
    return exams.view(db, rt, attempt)


@router.get("/exams")
def mine(db: DbSession, rt: Rt, user: SignedInUser) -> list[dict[str, Any]]:
    return [_attempt(a) for a in exams.attempts_of(db, rt, user_id=user.id)]


@router.get("/exams/{attempt_id}")
def view(attempt_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> dict[str, Any]:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    return {**_attempt(attempt), **(exams.view(db, rt, attempt) if attempt.state == "in_progress" else {})}


@router.put("/exams/{attempt_id}/answers/{item_id}", response_model=None)
def answer(
    attempt_id: str, item_id: str, body: AnswerIn, db: DbSession, rt: Rt, user: SignedInUser
) -> dict[str, Any] | JSONResponse:
    outcome = exams.answer(db, rt, user_id=user.id, attempt_id=attempt_id, item_id=item_id, choice=body.choice)
    data = {
        "saved": outcome.accepted,
        "message": outcome.message,
        "answered": outcome.answered,
        "seconds_left": outcome.seconds_left,
    }
    # Refused for lateness, yet the request succeeded in closing the attempt: 409 tells the client, the commit keeps it.
    return data if outcome.accepted else JSONResponse(data, status_code=409)


@router.post("/exams/{attempt_id}/flags", status_code=201)
def flag(attempt_id: str, body: FlagIn, db: DbSession, rt: Rt, user: SignedInUser) -> dict[str, Any]:
    row = exams.flag(
        db, rt, user_id=user.id, attempt_id=attempt_id, item_id=body.item_id, reason=body.reason, comment=body.comment
    )
    return {"flagged": row.item_ref}


@router.post("/exams/{attempt_id}/submit")
def submit(attempt_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> dict[str, Any]:
    return _attempt(exams.submit(db, rt, user_id=user.id, attempt_id=attempt_id))


@router.get("/certification/cases/{case_id}")
def case(case_id: str, db: DbSession, user: SignedInUser, principal: CurrentPrincipal) -> dict[str, Any]:
    row = repo.case(db, case_id)
    if row is None or (row.user_id != user.id and not decide(principal, Permission.CREDENTIAL_APPROVE).allowed):
        raise NotFound(f"No decision record {case_id}.")
    return cases.case_view(db, row)
