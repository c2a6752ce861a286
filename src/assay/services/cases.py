"""The decision record: one per candidate and programme, holding all the evidence, the passing
rule's verdict, who recommended it, and the registrar's decision.

- An assessor (a reviewer) recommends: the evidence is snapshotted and the rule applied.
- A registrar who graded nothing of it (not a task reviewer, not a panellist, not the recommender,
  not the candidate) approves or rejects. Approval creates the IssuanceDecision the credential core
  signs from, approves it as the same registrar, and issues the credential.
- The candidate may appeal a decision within APPEAL_DAYS; an appeal is decided by a registrar who
  took no part in the case. An upheld appeal reopens the case.
Every step is in the audit trail; every refusal too.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.accounts import normalise_email
from assay.core.certification.rules import Evidence, evaluate
from assay.core.errors import AssayError, Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, require
from assay.db.models import Appeal, CertificationCase, ExamAttempt, IssuedCredential, User
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import certification as repo
from assay.db.repositories import credentials as credential_repo
from assay.services import audit, exams, interviews, issuance, panel, tasks
from assay.services import programmes as content
from assay.services.runtime import Runtime

APPEAL_DAYS = 30


def _best_exam(db: Session, rt: Runtime, user_id: str, programme_id: str) -> ExamAttempt | None:
    released = [
        a
        for a in exams.attempts_of(db, rt, user_id=user_id)
        if a.programme_id == programme_id and a.state == "released"
    ]
    passed = [a for a in released if a.passed]
    chosen = passed or released
    return chosen[-1] if chosen else None


def gather(db: Session, rt: Runtime, *, user_id: str, programme_id: str) -> tuple[Evidence, dict[str, Any], list[str]]:
    """The evidence as the rule sees it, as the record stores it, and everyone who graded part of it."""
    p = content.programme(programme_id)
    now = rt.clock.now()
    graders: set[str] = set()
    snapshot: dict[str, Any] = {"programme": p.id, "passing_rule": p.passing_rule, "gathered_at": now.isoformat()}
    missing = content.missing_prerequisites(db, user_id, p, now)
    snapshot["prerequisites"] = {"required": list(p.prerequisites), "missing": missing}
    exam_pair = None
    if p.exam is not None:
        attempt = _best_exam(db, rt, user_id, p.id)
        if attempt is not None and attempt.percent is not None and attempt.cut_percent is not None:
            exam_pair = (attempt.percent, attempt.cut_percent)
            snapshot["exam"] = {
                "attempt": attempt.id,
                "form": attempt.form_id,
                "percent": attempt.percent,
                "cut_percent": attempt.cut_percent,
                "passed": attempt.passed,
            }
        else:
            snapshot["exam"] = None
    task_outcomes = {}
    snapshot["tasks"] = {}
    for task_id in p.tasks:
        sub = tasks.latest_submitted(db, user_id=user_id, programme_id=p.id, task_id=task_id)
        outcome = panel.outcome(db, sub) if sub else None
        task_outcomes[task_id] = outcome
        if sub is not None:
            graders |= {r.reviewer_id for r in repo.reviews(db, sub.id)}
        snapshot["tasks"][task_id] = {
            "submission": sub.blind_ref if sub else None,
            "outcome": tasks.outcome_dict(outcome),
        }
    interview = None
    if p.interview is not None:
        held = interviews.latest_outcome(db, user_id=user_id, programme_id=p.id)
        if held is not None:
            slot, interview = held
            graders |= set(json.loads(slot.panel))
            snapshot["interview"] = {"slot": slot.id, **interviews.outcome_dict(interview)}
        else:
            snapshot["interview"] = None
    evidence = Evidence(
        prerequisites_missing=tuple(missing),
        exam_required=p.exam is not None,
        exam=exam_pair,
        tasks_required=p.tasks,
        tasks=task_outcomes,
        interview_required=p.interview is not None,
        interview=interview,
    )
    return evidence, snapshot, sorted(graders)


def _case_for(db: Session, rt: Runtime, user: User, programme_id: str) -> CertificationCase:
    live = [
        c
        for c in repo.cases(db, user_id=user.id)
        if c.programme_id == programme_id and c.state in {"open", "recommended"}
    ]
    if live:
        return live[-1]
    now = rt.clock.now()
    case = CertificationCase(
        id=new_id(now),
        user_id=user.id,
        programme_id=programme_id,
        standard_version=content.secure_bank().standard_version,
        state="open",
        evidence="{}",
        verdict="{}",
        graders="[]",
        created_at=now,
    )
    db.add(case)
    db.flush()
    return case


def recommend(
    db: Session, rt: Runtime, *, assessor: Principal, candidate_email: str, programme_id: str, note: str = ""
) -> CertificationCase:
    """An assessor checks the complete evidence and puts the record to a registrar, pass or fail."""
    require(assessor, Permission.SUBMISSION_REVIEW)
    p = content.require_person_programme(programme_id)
    user = account_repo.user_by_email(db, normalise_email(candidate_email))
    if user is None:
        raise NotFound(f"No account uses {candidate_email}.")
    if user.id == assessor.user_id:
        raise audit.refuse(
            PermissionDenied("You cannot put your own certification to a registrar."),
            clock=rt.clock,
            actor_id=assessor.user_id,
            action="case.recommend_refused",
            subject_type="user",
            subject_id=user.id,
        )
    evidence, snapshot, graders = gather(db, rt, user_id=user.id, programme_id=p.id)
    verdict = evaluate(evidence)
    if not verdict.complete:
        raise ValidationFailed(f"The record for {p.name} is not complete: " + "; ".join(verdict.reasons) + ".")
    case = _case_for(db, rt, user, p.id)
    now = rt.clock.now()
    case.evidence = json.dumps({**snapshot, "note": note.strip()}, sort_keys=True)
    case.verdict = json.dumps(asdict(verdict), sort_keys=True)
    case.graders = json.dumps(graders)
    case.state, case.recommended_by, case.recommended_at = "recommended", assessor.user_id, now
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=assessor.user_id,
        action="case.recommended",
        subject_type="certification_case",
        subject_id=case.id,
        details={"programme": p.id, "passed": verdict.passed, "reasons": list(verdict.reasons)},
    )
    return case


def _registrar_check(rt: Runtime, case: CertificationCase, registrar: Principal, action: str) -> None:
    def refuse(message: str) -> AssayError:
        return audit.refuse(
            PermissionDenied(message),
            clock=rt.clock,
            actor_id=registrar.user_id,
            action=action,
            subject_type="certification_case",
            subject_id=case.id,
        )

    if registrar.user_id == case.user_id:
        raise refuse("A registrar cannot decide their own certification.")
    if registrar.user_id == case.recommended_by:
        raise refuse("You recommended this decision; another registrar must decide it.")
    if registrar.user_id in json.loads(case.graders):
        raise refuse("You graded part of this candidate's evidence; a registrar who graded nothing of it must decide.")


def _load(db: Session, case_id: str) -> CertificationCase:
    case = repo.case(db, case_id, lock=True)
    if case is None:
        raise NotFound(f"No decision record {case_id}.")
    return case


def approve(
    db: Session, rt: Runtime, *, registrar: Principal, case_id: str, rationale: str
) -> tuple[CertificationCase, list[IssuedCredential]]:
    require(registrar, Permission.CREDENTIAL_APPROVE)
    case = _load(db, case_id)
    _registrar_check(rt, case, registrar, "case.approve_refused")
    if case.state != "recommended":
        raise Conflict(f"This record is {case.state}; only a recommended record is decided.")
    verdict = json.loads(case.verdict)
    if not verdict.get("passed"):
        raise ValidationFailed(
            "The passing rule is not met ("
            + "; ".join(verdict.get("reasons", []))
            + "); the record can only be rejected."
        )
    if not rationale.strip():
        raise ValidationFailed("Say why: a decision needs a rationale.", {"rationale": "Required."})
    user = db.get_one(User, case.user_id)
    recommender = db.get_one(User, case.recommended_by)
    p = content.programme(case.programme_id)
    decision = issuance.create_decision(
        db,
        rt,
        programme_id=p.id,
        subjects=[issuance.SubjectInput(email=user.email, results=_results(p.id, case))],
        graded_by_email=recommender.email,
        rationale=rationale.strip(),
        standard_version=case.standard_version,
        created_by=registrar.user_id,
    )
    issuance.approve(db, rt, registrar=registrar, decision_id=decision.id)
    now = rt.clock.now()
    case.state, case.decided_by, case.decided_at, case.rationale, case.issuance_decision_id = (
        "approved",
        registrar.user_id,
        now,
        rationale.strip(),
        decision.id,
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action="case.approved",
        subject_type="certification_case",
        subject_id=case.id,
        details={"issuance_decision": decision.id},
    )
    issued = issuance.issue(db, rt, decision_id=decision.id, actor_id=registrar.user_id)
    return case, issued


def _results(programme_id: str, case: CertificationCase) -> list[dict[str, str]]:
    evidence = json.loads(case.evidence)
    known = {r.id for r in content.programme(programme_id).result_descriptions}
    out = []
    if "exam-score" in known and evidence.get("exam"):
        out.append({"description": "exam-score", "value": f"{evidence['exam']['percent']:g}"})
    for rid in (
        "practical-outcome",
        "deployment-conformance",
        "portfolio-outcome",
        "interview-outcome",
        "practice-outcome",
    ):
        if rid in known:
            out.append({"description": rid, "status": "Completed"})
    return out


def reject(db: Session, rt: Runtime, *, registrar: Principal, case_id: str, rationale: str) -> CertificationCase:
    require(registrar, Permission.CREDENTIAL_APPROVE)
    case = _load(db, case_id)
    _registrar_check(rt, case, registrar, "case.reject_refused")
    if case.state != "recommended":
        raise Conflict(f"This record is {case.state}; only a recommended record is decided.")
    if not rationale.strip():
        raise ValidationFailed("Say why: a decision needs a rationale.", {"rationale": "Required."})
    case.state, case.decided_by, case.decided_at, case.rationale = (
        "rejected",
        registrar.user_id,
        rt.clock.now(),
        rationale.strip(),
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action="case.rejected",
        subject_type="certification_case",
        subject_id=case.id,
        details={"rationale": rationale.strip()},
    )
    return case


def lodge_appeal(db: Session, rt: Runtime, *, user: User, case_id: str, grounds: str) -> Appeal:
    case = _load(db, case_id)
    if case.user_id != user.id:
        raise NotFound(f"No decision record {case_id} on your account.")
    now = rt.clock.now()

    def refuse(exc: AssayError) -> AssayError:
        return audit.refuse(
            exc,
            clock=rt.clock,
            actor_id=user.id,
            action="appeal.refused",
            subject_type="certification_case",
            subject_id=case.id,
        )

    if case.state not in {"approved", "rejected"} or case.decided_at is None:
        raise refuse(Conflict("Only a decided record can be appealed."))
    if now > case.decided_at + timedelta(days=APPEAL_DAYS):
        raise refuse(
            ValidationFailed(
                f"Appeals are lodged within {APPEAL_DAYS} days of the decision; this one was decided on {case.decided_at:%d %B %Y}."
            )
        )
    if any(a.state == "lodged" for a in repo.appeals(db, case_id=case.id)):
        raise refuse(Conflict("An appeal on this decision is already being considered."))
    if len(grounds.strip()) < 50:
        raise ValidationFailed(
            "State your grounds: what in the process or the evidence you believe was wrong (at least 50 characters).",
            {"grounds": "Too short."},
        )
    appeal = Appeal(
        id=new_id(now), case_id=case.id, user_id=user.id, grounds=grounds.strip(), state="lodged", lodged_at=now
    )
    db.add(appeal)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="appeal.lodged",
        subject_type="appeal",
        subject_id=appeal.id,
        details={"case": case.id},
    )
    return appeal


def decide_appeal(
    db: Session, rt: Runtime, *, registrar: Principal, appeal_id: str, upheld: bool, outcome: str
) -> Appeal:
    require(registrar, Permission.CREDENTIAL_APPROVE)
    appeal = repo.appeal(db, appeal_id, lock=True)
    if appeal is None:
        raise NotFound(f"No appeal {appeal_id}.")
    case = _load(db, appeal.case_id)
    if registrar.user_id == case.decided_by:
        raise audit.refuse(
            PermissionDenied("You made the decision under appeal; another registrar decides the appeal."),
            clock=rt.clock,
            actor_id=registrar.user_id,
            action="appeal.decide_refused",
            subject_type="appeal",
            subject_id=appeal.id,
        )
    _registrar_check(rt, case, registrar, "appeal.decide_refused")
    if appeal.state != "lodged":
        raise Conflict(f"This appeal was already {appeal.state}.")
    if not outcome.strip():
        raise ValidationFailed("Write the outcome the candidate will read.", {"outcome": "Required."})
    now = rt.clock.now()
    appeal.state, appeal.decided_by, appeal.decided_at, appeal.outcome = (
        "upheld" if upheld else "dismissed",
        registrar.user_id,
        now,
        outcome.strip(),
    )
    if upheld and case.state == "rejected":
        case.state = "open"  # re-examined: the evidence is gathered and recommended afresh
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action=f"appeal.{appeal.state}",
        subject_type="appeal",
        subject_id=appeal.id,
        details={"case": case.id, "outcome": outcome.strip()},
    )
    return appeal


def case_view(db: Session, case: CertificationCase) -> dict[str, Any]:
    return {
        "id": case.id,
        "programme": case.programme_id,
        "programme_name": content.programme(case.programme_id).name,
        "standard_version": case.standard_version,
        "state": case.state,
        "evidence": json.loads(case.evidence),
        "verdict": json.loads(case.verdict),
        "recommended_at": case.recommended_at.isoformat() if case.recommended_at else None,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "rationale": case.rationale,
        "issuance_decision": case.issuance_decision_id,
        "credentials": [
            c.public_id
            for subject in (
                credential_repo.subjects_of(db, case.issuance_decision_id) if case.issuance_decision_id else []
            )
            if (c := credential_repo.credential_for_subject(db, subject.id)) is not None
        ],
        "appeals": [
            {
                "id": a.id,
                "state": a.state,
                "grounds": a.grounds,
                "outcome": a.outcome,
                "lodged_at": a.lodged_at.isoformat(),
            }
            for a in repo.appeals(db, case_id=case.id)
        ],
    }
