"""The readiness assessment through the JSON API (the pages come later): start, resume, answer, submit,
report. The attempt's token is its key; send the CSRF token (GET /api/v1/csrf) with every change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from assay.services import assessments
from assay.web.deps import CurrentUser, DbSession, Rt
from assay.web.security import csrf_token

router = APIRouter(prefix="/api/v1")


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choice: Annotated[list[str], Field(min_length=1, max_length=10)]
    confidence: float | None = None


class SelfRatingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ratings: dict[str, int]


@router.get("/csrf")
def csrf(request: Request) -> dict[str, str]:
    """The token state-changing calls send as X-CSRF-Token (bound to this browser's cookie)."""
    return {"csrf_token": csrf_token(request)}


@router.post("/assessments", status_code=201)
def start(db: DbSession, rt: Rt, user: CurrentUser) -> dict[str, Any]:
    attempt, token = assessments.start(db, rt, user_id=user.id if user else None)
    return {"token": token, **assessments.state(db, attempt)}


@router.get("/assessments/{token}")
def resume(token: str, db: DbSession) -> dict[str, Any]:
    return assessments.state(db, assessments.get(db, token=token))


@router.put("/assessments/{token}/self-ratings")
def self_ratings(token: str, body: SelfRatingsIn, db: DbSession, rt: Rt) -> dict[str, Any]:
    assessments.rate_self(db, rt, token=token, ratings=body.ratings)
    return {"saved": True}


@router.put("/assessments/{token}/answers/{item_id}")
def answer(token: str, item_id: str, body: AnswerIn, db: DbSession, rt: Rt) -> dict[str, Any]:
    answered = assessments.answer(db, rt, token=token, item_id=item_id, choice=body.choice, confidence=body.confidence)
    return {"saved": True, "answered": answered}


@router.post("/assessments/{token}/submit")
def submit(token: str, db: DbSession, rt: Rt, role: str = "integrator") -> dict[str, Any]:
    return assessments.submit(db, rt, token=token, target_role=role)


@router.get("/assessments/{token}/report")
def report(token: str, db: DbSession) -> dict[str, Any]:
    return assessments.report(db, token=token)
