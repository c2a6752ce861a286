"""Readiness profiles beyond the attempt's own link: share links (read-only, revocable) and the signed-in
owner's list of saved assessments, where two of them can be compared or one reopened."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.db.models import User
from assay.services import assessments
from assay.web.deps import DbSession, Rt, SignedInUser
from assay.web.routes.assessment import pdf_of, profile_context
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


def _holder(db: DbSession, user_id: str | None) -> str | None:
    user = db.get(User, user_id) if user_id else None
    return user.display_name if user else None


@router.get("/shared/{share_token}", response_class=HTMLResponse)
def shared(request: Request, share_token: str, db: DbSession) -> Response:
    attempt, data = assessments.shared(db, share_token=share_token)
    context = {
        **profile_context(data),
        "share_token": share_token,
        "holder": _holder(db, attempt.user_id),
        "submitted": attempt.submitted_at,
    }
    return render(request, "assessment/shared.html", context, headers={"X-Robots-Tag": "noindex"})


@router.get("/shared/{share_token}/report.pdf")
def shared_pdf(share_token: str, db: DbSession, rt: Rt) -> Response:
    attempt, data = assessments.shared(db, share_token=share_token)
    return Response(
        pdf_of(data, rt, subject=_holder(db, attempt.user_id)),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="assay-readiness-profile.pdf"'},
    )


@router.get("/account/assessments", response_class=HTMLResponse)
def mine(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    context = {
        "submitted": assessments.attempts_of(db, user_id=user.id),
        "unfinished": assessments.unfinished_of(db, rt, user_id=user.id),
    }
    return render(request, "assessment/mine.html", context)


@router.post("/account/assessments/{attempt_id}/open")
def reopen(attempt_id: str, db: DbSession, user: SignedInUser) -> Response:
    """A fresh link to one of your attempts (only digests of links are kept, so the old one cannot be shown)."""
    attempt = assessments.owned(db, user_id=user.id, attempt_id=attempt_id)
    token = assessments.reissue(db, attempt=attempt)
    return RedirectResponse(f"/assessment/{token}", status_code=303)


@router.get("/account/assessments/compare", response_class=HTMLResponse)
def compare(request: Request, db: DbSession, user: SignedInUser, first: str = "", second: str = "") -> Response:
    comparison = assessments.compare_owned(db, user_id=user.id, first=first, second=second)
    return render(request, "assessment/compare.html", {"c": comparison, "back": "/account/assessments"})
