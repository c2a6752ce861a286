"""The FastAPI app factory: engines and collaborators are built in the lifespan, never at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from assay import __version__
from assay.services.runtime import Runtime, build_runtime
from assay.settings import Settings
from assay.web import errors
from assay.web.admission import THREAD_HEADROOM, AdmissionControl
from assay.web.deps import csrf_guard
from assay.web.routes import (
    accounts,
    admin,
    advisory,
    assessment,
    assessment_api,
    assessment_shared,
    campaigns,
    certification,
    certification_api,
    community,
    decisions,
    home,
    issuance_api,
    org_programme,
    organisations,
    panel_pages,
    registry,
    standard,
    standard_api,
    submissions,
    translog,
    verify_pages,
)
from assay.web.security import VISITOR_COOKIE, new_visitor_id, set_visitor_cookie

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"

# Pages are server-rendered with no inline script: the policy can forbid scripts outright.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from assay.db.session import build_engine, session_factory

        # Enough worker threads for every admitted request plus headroom (see assay.web.admission).
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, settings.max_concurrent_requests + THREAD_HEADROOM)
        engine = build_engine(settings.resolved_database_url)
        app.state.engine = engine
        app.state.session_factory = session_factory(engine)
        app.state.runtime = runtime or build_runtime(settings)
        app.state.secret_key = settings.resolved_secret_key()
        app.state.settings = settings
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Assay",
        version=__version__,
        lifespan=lifespan,
        dependencies=[Depends(csrf_guard)],
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(home.router)
    app.include_router(accounts.router)
    app.include_router(org_programme.router)
    app.include_router(organisations.router)
    app.include_router(admin.router)
    app.include_router(registry.router)
    app.include_router(translog.router)
    app.include_router(verify_pages.router)
    app.include_router(issuance_api.router)
    app.include_router(assessment_api.router)
    app.include_router(assessment.router)
    app.include_router(assessment_shared.router)
    app.include_router(campaigns.router)
    app.include_router(certification.router)
    app.include_router(submissions.router)
    app.include_router(decisions.router)
    app.include_router(panel_pages.router)
    app.include_router(certification_api.router)
    app.include_router(community.router)
    app.include_router(advisory.router)  # before the standard's pages: /standard/evolution is not a version
    app.include_router(standard.router)
    app.include_router(standard_api.router)
    errors.install(app)

    @app.middleware("http")
    async def visitor_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        visitor = request.cookies.get(VISITOR_COOKIE)
        request.state.new_visitor_id = None if visitor else new_visitor_id()
        request.state.user = None
        response = await call_next(request)
        if request.state.new_visitor_id:
            set_visitor_cookie(response, request.state.new_visitor_id, settings)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if settings.cookie_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if "text/html" in response.headers.get("content-type", ""):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # Outermost: waiting requests queue here, before any thread or connection is taken.
    app.add_middleware(
        AdmissionControl, limit=settings.max_concurrent_requests, wait_seconds=settings.admission_wait_seconds
    )
    return app
