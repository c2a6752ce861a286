"""The panel's pages (agreement, workload, calibration, founding seats), a reviewer's own page, item
analysis with its CSV, pilot promotion, and modified-Angoff studies for editors and judges."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.certification.tasks import DIMENSIONS
from assay.core.errors import NotFound, PermissionDenied, ValidationFailed
from assay.core.roles import Permission, Principal, decide
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import certification as repo
from assay.db.repositories import panel as panel_repo
from assay.services import angoff, calibration, item_analysis, panel
from assay.services import programmes as content
from assay.web.deps import CurrentPrincipal, DbSession, Rt, keep_refusal
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


def _staff(principal: Principal) -> bool:
    return (
        decide(principal, Permission.CREDENTIAL_APPROVE).allowed or decide(principal, Permission.STANDARD_EDIT).allowed
    )


def _fmt(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


@router.get("/panel", response_class=HTMLResponse)
def panel_page(request: Request, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    if not (_staff(principal) or decide(principal, Permission.SUBMISSION_REVIEW).allowed):
        raise PermissionDenied("The panel's page is for reviewers, registrars and editors.")
    report = calibration.agreement(db)
    reviewers = account_repo.users_with_role(db, "reviewer")
    names = {u.id: u.display_name for u in reviewers}
    load = panel_repo.open_load(db)
    rows = [{"user": u, "open": load.get(u.id, 0), "drift": calibration.drift(db, u.id)} for u in reviewers]
    seats = [
        {"seat": s, "name": names.get(s.user_id, s.user_id), "programme": content.programme(s.programme_id).name}
        for s in panel_repo.seats(db)
    ]
    context = {
        "report": report,
        "names": names,
        "rows": rows,
        "dimensions": DIMENSIONS,
        "fmt": _fmt,
        "seats": seats,
        "registrar": decide(principal, Permission.CREDENTIAL_APPROVE).allowed,
        "staff": _staff(principal),
        "me": principal.user_id,
        "programmes": [p for p in content.all_programmes() if p.tasks],
        "tasks": sorted(content.tasks()),
    }
    return render(request, "panel/panel.html", context)


@router.get("/panel/reviewers/{user_id}", response_class=HTMLResponse)
def reviewer_page(request: Request, user_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    if user_id != principal.user_id and not _staff(principal):
        raise NotFound("No such reviewer page.")
    user = account_repo.user_by_id(db, user_id)
    if user is None:
        raise NotFound("No such reviewer.")
    report = calibration.agreement(db)
    mine = [p for p in report["pairs"] if user_id in (p["a"], p["b"])]
    names = account_repo.users_by_ids(db, [p["a"] for p in mine] + [p["b"] for p in mine])
    context = {
        "reviewer": user,
        "pairs": mine,
        "names": {k: v.display_name for k, v in names.items()},
        "drift": calibration.drift(db, user_id),
        "reviews": len(panel_repo.reviews_by(db, user_id)),
        "open": panel_repo.open_load(db).get(user_id, 0),
        "dimensions": DIMENSIONS,
        "fmt": _fmt,
        "alpha": report["alpha"],
    }
    return render(request, "panel/reviewer.html", context)


@router.post("/panel/seats")
def seat(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    email: str = Form(""),
    programme_id: str = Form(""),
    reason: str = Form(""),
) -> Response:
    panel.seat_founding(db, rt, registrar=principal, email=email, programme_id=programme_id, reason=reason)
    return RedirectResponse("/panel", status_code=303)


@router.post("/panel/calibration")
def open_calibration(db: DbSession, rt: Rt, principal: CurrentPrincipal, task_id: str = Form("")) -> Response:
    calibration.open_calibration(db, rt, principal=principal, task_id=task_id)
    return RedirectResponse("/panel", status_code=303)


@router.post("/review/conflicts")
def declare(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    email: str = Form(""),
    organisation: str = Form(""),
    reason: str = Form(""),
) -> Response:
    panel.declare_conflict(
        db, rt, reviewer=principal, reason=reason, email=email or None, organisation_slug=organisation or None
    )
    return RedirectResponse("/review?declared=1", status_code=303)


def _editor(principal: Principal) -> None:
    if not decide(principal, Permission.STANDARD_EDIT).allowed:
        raise PermissionDenied("Item analysis and standard setting are for standards editors.")


@router.get("/admin/item-analysis", response_class=HTMLResponse)
def forms_page(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    _editor(principal)
    forms = [
        {"form": f, "candidates": len(repo.attempts_on_form(db, f.id, item_analysis.ANALYSED_STATES))}
        for f in repo.forms_of(db)
    ]
    return render(request, "panel/forms.html", {"forms": forms, "studies": panel_repo.studies(db)})


@router.get("/admin/item-analysis/{form_id}.csv")
def analysis_csv(form_id: str, db: DbSession, principal: CurrentPrincipal) -> Response:
    _editor(principal)
    body = item_analysis.as_csv(item_analysis.analyse_form(db, form_id))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="item-analysis-{form_id}.csv"'},
    )


@router.get("/admin/item-analysis/{form_id}", response_class=HTMLResponse)
def analysis_page(request: Request, form_id: str, db: DbSession, principal: CurrentPrincipal) -> Response:
    _editor(principal)
    return render(request, "panel/analysis.html", {"r": item_analysis.analyse_form(db, form_id), "fmt": _fmt})


@router.get("/admin/pilots", response_class=HTMLResponse)
def pilots_page(
    request: Request, db: DbSession, principal: CurrentPrincipal, error: str | None = None, status_code: int = 200
) -> Response:
    _editor(principal)
    return render(
        request,
        "panel/pilots.html",
        {"pilots": item_analysis.pilots(db), "fmt": _fmt, "error": error},
        status_code=status_code,
    )


@router.post("/admin/pilots/promote")
def promote(
    request: Request, db: DbSession, rt: Rt, principal: CurrentPrincipal, item: str = Form(""), note: str = Form("")
) -> Response:
    try:
        item_analysis.promote(db, rt, editor=principal, item_ref=item, note=note)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return pilots_page(request, db, principal, error=exc.message, status_code=400)
    return RedirectResponse("/admin/pilots", status_code=303)


@router.post("/admin/angoff")
def open_study(
    db: DbSession, rt: Rt, principal: CurrentPrincipal, form_id: str = Form(""), judges: str = Form("")
) -> Response:
    study = angoff.open_study(
        db,
        rt,
        editor=principal,
        form_id=form_id,
        judge_emails=[e.strip() for e in judges.replace("\n", ",").split(",") if e.strip()],
    )
    return RedirectResponse(f"/angoff/{study.id}", status_code=303)


@router.get("/angoff/{study_id}", response_class=HTMLResponse)
def study_page(
    request: Request,
    study_id: str,
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = angoff.judge_view(db, rt, judge=principal, study_id=study_id)
    study = panel_repo.study(db, study_id)
    assert study is not None
    context: dict[str, Any] = {
        "v": view,
        "editor": decide(principal, Permission.STANDARD_EDIT).allowed,
        "judge": principal.user_id in json.loads(study.judges),
        "error": error,
        "fmt": _fmt,
    }
    return render(request, "panel/angoff.html", context, status_code=status_code)


@router.post("/angoff/{study_id}/ratings")
async def rate(request: Request, study_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    form = await request.form()
    ratings: dict[str, float] = {}
    for key, value in form.items():
        if key.startswith("rating-") and isinstance(value, str) and value.strip():
            ref = key.removeprefix("rating-")
            try:
                ratings[ref] = float(value)
            except ValueError:
                return study_page(
                    request,
                    study_id,
                    db,
                    rt,
                    principal,
                    error=f"“{value}” for {ref} is not a number; rate from 0 to 1.",
                    status_code=400,
                )
    try:
        angoff.rate(db, rt, judge=principal, study_id=study_id, ratings=ratings)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return study_page(request, study_id, db, rt, principal, error=exc.message, status_code=400)
    return RedirectResponse(f"/angoff/{study_id}?saved=1", status_code=303)


@router.post("/angoff/{study_id}/close")
def close(study_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, another: str = Form("yes")) -> Response:
    angoff.close_round(db, rt, editor=principal, study_id=study_id, another=another == "yes")
    return RedirectResponse(f"/angoff/{study_id}", status_code=303)


@router.post("/angoff/{study_id}/adopt")
def adopt(study_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    angoff.adopt(db, rt, editor=principal, study_id=study_id)
    return RedirectResponse(f"/angoff/{study_id}", status_code=303)
