"""People: the directory and public profiles; one's own profile, domains, artifacts, data export and
deletion. (The advisory loop's pages are in routes.advisory.)"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assay.core.errors import ValidationFailed
from assay.core.roles import Permission, decide
from assay.db.repositories import community as repo
from assay.db.repositories import credentials as credential_repo
from assay.services import accounts as accounts_service
from assay.services import my_data, profiles, standards
from assay.services import programmes as content
from assay.web.deps import CurrentPrincipal, CurrentUser, DbSession, Rt, SignedInUser, keep_refusal
from assay.web.security import SESSION_COOKIE
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/directory", response_class=HTMLResponse)
def directory(
    request: Request,
    db: DbSession,
    rt: Rt,
    user: CurrentUser,
    q: str = "",
    credential: str = "",
    domain: str = "",
    region: str = "",
    availability: str = "",
    page: int = 1,
) -> Response:
    result = profiles.directory(
        db, rt, q=q, credential=credential, domain=domain, region=region, availability=availability, page=page
    )
    filters = {"q": q, "credential": credential, "domain": domain, "region": region, "availability": availability}
    context = {
        "result": result,
        "filters": filters,
        "regions": profiles.REGIONS,
        "availability": profiles.AVAILABILITY,
        "programmes": [p for p in content.all_programmes() if p.holder == "person"],
        "domains": standards.latest_targets(),
        "domain_ids": standards.latest_domain_ids(),
        "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
    }
    return render(request, "community/directory.html", context)


@router.get("/people/{handle}", response_class=HTMLResponse)
def person(request: Request, handle: str, db: DbSession, rt: Rt, user: CurrentUser) -> Response:
    reviewer = (
        user is not None and decide(accounts_service.principal_for(db, user), Permission.SUBMISSION_REVIEW).allowed
    )
    context = {"p": profiles.public_view(db, rt, handle), "domains": standards.latest_targets(), "reviewer": reviewer}
    return render(request, "community/person.html", context)


@router.post("/people/{handle}/artifacts/{artifact_id}/verify")
def verify_artifact(
    handle: str, artifact_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, note: str = Form("")
) -> Response:
    profiles.verify_artifact(db, rt, reviewer=principal, artifact_id=artifact_id, note=note)
    return RedirectResponse(f"/people/{handle}", status_code=303)


@router.get("/api/v1/directory", include_in_schema=True)
def directory_api(
    db: DbSession,
    rt: Rt,
    q: str = "",
    credential: str = "",
    domain: str = "",
    region: str = "",
    availability: str = "",
    page: int = 1,
) -> dict[str, Any]:
    result = profiles.directory(
        db, rt, q=q, credential=credential, domain=domain, region=region, availability=availability, page=page
    )
    return {"page": result.page, "pages": result.pages, "total": result.total, "entries": result.entries}


@router.get("/api/v1/people/{handle}", include_in_schema=True)
def person_api(handle: str, db: DbSession, rt: Rt) -> dict[str, Any]:
    view: dict[str, Any] = json.loads(json.dumps(profiles.public_view(db, rt, handle), default=str))
    return view


# --- one's own profile -----------------------------------------------------------------------------


@router.get("/account/profile", response_class=HTMLResponse)
def my_profile(
    request: Request, db: DbSession, rt: Rt, user: SignedInUser, error: str | None = None, status_code: int = 200
) -> Response:
    row = profiles.profile_of(db, user.id)
    context = {
        "row": row,
        "focus": json.loads(row.focus) if row else [],
        "regions": profiles.REGIONS,
        "availability": profiles.AVAILABILITY,
        "domain_ids": standards.latest_domain_ids(),
        "targets": standards.latest_targets(),
        "error": error,
        "domains": repo.domains_of(db, user.id),
        "artifacts": repo.artifacts_of(db, user.id),
        "txt_prefix": profiles.TXT_PREFIX,
        "well_known": profiles.WELL_KNOWN,
        "credentials": credential_repo.credentials_of_user(db, user.id),
    }
    return render(request, "community/my_profile.html", context, status_code=status_code)


@router.post("/account/profile")
async def save_profile(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    form = await request.form()
    try:
        profiles.save_profile(
            db,
            rt,
            user=user,
            handle=str(form.get("handle", "")),
            headline=str(form.get("headline", "")),
            bio=str(form.get("bio", "")),
            region=str(form.get("region", "")),
            availability=str(form.get("availability", "unavailable")),
            focus=[str(v) for v in form.getlist("focus")],
            visibility=str(form.get("visibility", "private")),
        )
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return my_profile(request, db, rt, user, error=exc.message, status_code=400)
    return RedirectResponse("/account/profile?saved=1", status_code=303)


@router.post("/account/profile/domains")
def add_domain(request: Request, db: DbSession, rt: Rt, user: SignedInUser, domain: str = Form("")) -> Response:
    try:
        profiles.add_domain(db, rt, user=user, domain=domain)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return my_profile(request, db, rt, user, error=exc.message, status_code=400)
    return RedirectResponse("/account/profile#domains", status_code=303)


@router.post("/account/profile/domains/{domain_id}/verify")
def verify_domain(db: DbSession, rt: Rt, user: SignedInUser, domain_id: str) -> Response:
    profiles.verify_domain(db, rt, user=user, domain_id=domain_id)
    return RedirectResponse("/account/profile#domains", status_code=303)


@router.post("/account/profile/artifacts")
def add_artifact(
    request: Request,
    db: DbSession,
    rt: Rt,
    user: SignedInUser,
    title: str = Form(""),
    url: str = Form(""),
    summary: str = Form(""),
) -> Response:
    try:
        profiles.add_artifact(db, rt, user=user, title=title, url=url, summary=summary)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return my_profile(request, db, rt, user, error=exc.message, status_code=400)
    return RedirectResponse("/account/profile#artifacts", status_code=303)


@router.get("/account/data.json")
def export(db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    data = my_data.export(db, rt, user=user)
    return JSONResponse(data, headers={"Content-Disposition": 'attachment; filename="my-assay-data.json"'})


@router.get("/account/delete", response_class=HTMLResponse)
def delete_page(request: Request, user: SignedInUser, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "community/delete.html", {"error": error}, status_code=status_code)


@router.post("/account/delete")
def delete(request: Request, db: DbSession, rt: Rt, user: SignedInUser, confirm: str = Form("")) -> Response:
    try:
        my_data.delete_account(db, rt, user=user, confirm_email=confirm)
    except ValidationFailed as exc:
        return delete_page(request, user, error=exc.message, status_code=400)
    response = RedirectResponse("/?deleted=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
