"""Practical-task submissions (the candidate's editor) and blind review (reviewers).

The candidate writes Markdown, attaches files through the upload checks, and submits once. Before
the submission goes, anything in it that could name them is listed; they remove it or confirm it
does not identify them. The reviewer's page shows the blind reference, the brief and the work:
never a name, an e-mail or an organisation.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from assay.core.certification.tasks import DIMENSIONS
from assay.core.errors import NotFound, ValidationFailed
from assay.db.repositories import certification as repo
from assay.infra.storage import download_headers
from assay.infra.uploads import StoredFile
from assay.services import panel, tasks
from assay.services import programmes as content
from assay.web.deps import CurrentPrincipal, DbSession, Rt, SignedInUser, keep_refusal
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


def _editor(
    request: Request,
    db: DbSession,
    rt: Rt,
    user_id: str,
    submission_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    submission = tasks.own(db, user_id=user_id, submission_id=submission_id)
    context = {
        "s": submission,
        "t": content.task(submission.task_id),
        "p": content.programme(submission.programme_id),
        "attachments": repo.attachments(db, submission.id),
        "mentions": tasks.mentions(db, submission) if submission.state == "draft" else [],
        "overdue": submission.state == "draft" and rt.clock.now() >= submission.due_at,
        "error": error,
        "max_chars": tasks.MAX_BODY_CHARS,
    }
    return render(request, "certification/submission.html", context, status_code=status_code)


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def editor(request: Request, submission_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    return _editor(request, db, rt, user.id, submission_id)


@router.post("/submissions/{submission_id}/save")
async def save(request: Request, submission_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    form = await request.form()
    body = str(form.get("body", ""))
    try:
        tasks.save_draft(db, rt, user_id=user.id, submission_id=submission_id, body=body)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return _editor(request, db, rt, user.id, submission_id, error=exc.message, status_code=400)
    if form.get("then") == "submit":
        confirm = tuple(str(v) for v in form.getlist("confirm"))
        try:
            tasks.submit(db, rt, user_id=user.id, submission_id=submission_id, confirm=confirm)
        except ValidationFailed as exc:
            db.commit()  # the draft just saved is kept; only the submission was refused
            return _editor(request, db, rt, user.id, submission_id, error=exc.message, status_code=400)
    return RedirectResponse(f"/submissions/{submission_id}?saved=1", status_code=303)


@router.post("/submissions/{submission_id}/attachments")
async def attach(request: Request, submission_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    try:
        form = await request.form(max_part_size=tasks.MAX_ATTACHMENT_BYTES + 1)
    except HTTPException:  # a part over the limit: the parser stops reading at once
        message = f"That file is larger than {tasks.MAX_ATTACHMENT_BYTES // 1048576} MB; an attachment may be at most {tasks.MAX_ATTACHMENT_BYTES // 1048576} MB."
        return _editor(request, db, rt, user.id, submission_id, error=message, status_code=400)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _editor(request, db, rt, user.id, submission_id, error="Choose a file to attach.", status_code=400)
    data = await upload.read(tasks.MAX_ATTACHMENT_BYTES + 1)
    try:
        tasks.attach(
            db,
            rt,
            user_id=user.id,
            submission_id=submission_id,
            data=data,
            filename=upload.filename,
            declared_type=upload.content_type,
        )
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return _editor(request, db, rt, user.id, submission_id, error=exc.message, status_code=400)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.post("/submissions/{submission_id}/attachments/{attachment_id}/delete")
def detach(submission_id: str, attachment_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    tasks.remove_attachment(db, rt, user_id=user.id, submission_id=submission_id, attachment_id=attachment_id)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    return render(request, "certification/review_queue.html", {"queue": panel.queue(db, rt, principal)})


@router.get("/review/{blind_ref}", response_class=HTMLResponse)
def review_page(
    request: Request,
    blind_ref: str,
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    entry = next((q for q in panel.queue(db, rt, principal) if q["ref"] == blind_ref), None)
    submission = repo.submission_by_ref(db, blind_ref)
    if entry is None or submission is None:
        raise NotFound(f"{blind_ref} is not in your review queue.")
    context = {
        "work": tasks.blind_view(db, submission),
        "t": content.task(submission.task_id),
        "dimensions": DIMENSIONS,
        "error": error,
        "min_chars": panel.MIN_JUSTIFICATION,
        "entry": entry,
    }
    return render(request, "certification/review.html", context, status_code=status_code)


@router.post("/review/{blind_ref}")
async def review_submit(
    request: Request, blind_ref: str, db: DbSession, rt: Rt, principal: CurrentPrincipal
) -> Response:
    form = await request.form()
    scores: dict[str, tuple[int, str]] = {}
    for d in DIMENSIONS:
        raw = str(form.get(f"score-{d}", ""))
        scores[d] = (int(raw) if raw.isdigit() else 0, str(form.get(f"why-{d}", "")))
    try:
        panel.review(db, rt, reviewer=principal, blind_ref=blind_ref, scores=scores)
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return review_page(request, blind_ref, db, rt, principal, error=exc.message, status_code=400)
    return RedirectResponse("/review?done=1", status_code=303)


@router.get("/review/{blind_ref}/files/{attachment_id}")
def review_file(blind_ref: str, attachment_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    if not any(q["ref"] == blind_ref for q in panel.queue(db, rt, principal)):
        raise NotFound(f"{blind_ref} is not in your review queue.")
    submission = repo.submission_by_ref(db, blind_ref)
    row = next((a for a in repo.attachments(db, submission.id) if a.id == attachment_id), None) if submission else None
    if row is None:
        raise NotFound("No such attachment.")
    stored = StoredFile(
        key=row.storage_key, media_type=row.media_type, size=row.size, sha256=row.sha256, safe_filename=row.filename
    )
    return Response(rt.files.open(row.storage_key), headers=download_headers(stored))
