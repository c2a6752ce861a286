"""Decision records, appeals, the item-flag queue and interview scoring: the certification back office.

Who may do what is decided in the services (permissions and the separation of duties); a page
here only shows what its reader is allowed to act on."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import NotFound, PermissionDenied
from assay.core.roles import Permission, decide
from assay.db.models import User
from assay.db.repositories import certification as repo
from assay.services import cases, exams, interviews
from assay.services import programmes as content
from assay.web.deps import CurrentPrincipal, DbSession, Rt, SignedInUser
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/certification/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, db: DbSession, user: SignedInUser, principal: CurrentPrincipal
) -> Response:
    case = repo.case(db, case_id)
    staff = decide(principal, Permission.CREDENTIAL_APPROVE).allowed
    if case is None or (case.user_id != user.id and not staff):
        raise NotFound(f"No decision record {case_id}.")
    candidate = db.get_one(User, case.user_id)
    context = {
        "c": cases.case_view(db, case),
        "mine": case.user_id == user.id,
        "staff": staff,
        "candidate": candidate,
        "appeal_days": cases.APPEAL_DAYS,
    }
    return render(request, "certification/case.html", context)


@router.post("/certification/cases/{case_id}/appeal")
def appeal(case_id: str, db: DbSession, rt: Rt, user: SignedInUser, grounds: str = Form("")) -> Response:
    cases.lodge_appeal(db, rt, user=user, case_id=case_id, grounds=grounds)
    return RedirectResponse(f"/certification/cases/{case_id}", status_code=303)


@router.get("/admin/certification", response_class=HTMLResponse)
def back_office(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    if not (
        decide(principal, Permission.CREDENTIAL_APPROVE).allowed
        or decide(principal, Permission.SUBMISSION_REVIEW).allowed
    ):
        raise PermissionDenied("The certification back office is for assessors and registrars.")
    rows = []
    for c in repo.cases(db):
        rows.append(
            {
                "c": c,
                "candidate": db.get_one(User, c.user_id),
                "name": content.programme(c.programme_id).name,
                "passed": json.loads(c.verdict).get("passed"),
            }
        )
    context = {
        "rows": rows,
        "appeals": repo.appeals(db, state="lodged"),
        "programmes": [p for p in content.all_programmes() if p.holder == "person"],
        "registrar": decide(principal, Permission.CREDENTIAL_APPROVE).allowed,
    }
    return render(request, "certification/back_office.html", context)


@router.post("/admin/certification/recommend")
def recommend(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    email: str = Form(""),
    programme_id: str = Form(""),
    note: str = Form(""),
) -> Response:
    cases.recommend(db, rt, assessor=principal, candidate_email=email, programme_id=programme_id, note=note)
    # Back to the list, not the record: a record names the submissions' blind references, which only
    # registrars and the candidate see, so a reviewer cannot tie a reference to a person.
    return RedirectResponse("/admin/certification?recommended=1", status_code=303)


@router.post("/admin/certification/cases/{case_id}/decide")
def decide_case(
    case_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, outcome: str = Form(""), rationale: str = Form("")
) -> Response:
    if outcome == "approve":
        cases.approve(db, rt, registrar=principal, case_id=case_id, rationale=rationale)
    else:
        cases.reject(db, rt, registrar=principal, case_id=case_id, rationale=rationale)
    return RedirectResponse(f"/certification/cases/{case_id}", status_code=303)


@router.post("/admin/certification/appeals/{appeal_id}")
def decide_appeal(
    appeal_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, upheld: str = Form(""), outcome: str = Form("")
) -> Response:
    row = cases.decide_appeal(db, rt, registrar=principal, appeal_id=appeal_id, upheld=upheld == "yes", outcome=outcome)
    return RedirectResponse(f"/certification/cases/{row.case_id}", status_code=303)


@router.get("/admin/item-flags", response_class=HTMLResponse)
def flag_queue(request: Request, db: DbSession, principal: CurrentPrincipal) -> Response:
    return render(
        request,
        "certification/flags.html",
        {"queue": exams.flag_queue(db, principal), "resolutions": exams.FLAG_RESOLUTIONS},
    )


@router.post("/admin/item-flags/resolve")
def resolve_flags(
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    item: str = Form(""),
    resolution: str = Form(""),
    note: str = Form(""),
) -> Response:
    exams.resolve_flags(db, rt, principal=principal, item_ref=item, resolution=resolution, note=note)
    return RedirectResponse("/admin/item-flags", status_code=303)


@router.post("/certification/interviews/book")
def book(db: DbSession, rt: Rt, user: SignedInUser, slot_id: str = Form("")) -> Response:
    interviews.book(db, rt, user=user, slot_id=slot_id)
    return RedirectResponse("/certification", status_code=303)


@router.get("/interviews/{slot_id}", response_class=HTMLResponse)
def interview_sheet(request: Request, slot_id: str, db: DbSession, principal: CurrentPrincipal) -> Response:
    slot = repo.slot(db, slot_id)
    if slot is None or principal.user_id not in json.loads(slot.panel):
        raise NotFound("No interview of yours has that reference.")
    p = content.programme(slot.programme_id)
    assert p.interview is not None
    guide = content.interview_guide(p.interview.guide)
    mine = {s.domain: s for s in repo.interview_scores(db, slot.id) if s.panellist_id == principal.user_id}
    return render(request, "certification/interview.html", {"slot": slot, "p": p, "guide": guide, "mine": mine})


@router.post("/interviews/{slot_id}/score")
def interview_score(
    slot_id: str,
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    domain: str = Form(""),
    score: int = Form(0),
    justification: str = Form(""),
) -> Response:
    interviews.score(
        db, rt, panellist=principal, slot_id=slot_id, domain=domain, value=score, justification=justification
    )
    return RedirectResponse(f"/interviews/{slot_id}#d-{domain}", status_code=303)


@router.post("/interviews/{slot_id}/outcome")
def interview_outcome(
    slot_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal, note: str = Form("")
) -> Response:
    interviews.record_outcome(db, rt, panellist=principal, slot_id=slot_id, note=note)
    return RedirectResponse(f"/interviews/{slot_id}", status_code=303)
