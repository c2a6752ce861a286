"""Organisations: list and create, the organisation page, invitations and accepting them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import Conflict, ValidationFailed
from assay.core.roles import INVITABLE_ROLES, Permission, decide
from assay.services import assessments, campaigns, organisations
from assay.web.deps import CurrentPrincipal, CurrentUser, DbSession, Rt, SignedInUser
from assay.web.templating import render

router = APIRouter()

FormStr = Annotated[str, Form()]


@router.get("/orgs", response_class=HTMLResponse)
def index(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    orgs = organisations.mine(db, principal=principal)
    return render(request, "orgs/index.html", {"organisations": orgs, "form": {}, "errors": {}})


@router.post("/orgs", response_class=HTMLResponse)
def create(
    request: Request, db: DbSession, rt: Rt, principal: CurrentPrincipal, name: FormStr = "", slug: FormStr = ""
) -> Response:
    try:
        org = organisations.create(db, rt, principal=principal, name=name, slug=slug or None)
    except (ValidationFailed, Conflict) as exc:
        errors = getattr(exc, "fields", None) or {"name": exc.message}
        orgs = organisations.mine(db, principal=principal)
        context = {"organisations": orgs, "form": {"name": name, "slug": slug}, "errors": errors}
        return render(request, "orgs/index.html", context, status_code=400)
    return RedirectResponse(f"/orgs/{org.slug}?created=1", status_code=303)


def org_page(request: Request, db: DbSession, principal: CurrentPrincipal, slug: str, **extra: object) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    can_manage = decide(principal, Permission.ORG_MANAGE, org.id).allowed
    context = {
        "org": org,
        "members": organisations.members(db, principal=principal, organisation=org),
        "can_manage": can_manage,
        "invitations": organisations.pending_invitations(db, principal=principal, organisation=org)
        if can_manage
        else [],
        "roles": INVITABLE_ROLES,
        "notice": request.query_params.get("notice") or ("created" if request.query_params.get("created") else None),
        "form": {},
        "errors": {},
        "campaigns": campaigns.list_for(db, principal=principal, organisation=org),
        "campaign_roles": {k: v["label"] for k, v in assessments.role_targets().items()},
        "campaign_form": {},
        "campaign_errors": {},
    }
    context.update(extra)
    status = 400 if extra.get("errors") or extra.get("campaign_errors") else 200
    return render(request, "orgs/detail.html", context, status_code=status)


@router.get("/orgs/{slug}", response_class=HTMLResponse)
def detail(request: Request, slug: str, db: DbSession, principal: CurrentPrincipal) -> Response:
    return org_page(request, db, principal, slug)


@router.post("/orgs/{slug}/invitations", response_class=HTMLResponse)
def invite(
    request: Request,
    slug: str,
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    email: FormStr = "",
    role: FormStr = "member",
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    try:
        organisations.invite(db, rt, principal=principal, organisation=org, email=email, role=role)
    except ValidationFailed as exc:
        errors = exc.fields or {"email": exc.message}
        return org_page(request, db, principal, slug, form={"email": email, "role": role}, errors=errors)
    return RedirectResponse(f"/orgs/{org.slug}?notice=invited", status_code=303)


@router.post("/orgs/{slug}/invitations/{invitation_id}/revoke")
def revoke(
    request: Request, slug: str, invitation_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    organisations.revoke_invitation(db, rt, principal=principal, organisation=org, invitation_id=invitation_id)
    return RedirectResponse(f"/orgs/{org.slug}?notice=revoked", status_code=303)


@router.get("/invitations/{token}", response_class=HTMLResponse)
def show_invitation(request: Request, token: str, db: DbSession, rt: Rt, user: CurrentUser) -> Response:
    invitation, org = organisations.invitation_for_token(db, rt, token=token)
    return render(request, "orgs/invitation.html", {"invitation": invitation, "org": org, "token": token})


@router.post("/invitations/{token}/accept")
def accept(request: Request, token: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    org = organisations.accept(db, rt, user=user, token=token)
    return RedirectResponse(f"/orgs/{org.slug}?notice=joined", status_code=303)


@router.get("/api/v1/organisations/{slug}")
def api_detail(slug: str, db: DbSession, principal: CurrentPrincipal) -> dict[str, object]:
    org = organisations.visible(db, principal=principal, slug=slug)
    members = organisations.members(db, principal=principal, organisation=org)
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "members": [{"display_name": m.display_name, "roles": list(m.roles)} for m in members],
    }
