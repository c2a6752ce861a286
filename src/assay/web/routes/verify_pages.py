"""Verification for everyone: the /verify page (an ID, a QR link, or an uploaded file) and the public
page of each credential, in HTML and JSON."""

from __future__ import annotations

import json
import re
from typing import Annotated

import segno
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assay.services import credentials_public
from assay.web.deps import CurrentUser, DbSession, Rt
from assay.web.security import client_ip
from assay.web.templating import render

router = APIRouter()

MAX_UPLOAD_BYTES = 256 * 1024
ID_IN_TEXT = re.compile(r"(?:/credentials/)?([A-Za-z0-9_-]{16,64})/?$")


def _qr(url: str) -> str:
    # A standalone SVG (with its namespace) as a data URI: an <img> shows nothing without the namespace.
    data_uri: str = segno.make(url, error="m").svg_data_uri(scale=4, title="QR code to this verification page")
    return data_uri


@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "verify/form.html", {"error": None, "entered": ""})


@router.post("/verify", response_class=HTMLResponse, include_in_schema=False)
async def verify_submit(
    request: Request,
    db: DbSession,
    rt: Rt,
    credential_id: Annotated[str, Form()] = "",
    credential_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if credential_file is not None and credential_file.filename:
        raw = await credential_file.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            return _form_error(
                request, "That file is over 256 KB: a credential is a few kilobytes. Choose the credential's JSON file."
            )
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _form_error(request, "That file is not JSON. Choose the credential file (.json) you were given.")
        if not isinstance(document, dict):
            return _form_error(request, "That file is JSON but not a credential (a JSON object).")
        if isinstance(document.get("credential"), dict):  # a download with its log proof
            document = document["credential"]
        result = credentials_public.verify(db, rt, document)
        context = {"result": result.as_dict(), "verified": result.verdict.value == "valid", "document": document}
        return render(request, "verify/uploaded.html", context)
    match = ID_IN_TEXT.search(credential_id.strip())
    if not match:
        return _form_error(
            request, "Enter the credential's ID or its verification link, or choose its file.", credential_id
        )
    return RedirectResponse(f"/credentials/{match.group(1)}", status_code=303)


def _form_error(request: Request, message: str, entered: str = "") -> Response:
    return render(request, "verify/form.html", {"error": message, "entered": entered}, status_code=400)


@router.get("/credentials/{public_id}", response_class=HTMLResponse, include_in_schema=False)
def credential_page(request: Request, public_id: str, db: DbSession, rt: Rt, user: CurrentUser) -> Response:
    view = credentials_public.credential_view(db, rt, public_id=public_id, client_ip=client_ip(request))
    if "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", ""):
        if view is None:
            return Response(
                json.dumps({"error": credentials_public.NOT_FOUND}), status_code=404, media_type="application/json"
            )
        return Response(json.dumps(view), media_type="application/json")
    if view is None:
        return render(
            request, "verify/form.html", {"error": credentials_public.NOT_FOUND, "entered": public_id}, status_code=404
        )
    page_url = f"{rt.settings.base_url.rstrip('/')}/credentials/{public_id}"
    return render(request, "verify/credential.html", {"c": view, "qr": _qr(page_url), "page_url": page_url})


@router.get("/api/v1/credentials/{public_id}", tags=["registry"], response_model=None)
def credential_api(request: Request, public_id: str, db: DbSession, rt: Rt) -> JSONResponse:
    """The credential's public record, checked now: holder, achievement, standard version (and what
    changed since), status, each verification check, and its transparency-log entry. Unknown and
    private IDs get the same 404 (returned, not raised, so the lookup still counts against the limit)."""
    view = credentials_public.credential_view(db, rt, public_id=public_id, client_ip=client_ip(request))
    if view is None:
        return JSONResponse({"error": credentials_public.NOT_FOUND}, status_code=404)
    return JSONResponse(view)
