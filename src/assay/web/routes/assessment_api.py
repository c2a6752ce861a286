"""The readiness assessment through the JSON API: start, resume, answer, submit, report (JSON or PDF),
share links, comparison, and team campaigns. The attempt's token is its key; send the CSRF token
(GET /api/v1/csrf) with every change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from assay.services import assessments, campaigns, organisations
from assay.web.deps import CurrentPrincipal, CurrentUser, DbSession, Rt
from assay.web.routes.assessment import pdf_of
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


@router.get(
    "/assessments/{token}/report.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def report_pdf(token: str, db: DbSession, rt: Rt) -> Response:
    return Response(pdf_of(assessments.report(db, token=token), rt), media_type="application/pdf")


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Annotated[str, Field(max_length=120)] = ""


def _share_view(share: Any) -> dict[str, Any]:
    return {
        "id": share.id,
        "label": share.label,
        "created_at": share.created_at.isoformat(),
        "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
    }


@router.post("/assessments/{token}/shares", status_code=201)
def create_share(token: str, body: ShareIn, db: DbSession, rt: Rt) -> dict[str, Any]:
    """A read-only link to the profile. Its token is shown once, here."""
    share, share_token = assessments.create_share(db, rt, token=token, label=body.label)
    url = f"{rt.settings.base_url.rstrip('/')}/shared/{share_token}"
    return {**_share_view(share), "share_token": share_token, "url": url}


@router.get("/assessments/{token}/shares")
def list_shares(token: str, db: DbSession) -> list[dict[str, Any]]:
    return [_share_view(s) for s in assessments.shares(db, token=token)]


@router.post("/assessments/{token}/shares/{share_id}/revoke")
def revoke_share(token: str, share_id: str, db: DbSession, rt: Rt) -> dict[str, Any]:
    return _share_view(assessments.revoke_share(db, rt, token=token, share_id=share_id))


@router.get("/shared/{share_token}")
def shared(share_token: str, db: DbSession) -> dict[str, Any]:
    """The profile behind a share link (no answers, no per-question feedback)."""
    _, profile = assessments.shared(db, share_token=share_token)
    return profile


@router.get("/assessments/{token}/compare/{other}")
def compare(token: str, other: str, db: DbSession) -> dict[str, Any]:
    """The two attempts, earlier against later, with what the standard itself changed in between."""
    return assessments.compare_tokens(db, token=token, other=other)


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    target_role: str = "integrator"
    min_group_size: int = campaigns.DEFAULT_MIN_GROUP


def _campaign_view(v: campaigns.CampaignView) -> dict[str, Any]:
    c = v.campaign
    return {
        "id": c.id,
        "name": c.name,
        "target_role": c.target_role,
        "min_group_size": c.min_group_size,
        "open": v.open,
        "joined": v.joined,
        "submitted": v.submitted,
        "created_at": c.created_at.isoformat(),
    }


@router.get("/organisations/{slug}/campaigns")
def list_campaigns(slug: str, db: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    org = organisations.visible(db, principal=principal, slug=slug)
    return [_campaign_view(v) for v in campaigns.list_for(db, principal=principal, organisation=org)]


@router.post("/organisations/{slug}/campaigns", status_code=201)
def open_campaign(slug: str, body: CampaignIn, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> dict[str, Any]:
    """Organisation managers only. The answer carries the join link to send to the team."""
    org = organisations.visible(db, principal=principal, slug=slug)
    campaign = campaigns.open_campaign(
        db,
        rt,
        principal=principal,
        organisation=org,
        name=body.name,
        target_role=body.target_role,
        min_group_size=body.min_group_size,
    )
    join_url = f"{rt.settings.base_url.rstrip('/')}/campaigns/join/{campaign.join_token}"
    return {**_campaign_view(campaigns.view(db, campaign=campaign)), "join_url": join_url}


@router.get("/campaigns/{campaign_id}/team")
def team(campaign_id: str, db: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    """The team profile: distributions for members, plus the per-member heatmap for managers."""
    campaign, _ = campaigns.get(db, principal=principal, campaign_id=campaign_id)
    return campaigns.team_profile(db, principal=principal, campaign=campaign)


@router.post("/campaigns/join/{join_token}", status_code=201)
def join(join_token: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> dict[str, Any]:
    """Join as a member of the organisation: the attempt's token (a fresh one if you had joined already)."""
    attempt, token, new = campaigns.join(db, rt, principal=principal, token=join_token)
    return {"token": token, "new": new, **assessments.state(db, attempt)}
