"""The home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from assay.db.migrate import current_revision, head_revision
from assay.web.deps import CurrentUser, DbSession
from assay.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/api/health")
def health(request: Request, db: DbSession) -> dict[str, object]:
    """Liveness plus schema currency: a server running ahead of its migrations says so."""
    db.execute(text("SELECT 1"))
    current = current_revision(db.connection())
    return {"status": "ok", "schema": current, "schema_current": current == head_revision()}
