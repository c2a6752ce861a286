"""The one place where errors become HTTP: friendly pages for people, JSON for the API, no stack traces."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from assay.core.errors import (
    AssayError,
    AuthenticationRequired,
    Conflict,
    ExternalServiceError,
    IntegrityViolation,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from assay.web.templating import render

log = logging.getLogger(__name__)

STATUS: dict[type[AssayError], int] = {
    NotFound: 404,
    PermissionDenied: 403,
    AuthenticationRequired: 401,
    ValidationFailed: 400,
    Conflict: 409,
    RateLimited: 429,
    IntegrityViolation: 500,
    ExternalServiceError: 502,
}

TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "That clashes with something",
    429: "Slow down",
    500: "Something went wrong on our side",
    502: "A service we depend on failed",
}


def wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "")
        or request.headers.get("content-type", "").startswith("application/json")
    )


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)
    title = TITLES.get(status, "That did not work")
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
        headers=headers,
    )


async def on_assay_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AssayError)
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    if isinstance(exc, AuthenticationRequired) and not wants_json(request) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/account/signin?next={quote(target)}", status_code=303)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if status >= 500:
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc.message)
    if isinstance(exc, ValidationFailed) and exc.fields and wants_json(request):
        body = {"error": {"status": status, "message": exc.message, "fields": exc.fields}}
        return JSONResponse(body, status_code=status, headers=headers)
    return error_response(request, status, exc.message, headers)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {
        404: "There is nothing at this address. Check the link, or start again from the home page.",
        405: "This address does not accept that kind of request.",
    }
    return error_response(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))


async def on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({str(err["loc"][-1]) for err in exc.errors() if err.get("loc")})
    message = "Some fields are missing or invalid: " + ", ".join(fields) + "." if fields else "The request was invalid."
    if wants_json(request):
        return JSONResponse({"error": {"status": 422, "message": message, "fields": fields}}, status_code=422)
    return error_response(request, 400, message)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "We could not finish that request. Nothing was half-saved; please try again in a moment."
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AssayError, on_assay_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(Exception, on_unexpected)
