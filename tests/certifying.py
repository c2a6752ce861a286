"""Helpers for certification tests: a cast with roles, and answering an exam right or wrong."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.items.model import Item
from assay.core.roles import Role
from assay.db.models import ExamAttempt, ExamFormRecord, User
from assay.services import accounts, demo_certification, exams, roles, standards
from assay.services import programmes as content
from assay.services.runtime import Runtime

PASSWORD = "lantern-orbit-cedar-71"


def make_cast(db: Session, rt: Runtime) -> dict[str, User]:
    """Kim the candidate; Jonas a reviewer (assessor); Priya and Ada registrars; Eve an editor."""
    standards.import_standard(db, rt)
    people = {}
    for name, full, role in (
        ("kim", "Kim Okafor", None),
        ("jonas", "Jonas Weber", Role.REVIEWER),
        ("priya", "Priya Raman", Role.REGISTRAR),
        ("ada", "Ada Lindqvist", Role.REGISTRAR),
        ("eve", "Eve Marchetti", Role.STANDARDS_EDITOR),
    ):
        people[name] = accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=full, password=PASSWORD)
        if role:
            roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=role)
    return people


def principal(db: Session, user: User):  # type: ignore[no-untyped-def]
    return accounts.principal_for(db, user)


def choice_for(item: Item, *, right: bool) -> list[str]:
    return demo_certification.choice(item, right)


def form_of(db: Session, attempt: ExamAttempt) -> ExamFormRecord:
    return db.get_one(ExamFormRecord, attempt.form_id)


def answer_exam(
    db: Session, rt: Runtime, user: User, attempt: ExamAttempt, *, right_share: float = 1.0, pilots_right: bool = True
) -> None:
    """Answer every question; the first `right_share` of the scored items right, the rest wrong."""
    form = form_of(db, attempt)
    scored = json.loads(form.scored_refs)
    n_right = round(right_share * len(scored))
    right_refs = set(scored[:n_right])
    for ref in json.loads(form.order_refs):
        item = content.secure_item(ref)
        good = ref in right_refs if ref in scored else pilots_right
        exams.answer(
            db, rt, user_id=user.id, attempt_id=attempt.id, item_id=item.id, choice=choice_for(item, right=good)
        )


def take_exam(db: Session, rt: Runtime, user: User, programme_id: str, *, right_share: float = 1.0) -> ExamAttempt:
    attempt = exams.start(
        db, rt, user=user, programme_id=programme_id, identity_name=user.display_name, honour_accepted=True
    )
    answer_exam(db, rt, user, attempt, right_share=right_share)
    return exams.submit(db, rt, user_id=user.id, attempt_id=attempt.id)


def grant(db: Session, rt: Runtime, email: str, programme_id: str) -> None:
    """Give a person a current credential directly (a decision graded by Jonas, approved by Priya):
    for tests whose subject is a later step of the ladder."""
    from assay.services import issuance

    decision = issuance.create_decision(
        db,
        rt,
        programme_id=programme_id,
        subjects=[issuance.SubjectInput(email)],
        graded_by_email="jonas@example.org",
        rationale="Test prerequisite.",
    )
    priya = accounts.repo.user_by_email(db, "priya@example.org")
    assert priya is not None
    issuance.approve(db, rt, registrar=accounts.principal_for(db, priya), decision_id=decision.id)
    issuance.issue(db, rt, decision_id=decision.id)


GOOD_ANSWER = """## Retrieval design

The retriever enforces entitlements at query time: every chunk carries the access-control list of its
source document, copied at ingestion, and the query filter is built from the caller's group claims in
the signed token, never from the prompt. Deletion propagates through a tombstone queue with a 24-hour
service level, and the evaluation suite includes cross-tenant probes that must return nothing.
"""


def review_scores(score: int) -> dict[str, tuple[int, str]]:
    from assay.core.certification.tasks import DIMENSIONS

    why = "The submission states the entitlement filter and its source, and the deletion path is traceable."
    return dict.fromkeys(DIMENSIONS, (score, why))


def integrator_path(db: Session, rt: Runtime) -> tuple[dict[str, User], Any, Any]:
    """The Certified AI Integrator end to end: Kim (Foundation held) passes the scenario exam and
    submits both tasks; a founding panel reviews them blind; on the RAG task the two reviewers
    disagree by two points on approval logic and a third adjudicates; Jonas recommends and Priya,
    who graded nothing, approves. Returns the cast, the decision record and the credential."""
    from assay.db.repositories import panel as panel_repo
    from assay.services import cases, panel, tasks

    people = make_cast(db, rt)
    for name in ("rhea", "omar", "lena"):
        people[name] = accounts.sign_up(
            db, rt, email=f"{name}@example.org", display_name=f"{name.title()} Reviewer", password=PASSWORD
        )
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
        panel.seat_founding(
            db,
            rt,
            registrar=principal(db, people["priya"]),
            email=f"{name}@example.org",
            programme_id="certified-ai-integrator",
            reason="Founding panel for the first Integrator sittings.",
        )
    grant(db, rt, "kim@example.org", "foundation")
    kim = people["kim"]
    now = rt.clock.now()
    rt.clock.set(now - timedelta(hours=25))  # type: ignore[attr-defined]  # sat yesterday: the 24-hour hold has passed
    attempt = take_exam(db, rt, kim, "certified-ai-integrator", right_share=0.8)
    rt.clock.set(now)  # type: ignore[attr-defined]
    exams.sweep(db, rt)
    assert attempt.passed is True and attempt.state == "released", (attempt.percent, attempt.state)
    by_id = {u.id: u for u in people.values()}
    for task_id in ("rag-access-controls", "agentic-human-gates"):
        s = tasks.open_task(db, rt, user=kim, programme_id="certified-ai-integrator", task_id=task_id)
        tasks.save_draft(db, rt, user_id=kim.id, submission_id=s.id, body=GOOD_ANSWER)
        tasks.submit(db, rt, user_id=kim.id, submission_id=s.id)
        who = {a.role: by_id[a.reviewer_id] for a in panel_repo.assignments_of(db, s.id)}
        if task_id == "rag-access-controls":
            panel.review(
                db,
                rt,
                reviewer=principal(db, who["first"]),
                blind_ref=s.blind_ref,
                scores={**review_scores(3), "approval-logic": (4, review_scores(4)["approval-logic"][1])},
            )
            panel.review(
                db,
                rt,
                reviewer=principal(db, who["second"]),
                blind_ref=s.blind_ref,
                scores={**review_scores(3), "approval-logic": (2, review_scores(2)["approval-logic"][1])},
            )
            adjudicator = next(
                by_id[a.reviewer_id] for a in panel_repo.assignments_of(db, s.id) if a.role == "adjudicator"
            )
            panel.review(db, rt, reviewer=principal(db, adjudicator), blind_ref=s.blind_ref, scores=review_scores(3))
            result = panel.outcome(db, s)
            assert (
                result is not None and result.adjudicated and result.scores["approval-logic"] == 3.0
            )  # 4 and 2 equally near the 3: the mean of all three
        else:
            for role in ("first", "second"):
                panel.review(db, rt, reviewer=principal(db, who[role]), blind_ref=s.blind_ref, scores=review_scores(3))
    record = cases.recommend(
        db,
        rt,
        assessor=principal(db, people["jonas"]),
        candidate_email=kim.email,
        programme_id="certified-ai-integrator",
    )
    _, [credential] = cases.approve(
        db,
        rt,
        registrar=principal(db, people["priya"]),
        case_id=record.id,
        rationale="Exam above the cut; both tasks passed at panel review, one after adjudication.",
    )
    return people, record, credential
