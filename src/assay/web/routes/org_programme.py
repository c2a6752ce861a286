"""An organisation's team programme page (managers), its API tokens and webhooks, members' consent
to share their credential status, and the token-authenticated API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import AssayError, Conflict, ValidationFailed
from assay.core.roles import Permission, decide, require
from assay.db.repositories import integrations as repo
from assay.services import integrations, org_programme, organisations, practice
from assay.services import programmes as content
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


# --- practice certification ------------------------------------------------------------------------


@router.get("/orgs/{slug}/practice", response_class=HTMLResponse)
def practice_page(
    request: Request,
    slug: str,
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    require(principal, Permission.ORG_MANAGE, org.id)
    row = practice.application_of(db, org)
    context = {
        "org": org,
        "row": row,
        "evidence": json.loads(row.evidence) if row else {},
        "requirements": practice.REQUIREMENTS,
        "certified": practice.certified_people(db, rt, org),
        "needed": content.programme(practice.PROGRAMME).min_certified_individuals,
        "error": error,
    }
    return render(request, "orgs/practice.html", context, status_code=status_code)


@router.post("/orgs/{slug}/practice")
async def practice_save(request: Request, slug: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    form = await request.form()
    org = organisations.visible(db, principal=principal, slug=slug)
    evidence = {k: str(form.get(k, "")) for k in practice.REQUIREMENTS}
    try:
        practice.save_evidence(db, rt, principal=principal, organisation=org, evidence=evidence)
        if form.get("then") == "submit":
            db.flush()
            practice.submit(db, rt, principal=principal, organisation=org)
    except (ValidationFailed, Conflict) as exc:
        keep_refusal(db, exc)
        return practice_page(request, slug, db, rt, principal, error=exc.message, status_code=400)
    return RedirectResponse(f"/orgs/{slug}/practice", status_code=303)


@router.get("/admin/practice", response_class=HTMLResponse)
def practice_queue(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    context = {
        "queue": practice.queue(db, principal),
        "requirements": practice.REQUIREMENTS,
        "registrar": decide(principal, Permission.CREDENTIAL_APPROVE).allowed,
    }
    return render(request, "orgs/practice_queue.html", context)


@router.post("/admin/practice/{application_id}/assess")
async def practice_assess(
    request: Request, application_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal
) -> Response:
    form = await request.form()
    findings = {k: (form.get(f"met-{k}") == "yes", str(form.get(f"note-{k}", ""))) for k in practice.REQUIREMENTS}
    practice.assess(db, rt, assessor=principal, application_id=application_id, findings=findings)
    return RedirectResponse("/admin/practice", status_code=303)


@router.post("/admin/practice/{application_id}/approve")
def practice_approve(
    application_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, rationale: str = Form("")
) -> Response:
    credential = practice.approve(db, rt, registrar=principal, application_id=application_id, rationale=rationale)
    return RedirectResponse(f"/credentials/{credential.public_id}", status_code=303)


@router.get("/practices/{slug}", response_class=HTMLResponse)
def practice_public(request: Request, slug: str, db: DbSession, rt: Rt) -> Response:
    return render(request, "orgs/practice_public.html", {"p": practice.public_view(db, rt, slug), "slug": slug})
