"""An organisation's team programme page (managers), its API tokens and webhooks, members' consent
to share their credential status, and the token-authenticated API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import AssayError, ValidationFailed
from assay.core.roles import Permission, require
from assay.db.repositories import integrations as repo
from assay.services import integrations, org_programme, organisations
from assay.web.deps import CurrentPrincipal, DbSession, Rt, SignedInUser, keep_refusal
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/orgs/{slug}/programme", response_class=HTMLResponse)
def programme(request: Request, slug: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    return programme_page(request, slug, db, rt, principal)


def programme_page(request: Request, slug: str, db: Any, rt: Any, principal: Any, **extra: Any) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    require(principal, Permission.ORG_MANAGE, org.id)
    context = {
        "org": org,
        "d": org_programme.dashboard(db, rt, organisation=org),
        "tokens": repo.tokens_of(db, org.id),
        "webhooks": repo.active_webhooks(db, org.id),
        "deliveries": integrations.deliveries(db, org),
        "error": None,
        "shown": None,
    }
    context.update(extra)
    return render(request, "orgs/programme.html", context, status_code=400 if context["error"] else 200)


@router.post("/orgs/{slug}/tokens")
def create_token(
    request: Request, slug: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, name: str = Form("")
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    try:
        _, token = integrations.create_token(db, rt, principal=principal, organisation=org, name=name)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return programme_page(request, slug, db, rt, principal, error=exc.message)
    return programme_page(request, slug, db, rt, principal, shown=("API token", token))


@router.post("/orgs/{slug}/tokens/{token_id}/revoke")
def revoke_token(slug: str, token_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    integrations.revoke_token(db, rt, principal=principal, organisation=org, token_id=token_id)
    return RedirectResponse(f"/orgs/{slug}/programme", status_code=303)


@router.post("/orgs/{slug}/webhooks")
def add_webhook(
    request: Request, slug: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, url: str = Form("")
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    try:
        _, secret = integrations.add_webhook(db, rt, principal=principal, organisation=org, url=url)
    except AssayError as exc:
        keep_refusal(db, exc)
        return programme_page(request, slug, db, rt, principal, error=exc.message)
    return programme_page(request, slug, db, rt, principal, shown=("webhook signing secret", secret))


@router.post("/orgs/{slug}/consent")
def consent(
    slug: str, db: DbSession, rt: Rt, user: SignedInUser, principal: CurrentPrincipal, share: str = Form("")
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    integrations.set_consent(db, rt, user=user, organisation=org, consent=share == "yes")
    return RedirectResponse(f"/orgs/{slug}?notice=consent", status_code=303)


@router.get("/api/v1/orgs/{slug}/programme", include_in_schema=True)
def programme_api(request: Request, slug: str, db: DbSession, rt: Rt) -> dict[str, Any]:
    """The team programme, for an organisation API token (Authorization: Bearer assay_org_…)."""
    org = integrations.authenticate(db, rt, header=request.headers.get("authorization"), slug=slug)
    return org_programme.dashboard(db, rt, organisation=org)
