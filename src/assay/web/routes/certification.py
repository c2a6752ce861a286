"""Programme pages (public), the candidate's certification page, and timed exams.

The exam is one question a page, saved by a plain form post, so it works without script and a
reload loses nothing. The timer on the page is a courtesy (static/exam.js counts down from the
seconds the server rendered); the server's deadline is what counts. When time runs out the page
goes to the attempt, which the server has closed and scored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.certification.exam import HONOUR_CODE
from assay.core.certification.rules import TASK_CUT, TASK_FLOOR
from assay.core.errors import ValidationFailed
from assay.db.repositories import certification as repo
from assay.services import cases, exams, interviews, tasks
from assay.services import programmes as content
from assay.web.answers import choice_from_form
from assay.web.deps import CurrentUser, DbSession, Rt, SignedInUser, keep_refusal
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/programmes", response_class=HTMLResponse)
def programme_list(request: Request, user: CurrentUser) -> Response:
    return render(request, "certification/programmes.html", {"programmes": content.all_programmes()})


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def programme_page(request: Request, programme_id: str, user: CurrentUser) -> Response:
    p = content.programme(programme_id)
    context = {
        "p": p,
        "prerequisites": [content.programme(q) for q in p.prerequisites],
        "tasks": [content.task(t) for t in p.tasks],
        "blueprint": _blueprint_rows(p.exam.blueprint, p.exam.items) if p.exam else [],
        "task_floor": TASK_FLOOR,
        "task_cut": TASK_CUT,
    }
    return render(request, "certification/programme.html", context)


def _blueprint_rows(blueprint: dict[str, float], items: int) -> list[tuple[str, float, int]]:
    from assay.core.certification.forms import quotas

    total = sum(blueprint.values())
    q = quotas(blueprint, items)
    return [(d, round(100 * w / total, 1), q[d]) for d, w in blueprint.items()]


@router.get("/certification", response_class=HTMLResponse)
def dashboard(request: Request, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    attempts = exams.attempts_of(db, rt, user_id=user.id)
    rows: list[dict[str, Any]] = []
    now = rt.clock.now()
    for p in content.all_programmes():
        if p.holder != "person":
            continue
        rows.append(
            {
                "p": p,
                "held": content.holds_current(db, user.id, p.id, now),
                "missing": content.missing_prerequisites(db, user.id, p, now),
                "attempts": [a for a in attempts if a.programme_id == p.id],
                "submissions": repo.submissions(db, user_id=user.id, programme_id=p.id),
                "slots": repo.slots_of_candidate(db, user.id, p.id),
                "open_slots": interviews.open_slots(db, rt, user_id=user.id, programme_id=p.id) if p.interview else [],
            }
        )
    my_cases = [cases.case_view(db, c) for c in repo.cases(db, user_id=user.id)]
    return render(request, "certification/dashboard.html", {"rows": rows, "cases": my_cases})


@router.get("/certification/{programme_id}/exam", response_class=HTMLResponse)
def exam_intro(
    request: Request, programme_id: str, user: SignedInUser, error: str | None = None, status_code: int = 200
) -> Response:
    p = content.require_person_programme(programme_id)
    if p.exam is None:
        raise ValidationFailed(f"{p.name} has no exam.")
    context = {"p": p, "honour_code": HONOUR_CODE, "error": error, "account_name": user.display_name}
    return render(request, "certification/exam_intro.html", context, status_code=status_code)


@router.post("/certification/{programme_id}/exam")
def exam_start(
    request: Request,
    programme_id: str,
    db: DbSession,
    rt: Rt,
    user: SignedInUser,
    identity_name: str = Form(""),
    honour: str = Form(""),
) -> Response:
    try:
        attempt = exams.start(
            db, rt, user=user, programme_id=programme_id, identity_name=identity_name, honour_accepted=honour == "yes"
        )
    except ValidationFailed as exc:
        keep_refusal(db, exc)
        return exam_intro(request, programme_id, user, error=exc.message, status_code=400)
    return RedirectResponse(f"/exams/{attempt.id}/q/1", status_code=303)


def _next_unanswered(view: dict[str, Any]) -> int | None:
    return next((i["number"] for i in view["items"] if not i["answer"]), None)


@router.get("/exams/{attempt_id}")
def exam_resume(attempt_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    if attempt.state != "in_progress":
        return RedirectResponse(f"/exams/{attempt_id}/result", status_code=303)
    n = _next_unanswered(exams.view(db, rt, attempt))
    return RedirectResponse(f"/exams/{attempt_id}/q/{n}" if n else f"/exams/{attempt_id}/review", status_code=303)


@router.get("/exams/{attempt_id}/q/{n}", response_class=HTMLResponse)
def exam_question(
    request: Request, attempt_id: str, n: int, db: DbSession, rt: Rt, user: SignedInUser, error: str | None = None
) -> Response:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    if attempt.state != "in_progress":
        return RedirectResponse(f"/exams/{attempt_id}/result", status_code=303)
    view = exams.view(db, rt, attempt)
    if not 1 <= n <= len(view["items"]):
        raise ValidationFailed(f"This exam has questions 1 to {len(view['items'])}.")
    context = {"view": view, "n": n, "q": view["items"][n - 1], "error": error, "reasons": exams.FLAG_REASONS}
    return render(request, "certification/exam_question.html", context, status_code=400 if error else 200)


@router.post("/exams/{attempt_id}/q/{n}")
async def exam_answer(request: Request, attempt_id: str, n: int, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    view = exams.view(db, rt, attempt)
    if not 1 <= n <= len(view["items"]):
        raise ValidationFailed(f"This exam has questions 1 to {len(view['items'])}.")
    form = await request.form()
    q = view["items"][n - 1]
    choice = choice_from_form(q, form)
    if isinstance(choice, str):
        if attempt.state != "in_progress":  # late, and incomplete too: still refused and recorded as late
            exams.answer(db, rt, user_id=user.id, attempt_id=attempt_id, item_id=q["id"], choice=[])
            return RedirectResponse(f"/exams/{attempt_id}/result?late=1", status_code=303)
        return exam_question(request, attempt_id, n, db, rt, user, error=choice)
    outcome = exams.answer(db, rt, user_id=user.id, attempt_id=attempt_id, item_id=q["id"], choice=choice)
    if not outcome.accepted:
        return RedirectResponse(f"/exams/{attempt_id}/result?late=1", status_code=303)
    go = form.get("go")
    if go == "review":
        return RedirectResponse(f"/exams/{attempt_id}/review", status_code=303)
    target = n + 1 if n < len(view["items"]) else None
    return RedirectResponse(
        f"/exams/{attempt_id}/q/{target}" if target else f"/exams/{attempt_id}/review", status_code=303
    )


@router.post("/exams/{attempt_id}/q/{n}/flag")
def exam_flag(
    attempt_id: str, n: int, db: DbSession, rt: Rt, user: SignedInUser, reason: str = Form(""), comment: str = Form("")
) -> Response:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    view = exams.view(db, rt, attempt)
    if not 1 <= n <= len(view["items"]):
        raise ValidationFailed(f"This exam has questions 1 to {len(view['items'])}.")
    exams.flag(
        db,
        rt,
        user_id=user.id,
        attempt_id=attempt_id,
        item_id=view["items"][n - 1]["id"],
        reason=reason,
        comment=comment,
    )
    return RedirectResponse(f"/exams/{attempt_id}/q/{n}?flagged=1", status_code=303)


@router.get("/exams/{attempt_id}/review", response_class=HTMLResponse)
def exam_review(request: Request, attempt_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    if attempt.state != "in_progress":
        return RedirectResponse(f"/exams/{attempt_id}/result", status_code=303)
    return render(request, "certification/exam_review.html", {"view": exams.view(db, rt, attempt)})


@router.post("/exams/{attempt_id}/submit")
def exam_submit(attempt_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    exams.submit(db, rt, user_id=user.id, attempt_id=attempt_id)
    return RedirectResponse(f"/exams/{attempt_id}/result", status_code=303)


@router.get("/exams/{attempt_id}/result", response_class=HTMLResponse)
def exam_result(
    request: Request, attempt_id: str, db: DbSession, rt: Rt, user: SignedInUser, late: int = 0
) -> Response:
    attempt = exams.owned(db, rt, user_id=user.id, attempt_id=attempt_id)
    if attempt.state == "in_progress":
        return RedirectResponse(f"/exams/{attempt_id}", status_code=303)
    context = {
        "attempt": attempt,
        "p": content.programme(attempt.programme_id),
        "result": exams.result(attempt),
        "late": bool(late),
        "timed_out": attempt.submitted_at is None,
    }
    return render(request, "certification/exam_result.html", context)


@router.get("/certification/{programme_id}/tasks/{task_id}", response_class=HTMLResponse)
def task_brief(request: Request, programme_id: str, task_id: str, db: DbSession, user: SignedInUser) -> Response:
    p = content.require_person_programme(programme_id)
    if task_id not in p.tasks:
        raise ValidationFailed(f"{p.name} does not include this task.")
    mine = [s for s in repo.submissions(db, user_id=user.id, programme_id=p.id) if s.task_id == task_id]
    return render(request, "certification/task_brief.html", {"p": p, "t": content.task(task_id), "mine": mine})


@router.post("/certification/{programme_id}/tasks/{task_id}")
def task_open(programme_id: str, task_id: str, db: DbSession, rt: Rt, user: SignedInUser) -> Response:
    submission = tasks.open_task(db, rt, user=user, programme_id=programme_id, task_id=task_id)
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)
