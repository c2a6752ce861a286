"""Operator pages: the audit trail and its verification."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from assay.core.roles import Permission, require
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import audit as audit_repo
from assay.services import audit
from assay.web.deps import CurrentPrincipal, DbSession
from assay.web.templating import render

router = APIRouter(prefix="/admin")


@router.get("/audit", response_class=HTMLResponse)
def audit_trail(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    require(principal, Permission.AUDIT_READ)
    entries = audit_repo.recent(db, limit=100)
    actors = account_repo.users_by_ids(db, sorted({e.actor_id for e in entries if e.actor_id}))
    return render(request, "admin/audit.html", {"entries": entries, "actors": actors, "verification": audit.verify(db)})
