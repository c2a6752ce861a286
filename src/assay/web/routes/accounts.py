"""Sign-up, sign-in, sign-out, password reset and the account page."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import Conflict, ValidationFailed
from assay.core.roles import ROLE_LABELS, Role
from assay.services import accounts, issuance, organisations, translog
from assay.services import wallet as wallet_service
from assay.web.deps import CurrentUser, DbSession, Rt, SignedInUser
from assay.web.security import SESSION_COOKIE, clear_session_cookie, client_ip, set_session_cookie
from assay.web.templating import render

router = APIRouter(prefix="/account")

FormStr = Annotated[str, Form()]


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in is a phishing tool."""
    if not target:
        return "/account"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/account"
    return target


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse("/account", status_code=303)
    return render(request, "accounts/signup.html", {"form": {}, "errors": {}, "next": next or ""})


@router.post("/signup", response_class=HTMLResponse)
def signup(
    request: Request,
    db: DbSession,
    rt: Rt,
    email: FormStr = "",
    display_name: FormStr = "",
    password: FormStr = "",
    next: FormStr = "",
) -> Response:
    form = {"email": email, "display_name": display_name}
    try:
        user = accounts.sign_up(db, rt, email=email, display_name=display_name, password=password)
    except ValidationFailed as exc:
        errors = exc.fields or {"form": exc.message}
        return render(request, "accounts/signup.html", {"form": form, "errors": errors, "next": next}, status_code=400)
    except Conflict as exc:
        return render(
            request,
            "accounts/signup.html",
            {"form": form, "errors": {"email": exc.message}, "next": next},
            status_code=409,
        )
    token = accounts.start_session(db, rt, user=user)
    response = RedirectResponse(safe_next(next) if next else "/account?welcome=1", status_code=303)
    set_session_cookie(response, token, rt.settings)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "accounts/signin.html", {"form": {}, "error": None, "next": next or ""})


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request, db: DbSession, rt: Rt, email: FormStr = "", password: FormStr = "", next: FormStr = ""
) -> Response:
    result = accounts.authenticate(db, rt, email=email, password=password, client_ip=client_ip(request))
    if result.user is None:
        status = 429 if result.retry_after else 400
        headers = {"Retry-After": str(result.retry_after)} if result.retry_after else None
        context = {"form": {"email": email}, "error": result.error, "next": next}
        return render(request, "accounts/signin.html", context, status_code=status, headers=headers)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.end_session(db, token=old)
    token = accounts.start_session(db, rt, user=result.user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token, rt.settings)
    return response


@router.post("/signout")
def signout(request: Request, db: DbSession, rt: Rt) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(db, token=token)
    response = RedirectResponse("/?signed_out=1", status_code=303)
    clear_session_cookie(response, rt.settings)
    return response


@router.get("", response_class=HTMLResponse)
def account(request: Request, db: DbSession, user: SignedInUser) -> Response:
    principal = accounts.principal_for(db, user)
    roles = [ROLE_LABELS[r] for r in Role if r in principal.global_roles]
    orgs = organisations.mine(db, principal=principal)
    managed = {org.id for org in orgs if principal.holds(Role.ORG_MANAGER, org.id)}
    context = {
        "roles": roles,
        "organisations": orgs,
        "managed": managed,
        "credentials": issuance.held_by(db, user_id=user.id),
        "programmes": {p.id: p.name for p in issuance.programmes().programmes},
        "welcome": request.query_params.get("welcome"),
    }
    return render(request, "accounts/account.html", context)


@router.get("/credentials", response_class=HTMLResponse)
def wallet(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    """The holder's wallet: every credential with its state, files, certificate and privacy setting."""
    held = issuance.held_by(db, user_id=user.id)
    context = {
        "credentials": held,
        "programmes": {p.id: p.name for p in issuance.programmes().programmes},
        "visibility": wallet_service.VISIBILITY,
        "linkedin": {c.public_id: wallet_service.linkedin_url(rt, c) for c in held},
        "now": rt.clock.now(),
        "notice": request.query_params.get("notice"),
    }
    return render(request, "accounts/wallet.html", context)


@router.post("/credentials/{public_id}/visibility")
def set_visibility(
    public_id: str, db: DbSession, rt: Rt, user: SignedInUser, visibility: Annotated[str, Form()] = ""
) -> Response:
    wallet_service.set_visibility(db, rt, user_id=user.id, public_id=public_id, visibility=visibility)
    return RedirectResponse("/account/credentials?notice=visibility", status_code=303)


@router.get("/credentials/{public_id}.pdf")
def certificate(public_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    """A PDF certificate with a QR code to the credential's verification page."""
    credential = issuance.held_credential(db, user_id=user.id, public_id=public_id)
    return Response(
        wallet_service.certificate_pdf(db, rt, credential=credential),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="assay-certificate-{public_id}.pdf"'},
    )


@router.get("/credentials/{public_id}.proof.json")
def download_with_proof(public_id: str, db: DbSession, user: SignedInUser) -> Response:
    """The credential with its transparency-log inclusion proof and the signed tree head of this moment:
    kept by the holder, it catches a registry that later shows a different history."""
    credential = issuance.held_credential(db, user_id=user.id, public_id=public_id)
    bundle = {
        "credential": json.loads(credential.document),
        "transparency": translog.proof_bundle(db, event="credential.issued", subject=credential.document_sha256),
    }
    return Response(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="assay-credential-{public_id}-with-proof.json"'},
    )


@router.get("/credentials/{public_id}.json")
def download_credential(public_id: str, db: DbSession, user: SignedInUser) -> Response:
    """The holder's own signed credential, as a file."""
    credential = issuance.held_credential(db, user_id=user.id, public_id=public_id)
    return Response(
        credential.document,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="assay-credential-{public_id}.json"'},
    )


@router.get("/forgot", response_class=HTMLResponse)
def forgot_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "accounts/forgot.html", {"sent": False, "email": ""})


@router.post("/forgot", response_class=HTMLResponse)
def forgot(request: Request, db: DbSession, rt: Rt, email: FormStr = "") -> Response:
    accounts.request_password_reset(db, rt, email=email)
    return render(request, "accounts/forgot.html", {"sent": True, "email": email})


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, token: str, db: DbSession, rt: Rt, user: CurrentUser) -> Response:
    try:
        accounts.check_reset_token(db, rt, token=token)
    except ValidationFailed as exc:
        return render(
            request, "accounts/reset.html", {"token": token, "invalid": exc.message, "error": None}, status_code=400
        )
    return render(request, "accounts/reset.html", {"token": token, "invalid": None, "error": None})


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset(request: Request, token: str, db: DbSession, rt: Rt, password: FormStr = "") -> Response:
    try:
        accounts.reset_password(db, rt, token=token, new_password=password)
    except ValidationFailed as exc:
        invalid = None if exc.fields else exc.message
        error = exc.fields.get("password") if exc.fields else None
        return render(
            request, "accounts/reset.html", {"token": token, "invalid": invalid, "error": error}, status_code=400
        )
    return RedirectResponse("/account/signin?reset=1", status_code=303)
