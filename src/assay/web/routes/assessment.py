"""The readiness assessment's pages: start, rate yourself, one question a page, review, submit, report.

Server-rendered and keyboard-friendly with no script; every answer is saved by its own form post, so
closing the browser loses nothing and the link resumes where the person left off."""

from __future__ import annotations

import base64
import csv
import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import ValidationFailed
from assay.core.scoring.profile import floor_percent
from assay.infra.charts import bar_chart_svg, radar_chart_svg
from assay.services import assessments, standards
from assay.services.report_documents import action_plan_xlsx, profile_pdf
from assay.services.runtime import Runtime
from assay.web.answers import choice_from_form
from assay.web.deps import CurrentUser, DbSession, Rt, SignedInUser
from assay.web.templating import render

router = APIRouter(prefix="/assessment", include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFIDENCE_LABELS = (("0.25", "25% (a guess)"), ("0.5", "50%"), ("0.75", "75%"), ("1.0", "100% (certain)"))


@router.get("", response_class=HTMLResponse)
def intro(request: Request, user: CurrentUser) -> Response:
    return render(request, "assessment/intro.html")


@router.post("/start")
def start(db: DbSession, rt: Rt, user: CurrentUser) -> Response:
    _, token = assessments.start(db, rt, user_id=user.id if user else None)
    return RedirectResponse(f"/assessment/{token}", status_code=303)


def _next(state: dict[str, Any]) -> int | None:
    return next((n for n, q in enumerate(state["questions"], start=1) if not q["saved_answer"]), None)


@router.get("/{token}", response_class=HTMLResponse)
def resume(token: str, db: DbSession, user: CurrentUser) -> Response:
    attempt = assessments.get(db, token=token)
    if attempt.submitted_at is not None:
        return RedirectResponse(f"/assessment/{token}/report", status_code=303)
    state = assessments.state(db, attempt)
    if not state["self_ratings"]:
        return RedirectResponse(f"/assessment/{token}/self", status_code=303)
    n = _next(state)
    return RedirectResponse(f"/assessment/{token}/q/{n}" if n else f"/assessment/{token}/review", status_code=303)


@router.get("/{token}/self", response_class=HTMLResponse)
def self_form(request: Request, token: str, db: DbSession, user: CurrentUser) -> Response:
    attempt = assessments.get(db, token=token)
    version = standards.resolve(db, attempt.standard_id, attempt.standard_version).version
    return render(request, "assessment/self.html", {"token": token, "domains": version.domains, "error": None})


@router.post("/{token}/self")
async def self_save(request: Request, token: str, db: DbSession, rt: Rt) -> Response:
    form = await request.form()
    ratings = {}
    for key, value in form.items():
        if key.startswith("rate-") and isinstance(value, str) and value.isdigit():
            ratings[key.removeprefix("rate-")] = int(value)
    attempt = assessments.get(db, token=token)
    version = standards.resolve(db, attempt.standard_id, attempt.standard_version).version
    if set(ratings) != {d.id for d in version.domains}:
        return render(
            request,
            "assessment/self.html",
            {"token": token, "domains": version.domains, "error": "Rate every domain before you start."},
            status_code=400,
        )
    assessments.rate_self(db, rt, token=token, ratings=ratings)
    return RedirectResponse(f"/assessment/{token}", status_code=303)


@router.get("/{token}/q/{n}", response_class=HTMLResponse)
def question(
    request: Request, token: str, n: int, db: DbSession, user: CurrentUser, error: str | None = None
) -> Response:
    attempt = assessments.get(db, token=token)
    if attempt.submitted_at is not None:
        return RedirectResponse(f"/assessment/{token}/report", status_code=303)
    state = assessments.state(db, attempt)
    if not 1 <= n <= state["total"]:
        raise ValidationFailed(f"This assessment has questions 1 to {state['total']}.")
    context = {
        "token": token,
        "n": n,
        "state": state,
        "q": state["questions"][n - 1],
        "confidence": CONFIDENCE_LABELS,
        "error": error,
    }
    return render(request, "assessment/question.html", context, status_code=400 if error else 200)


@router.post("/{token}/q/{n}")
async def answer(request: Request, token: str, n: int, db: DbSession, rt: Rt, user: CurrentUser) -> Response:
    attempt = assessments.get(db, token=token)
    state = assessments.state(db, attempt)
    if not 1 <= n <= state["total"]:
        raise ValidationFailed(f"This assessment has questions 1 to {state['total']}.")
    q = state["questions"][n - 1]
    form = await request.form()
    choice = choice_from_form(q, form)
    if isinstance(choice, str):
        return question(request, token, n, db, user, error=choice)
    raw_confidence = form.get("confidence")
    confidence = float(raw_confidence) if isinstance(raw_confidence, str) and raw_confidence else None
    try:
        assessments.answer(db, rt, token=token, item_id=q["id"], choice=choice, confidence=confidence)
    except ValidationFailed as exc:
        message = "Choose an answer first." if not choice else exc.message
        return question(request, token, n, db, user, error=message)
    nxt = _next(assessments.state(db, attempt))
    target = f"/assessment/{token}/q/{nxt}" if nxt else f"/assessment/{token}/review"
    return RedirectResponse(target, status_code=303)


@router.get("/{token}/review", response_class=HTMLResponse)
def review(request: Request, token: str, db: DbSession, user: CurrentUser) -> Response:
    attempt = assessments.get(db, token=token)
    state = assessments.state(db, attempt)
    roles = {k: v["label"] for k, v in assessments.role_targets().items()}
    return render(request, "assessment/review.html", {"token": token, "state": state, "roles": roles})


@router.post("/{token}/submit")
def submit(token: str, db: DbSession, rt: Rt, role: Annotated[str, Form()] = "integrator") -> Response:
    assessments.submit(db, rt, token=token, target_role=role)
    return RedirectResponse(f"/assessment/{token}/report", status_code=303)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def profile_context(data: dict[str, Any]) -> dict[str, Any]:
    """The charts and labels every view of a profile shows (the owner's report, a share link)."""
    domains = data["domains"]
    roles = assessments.role_targets()
    role = roles.get(data["target_role"], {})
    targets = role.get("targets", {})
    bars = bar_chart_svg(
        "Readiness per domain (chance on a medium scenario, with 90% interval)",
        [d["domain"] for d in domains],
        [float(d["percent"]) for d in domains],
        max_value=100,
        intervals=[(float(d["percent_interval"][0]), float(d["percent_interval"][1])) for d in domains],
    )
    radar = radar_chart_svg(
        "Readiness profile against the role's target",
        [d["title"] for d in domains],
        [float(d["percent"]) for d in domains],
        max_value=100.0,
        series_label="Assessed",
        second=("Target", [float(floor_percent(targets.get(d["domain"], 0))) for d in domains]),
    )
    return {"r": data, "chart": _data_uri(bars), "radar": _data_uri(radar), "role_label": role.get("label", "")}


def _download(content: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def pdf_of(data: dict[str, Any], rt: Runtime, *, subject: str | None = None) -> bytes:
    role = assessments.role_targets().get(data["target_role"], {}).get("label", "")
    return profile_pdf(data, generated_at=rt.clock.now(), role_label=role, subject=subject)


@router.get("/{token}/plan.csv")
def action_plan(token: str, db: DbSession) -> Response:
    """The action plan (what to close, in priority order) as CSV."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(assessments.action_plan_rows(assessments.report(db, token=token)))
    return _download(out.getvalue(), "text/csv; charset=utf-8", "assay-action-plan.csv")


@router.get("/{token}/plan.xlsx")
def action_plan_workbook(token: str, db: DbSession) -> Response:
    data = assessments.report(db, token=token)
    workbook = action_plan_xlsx(assessments.action_plan_rows(data), data)
    return _download(workbook, XLSX, "assay-action-plan.xlsx")


@router.get("/{token}/report.pdf")
def report_pdf(token: str, db: DbSession, rt: Rt) -> Response:
    return _download(pdf_of(assessments.report(db, token=token), rt), "application/pdf", "assay-readiness-profile.pdf")


def _report_page(request: Request, db: DbSession, token: str, *, status_code: int = 200, **extra: Any) -> Response:
    attempt = assessments.get(db, token=token)
    context = {
        **profile_context(assessments.report_of(db, attempt)),
        "token": token,
        "owner_id": attempt.user_id,
        "shares": assessments.shares(db, token=token),
        "notice": request.query_params.get("notice"),
        "new_share": None,
        "share_form": {},
        "share_errors": {},
        **extra,
    }
    return render(request, "assessment/report.html", context, status_code=status_code)


@router.get("/{token}/report", response_class=HTMLResponse)
def report(request: Request, token: str, db: DbSession, user: CurrentUser) -> Response:
    return _report_page(request, db, token)


@router.post("/{token}/shares", response_class=HTMLResponse)
def share(
    request: Request, token: str, db: DbSession, rt: Rt, user: CurrentUser, label: Annotated[str, Form()] = ""
) -> Response:
    try:
        _, share_token = assessments.create_share(db, rt, token=token, label=label)
    except ValidationFailed as exc:
        errors = exc.fields or {"label": exc.message}
        return _report_page(request, db, token, status_code=400, share_form={"label": label}, share_errors=errors)
    link = f"{rt.settings.base_url.rstrip('/')}/shared/{share_token}"
    return _report_page(request, db, token, status_code=201, new_share=link)


@router.post("/{token}/shares/{share_id}/revoke")
def withdraw_share(token: str, share_id: str, db: DbSession, rt: Rt) -> Response:
    assessments.revoke_share(db, rt, token=token, share_id=share_id)
    return RedirectResponse(f"/assessment/{token}/report?notice=withdrawn", status_code=303)


@router.post("/{token}/claim")
def claim(token: str, db: DbSession, user: SignedInUser) -> Response:
    assessments.claim(db, token=token, user_id=user.id)
    return RedirectResponse(f"/assessment/{token}/report?notice=claimed", status_code=303)


def token_from(text: str) -> str:
    """An attempt token from a pasted report address, or the token itself."""
    match = re.search(r"/assessment/([A-Za-z0-9_-]{16,})", text)
    token = match.group(1) if match else text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise ValidationFailed("Paste the address of another report (it contains /assessment/…).")
    return token


@router.get("/{token}/compare", response_class=HTMLResponse)
def compare(request: Request, token: str, db: DbSession, user: CurrentUser, other: str = "") -> Response:
    comparison = assessments.compare_tokens(db, token=token, other=token_from(other))
    return render(request, "assessment/compare.html", {"c": comparison, "back": f"/assessment/{token}/report"})
