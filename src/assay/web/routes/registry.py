"""What verifiers fetch: the issuer's DID document, the status lists, and a VC-API style verify endpoint."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from assay.core.errors import NotFound, ValidationFailed
from assay.services import credentials_public
from assay.web.deps import DbSession, Rt

router = APIRouter()


@router.get("/.well-known/did.json")
def did_document(db: DbSession, rt: Rt) -> JSONResponse:
    """The issuer's did:web document: every key that ever signed, with withdrawn keys marked."""
    return JSONResponse(
        credentials_public.did_document(db, rt),
        media_type="application/did+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/status/{slug}")
def status_list(slug: str, db: DbSession, rt: Rt) -> JSONResponse:
    """A signed BitstringStatusListCredential. Cached no longer than its ttl, so revocations show quickly."""
    document = credentials_public.status_list(db, slug)
    if document is None:
        raise NotFound("There is no published status list at this address.")
    ttl = max(0, int(document.get("credentialSubject", {}).get("ttl", 0)) // 1000)
    return JSONResponse(
        document, media_type="application/vc+ld+json", headers={"Cache-Control": f"public, max-age={ttl}"}
    )


@router.post("/credentials/verify")
def verify(request: Request, db: DbSession, rt: Rt, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """VC-API style verification: `{"verifiableCredential": {...}}` in, one result per check out.

    Status lists and the DID document of this registry's issuer come from its own database; other
    issuers' did:key credentials are checked locally. Nothing is fetched."""
    credential = body.get("verifiableCredential")
    if not isinstance(credential, dict):
        raise ValidationFailed('Send {"verifiableCredential": {...}} with the credential as a JSON object.')
    result = credentials_public.verify(db, rt, credential)
    return {"verified": result.verdict.value == "valid", **result.as_dict()}
