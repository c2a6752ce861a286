"""The transparency log over HTTP: signed tree heads, inclusion and consistency proofs, and the
entries themselves, so anyone can keep a copy and catch a registry that rewrites its history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from assay.core.errors import NotFound
from assay.services import translog
from assay.web.deps import DbSession, Rt

router = APIRouter(prefix="/log", tags=["transparency log"])

NonNegative = Annotated[int, Query(ge=0, le=2**53)]


def _cached(data: Any, seconds: int) -> JSONResponse:
    return JSONResponse(data, headers={"Cache-Control": f"public, max-age={seconds}"})


@router.get("/heads/latest")
def latest_head(db: DbSession) -> JSONResponse:
    """The most recent signed tree head."""
    head = translog.latest_head(db)
    if head is None:
        raise NotFound("The log has no signed tree head yet.")
    return _cached(translog.head_document(head), 60)


@router.get("/heads")
def heads(db: DbSession, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> JSONResponse:
    """Signed tree heads, newest first."""
    return _cached([translog.head_document(h) for h in translog.heads(db, limit=limit)], 60)


@router.get("/proof/inclusion")
def inclusion(db: DbSession, index: NonNegative, size: NonNegative) -> JSONResponse:
    """RFC 6962 audit path for entry `index` in the tree of the first `size` entries."""
    proof = translog.inclusion_proof(db, index=index, tree_size=size)
    return _cached({"index": index, "tree_size": size, "proof": proof}, 3600)  # fixed for ever once the tree exists


@router.get("/proof/consistency")
def consistency(
    db: DbSession, old: Annotated[int, Query(alias="from", ge=0)], new: Annotated[int, Query(alias="to", ge=0)]
) -> JSONResponse:
    """RFC 6962 consistency proof from the tree of `from` entries to the tree of `to` entries."""
    proof = translog.consistency_proof(db, old_size=old, new_size=new)
    return _cached({"from": old, "to": new, "proof": proof}, 3600)


@router.get("/entries")
def entries(db: DbSession, start: NonNegative = 0, end: NonNegative = 100) -> JSONResponse:
    """Entries [start, end), at most 1,000 at a time: each leaf's data and hash."""
    rows = translog.entries(db, start=start, end=end)
    return _cached([{"index": e.index, "data": e.data, "leaf_hash": e.leaf_hash} for e in rows], 60)


@router.get("/credentials/{document_sha256}")
def credential_proof(document_sha256: str, db: DbSession, rt: Rt) -> dict[str, Any]:
    """A credential's issuance entry with the latest head and its inclusion proof (by document hash)."""
    bundle = translog.proof_bundle(db, event="credential.issued", subject=document_sha256.lower())
    if bundle is None:
        raise NotFound("No signed tree head covers an issuance with that document hash yet.")
    return bundle
