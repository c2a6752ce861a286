"""Jinja2 rendering with the context every page needs: user, CSRF token, navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from assay import __version__
from assay.web.security import CSRF_FIELD, csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals["assay_version"] = __version__
TEMPLATES.env.globals["csrf_field_name"] = CSRF_FIELD


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    ctx = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code, headers=headers)
