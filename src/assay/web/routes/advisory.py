"""The advisory loop: feedback and its triage, how the standard evolves, case studies, question
contributions, and draft versions of the standard reviewed by specialist holders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import AssayError, NotFound, PermissionDenied
from assay.core.roles import Permission, Principal, decide
from assay.db.models import ReviewOptIn
from assay.db.repositories import community as repo
from assay.db.repositories import credentials as credential_repo
from assay.services import case_studies, contributions, drafts, feedback, standards
from assay.services import programmes as content
from assay.web.deps import CurrentPrincipal, CurrentUser, DbSession, Rt, SignedInUser, keep_refusal
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


def _require_editor(principal: Principal, what: str) -> None:
    if not decide(principal, Permission.STANDARD_EDIT).allowed:
        raise PermissionDenied(f"{what} is for standards editors.")


# --- feedback and how the standard evolves ---------------------------------------------------------


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request, db: DbSession, user: SignedInUser, error: str | None = None, status_code: int = 200
) -> Response:
    held = [c for c in credential_repo.credentials_of_user(db, user.id) if c.state == "active"]
    context = {
        "held": held,
        "targets": standards.latest_targets(),
        "kinds": feedback.KINDS,
        "mine": repo.feedback(db, user_id=user.id),
        "error": error,
    }
    return render(request, "community/feedback.html", context, status_code=status_code)


@router.post("/feedback")
def feedback_submit(
    request: Request,
    db: DbSession,
    rt: Rt,
    user: SignedInUser,
    credential: str = Form(""),
    target: str = Form(""),
    kind: str = Form(""),
    text: str = Form(""),
) -> Response:
    try:
        feedback.submit(db, rt, user=user, credential=credential, target=target, kind=kind, text=text)
    except AssayError as exc:
        keep_refusal(db, exc)
        return feedback_page(request, db, user, error=exc.message, status_code=400)
    return RedirectResponse("/feedback?sent=1", status_code=303)


@router.get("/admin/feedback", response_class=HTMLResponse)
def triage_page(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    _require_editor(principal, "Feedback triage")
    return render(
        request,
        "community/triage.html",
        {
            "items": repo.feedback(db),
            "transitions": feedback.TRANSITIONS,
            "targets": standards.latest_targets(),
            "trigger_kinds": feedback.TRIGGER_KINDS,
            "versions": [v.version for v in standards.default_versions()],
        },
    )


@router.post("/admin/feedback/{feedback_id}")
def triage(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    feedback_id: str,
    state: str = Form(""),
    resolution: str = Form(""),
) -> Response:
    feedback.triage(db, rt, editor=principal, feedback_id=feedback_id, state=state, resolution=resolution)
    return RedirectResponse("/admin/feedback", status_code=303)


@router.post("/admin/feedback-triggers")
def trigger(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    version: str = Form(""),
    target: str = Form(""),
    kind: str = Form(""),
    note: str = Form(""),
    reference: str = Form(""),
) -> Response:
    feedback.record_trigger(
        db, rt, editor=principal, version=version, target=target, kind=kind, note=note, reference=reference or None
    )
    return RedirectResponse("/standard/evolution", status_code=303)


@router.get("/standard/evolution", response_class=HTMLResponse)
def evolution(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(
        request, "community/evolution.html", {"e": feedback.evolution(db), "targets": standards.latest_targets()}
    )


# --- case studies ----------------------------------------------------------------------------------


@router.get("/case-studies", response_class=HTMLResponse)
def case_list(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(
        request,
        "community/case_studies.html",
        {"cases": [case_studies.view(c) for c in repo.case_studies(db, state="published")]},
    )


@router.get("/case-studies/new", response_class=HTMLResponse)
def case_new(
    request: Request,
    db: DbSession,
    user: SignedInUser,
    error: str | None = None,
    status_code: int = 200,
    parts: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
) -> Response:
    context = {
        "error": error,
        "parts": parts or {},
        "preview": preview,
        "domain_ids": standards.latest_domain_ids(),
        "mine": [case_studies.view(c) for c in repo.case_studies_by(db, user.id)],
    }
    return render(request, "community/case_new.html", context, status_code=status_code)


@router.post("/case-studies/new")
async def case_submit(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    form = await request.form()
    parts = {k: str(form.get(k, "")) for k in case_studies.FIELDS}
    if form.get("then") == "preview":
        preview = {
            k: {"text": v.text, "removed": dict(v.removed)}
            for k, v in case_studies.preview(db, user=user, parts=parts).items()
        }
        return case_new(request, db, user, parts=parts, preview=preview)
    try:
        case_studies.submit(db, rt, user=user, parts=parts, domains=[str(v) for v in form.getlist("domains")])
    except AssayError as exc:
        keep_refusal(db, exc)
        return case_new(request, db, user, error=exc.message, status_code=400, parts=parts)
    return RedirectResponse("/case-studies/new?sent=1", status_code=303)


@router.get("/admin/case-studies", response_class=HTMLResponse)
def case_queue(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    _require_editor(principal, "Case-study review")
    return render(
        request,
        "community/case_queue.html",
        {"cases": [case_studies.view(c) for c in repo.case_studies(db, state="submitted")]},
    )


@router.post("/admin/case-studies/{case_id}")
def case_decide(db: DbSession, rt: Rt, principal: CurrentPrincipal, case_id: str, publish: str = Form("")) -> Response:
    case_studies.decide(db, rt, editor=principal, case_id=case_id, publish=publish == "yes")
    return RedirectResponse("/admin/case-studies", status_code=303)


# --- question contributions ------------------------------------------------------------------------


@router.get("/contribute", response_class=HTMLResponse)
def contribute_page(
    request: Request,
    db: DbSession,
    user: SignedInUser,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    controls = {k: v for k, v in standards.latest_targets().items() if "-" in k}
    context = {
        "controls": controls,
        "error": error,
        "form": form or {},
        "mine": repo.contributions(db, user_id=user.id),
    }
    return render(request, "community/contribute.html", context, status_code=status_code)


@router.post("/contribute")
async def contribute(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    options = [(fields.get(f"option-{c}", ""), fields.get(f"why-{c}", "")) for c in "abcd"]
    try:
        contributions.propose(
            db,
            rt,
            user=user,
            control=fields.get("control", ""),
            title=fields.get("title", ""),
            stem=fields.get("stem", ""),
            options=options,
            correct=fields.get("correct", ""),
        )
    except AssayError as exc:
        keep_refusal(db, exc)
        return contribute_page(request, db, user, error=exc.message, status_code=400, form=fields)
    return RedirectResponse("/contribute?sent=1", status_code=303)


@router.get("/contributions/review", response_class=HTMLResponse)
def contribution_queue(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    return render(request, "community/contribution_review.html", {"queue": contributions.queue(db, rt, user=user)})


@router.post("/contributions/{contribution_id}/review")
def contribution_review(
    db: DbSession, rt: Rt, user: SignedInUser, contribution_id: str, verdict: str = Form(""), comments: str = Form("")
) -> Response:
    contributions.review(
        db, rt, user=user, contribution_id=contribution_id, accept=verdict == "accept", comments=comments
    )
    return RedirectResponse("/contributions/review?done=1", status_code=303)


# --- draft reviews of the standard -----------------------------------------------------------------


@router.get("/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, db: DbSession, user: SignedInUser, principal: CurrentPrincipal) -> Response:
    editor = decide(principal, Permission.STANDARD_EDIT).allowed
    invited = {i.draft_id for i in repo.invitations_of(db, user.id)}
    rows = [d for d in repo.drafts(db) if editor or d.id in invited]
    context = {
        "drafts": rows,
        "editor": editor,
        "opted_in": db.get(ReviewOptIn, user.id) is not None,
        "specialists": [p for p in content.all_programmes() if p.id.startswith("specialist-")],
        "controls": {k: v for k, v in standards.latest_targets().items() if "-" in k},
    }
    return render(request, "community/drafts.html", context)


@router.post("/drafts/opt-in")
def draft_opt_in(db: DbSession, rt: Rt, user: SignedInUser, opt: str = Form("")) -> Response:
    drafts.set_opt_in(db, rt, user=user, opted_in=opt == "yes")
    return RedirectResponse("/drafts", status_code=303)


@router.post("/drafts")
async def draft_open(request: Request, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    form = await request.form()
    changes = [(str(form.get("control", "")), str(form.get("statement", "")), str(form.get("change_rationale", "")))]
    draft = drafts.open_draft(
        db,
        rt,
        editor=principal,
        version=str(form.get("version", "")),
        summary=str(form.get("summary", "")),
        rationale=str(form.get("rationale", "")),
        programmes=[str(v) for v in form.getlist("programmes")],
        changes=changes,
    )
    return RedirectResponse(f"/drafts/{draft.id}", status_code=303)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(
    request: Request, draft_id: str, db: DbSession, user: SignedInUser, principal: CurrentPrincipal
) -> Response:
    row = repo.draft(db, draft_id)
    editor = decide(principal, Permission.STANDARD_EDIT).allowed
    if row is None or not (editor or repo.invited(db, draft_id, user.id)):
        raise NotFound("No such draft.")
    return render(
        request,
        "community/draft.html",
        {
            "d": drafts.view(db, row),
            "editor": editor,
            "invited": repo.invited(db, draft_id, user.id),
            "resolutions": drafts.RESOLUTIONS,
        },
    )


@router.post("/drafts/{draft_id}/comments")
def draft_comment(
    db: DbSession, rt: Rt, user: SignedInUser, draft_id: str, change_id: str = Form(""), text: str = Form("")
) -> Response:
    drafts.comment(db, rt, user=user, draft_id=draft_id, change_id=change_id, text=text)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/comments/{comment_id}/resolve")
def draft_resolve(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    draft_id: str,
    comment_id: str,
    resolution: str = Form(""),
    note: str = Form(""),
) -> Response:
    drafts.resolve(db, rt, editor=principal, comment_id=comment_id, resolution=resolution, note=note)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/publish")
def draft_publish(db: DbSession, rt: Rt, principal: CurrentPrincipal, draft_id: str) -> Response:
    version = drafts.publish(db, rt, editor=principal, draft_id=draft_id)
    return RedirectResponse(f"/standard/{version}", status_code=303)
