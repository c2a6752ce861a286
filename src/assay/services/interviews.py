"""The advanced credential's structured panel interview: slots, booking, the scoring sheet, the outcome.

Each panellist scores every domain of the guide independently, with a written justification; the
outcome is the guide's rule applied to the panel medians (core.certification.rules.interview_outcome)
and is recorded once, by a panellist, after every score is in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.certification.rules import InterviewOutcome, interview_outcome
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, require
from assay.db.models import InterviewScore, InterviewSlot, User
from assay.db.repositories import certification as repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit
from assay.services import panel as panel_service
from assay.services import programmes as content
from assay.services.runtime import Runtime

MIN_JUSTIFICATION = 40


def _panel(slot: InterviewSlot) -> list[str]:
    out: list[str] = json.loads(slot.panel)
    return out


def create_slot(
    db: Session,
    rt: Runtime,
    *,
    principal: Principal,
    programme_id: str,
    starts_at: datetime,
    location: str,
    panel_emails: Sequence[str],
) -> InterviewSlot:
    require(principal, Permission.CREDENTIAL_APPROVE)
    p = content.programme(programme_id)
    if p.interview is None:
        raise ValidationFailed(f"{p.name} has no interview.")
    if starts_at <= rt.clock.now():
        raise ValidationFailed("An interview slot must start in the future.", {"starts_at": "In the past."})
    if not location.strip():
        raise ValidationFailed("Say where the interview happens (a room or a video link).", {"location": "Required."})
    panel = [u.id for u in panel_service.reviewers_by_email(db, panel_emails, what="interview panellists")]
    if len(panel) != p.interview.panel_size:
        raise ValidationFailed(f"{p.name} interviews with a panel of {p.interview.panel_size}; {len(panel)} named.")
    now = rt.clock.now()
    slot = InterviewSlot(
        id=new_id(now),
        programme_id=p.id,
        starts_at=starts_at,
        minutes=p.interview.minutes,
        location=location.strip(),
        panel=json.dumps(panel),
        state="open",
        created_at=now,
    )
    db.add(slot)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="interview.slot_created",
        subject_type="interview_slot",
        subject_id=slot.id,
        details={"programme": p.id, "starts_at": starts_at.isoformat(), "panel": panel},
    )
    return slot


def _conflicted(db: Session, candidate_id: str, panel: Sequence[str]) -> bool:
    """A panellist from the candidate's own organisation, or the candidate themselves, is a conflict."""
    if candidate_id in panel:
        return True
    return any(org_repo.colleagues(db, candidate_id, p) for p in panel)


def open_slots(db: Session, rt: Runtime, *, user_id: str, programme_id: str) -> list[InterviewSlot]:
    now = rt.clock.now()
    return [
        s
        for s in repo.slots(db, programme_id=programme_id, state="open")
        if s.starts_at > now + timedelta(hours=24) and not _conflicted(db, user_id, _panel(s))
    ]


def book(db: Session, rt: Runtime, *, user: User, slot_id: str) -> InterviewSlot:
    slot = repo.slot(db, slot_id, lock=True)
    if slot is None:
        raise NotFound("There is no such interview slot.")
    p = content.require_person_programme(slot.programme_id)
    now = rt.clock.now()
    missing = content.missing_prerequisites(db, user.id, p, now)
    if missing:
        raise ValidationFailed("The interview needs a current credential you do not hold: " + ", ".join(missing) + ".")
    if slot.state != "open" or slot.starts_at <= now + timedelta(hours=24):
        raise Conflict("This slot is no longer available; choose another.")
    if _conflicted(db, user.id, _panel(slot)):
        raise Conflict("This slot's panel includes someone from your organisation; choose another.")
    if any(s.state in {"booked", "held"} and s.outcome != "fail" for s in repo.slots_of_candidate(db, user.id, p.id)):
        raise Conflict("You already have an interview booked or passed for this programme.")
    slot.candidate_id, slot.booked_at, slot.state = user.id, now, "booked"
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="interview.booked",
        subject_type="interview_slot",
        subject_id=slot.id,
    )
    return slot


def _on_panel(slot: InterviewSlot, principal: Principal) -> None:
    if principal.user_id not in _panel(slot):
        raise PermissionDenied("Only the slot's panellists score or record this interview.")


def score(
    db: Session, rt: Runtime, *, panellist: Principal, slot_id: str, domain: str, value: int, justification: str
) -> InterviewScore:
    slot = repo.slot(db, slot_id, lock=True)
    if slot is None:
        raise NotFound("There is no such interview slot.")
    _on_panel(slot, panellist)
    if slot.state != "booked":
        raise Conflict(f"This interview is {slot.state}; scores are entered for a booked interview.")
    if rt.clock.now() < slot.starts_at:
        raise Conflict("The interview has not started; score it as it happens.")
    p = content.programme(slot.programme_id)
    assert p.interview is not None
    domains = [d.domain for d in content.interview_guide(p.interview.guide).domains]
    if domain not in domains:
        raise ValidationFailed(f"The guide has no domain {domain}; domains: {', '.join(domains)}.")
    if value not in (1, 2, 3, 4):
        raise ValidationFailed("Score 1 to 4, as the guide's levels describe.")
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise ValidationFailed(
            f"Justify the score in at least {MIN_JUSTIFICATION} characters, from what the candidate said."
        )
    existing = [
        s for s in repo.interview_scores(db, slot.id) if s.panellist_id == panellist.user_id and s.domain == domain
    ]
    now = rt.clock.now()
    if existing:
        row = existing[0]
        row.score, row.justification, row.created_at = value, justification.strip(), now
    else:
        row = InterviewScore(
            id=new_id(now),
            slot_id=slot.id,
            panellist_id=panellist.user_id,
            domain=domain,
            score=value,
            justification=justification.strip(),
            created_at=now,
        )
        db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=panellist.user_id,
        action="interview.scored",
        subject_type="interview_slot",
        subject_id=slot.id,
        details={"domain": domain, "score": value},
    )
    return row


def sheet(db: Session, slot: InterviewSlot) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for s in repo.interview_scores(db, slot.id):
        out.setdefault(s.domain, []).append(s.score)
    return out


def record_outcome(db: Session, rt: Runtime, *, panellist: Principal, slot_id: str, note: str) -> InterviewSlot:
    slot = repo.slot(db, slot_id, lock=True)
    if slot is None:
        raise NotFound("There is no such interview slot.")
    _on_panel(slot, panellist)
    if slot.state != "booked":
        raise Conflict(f"This interview is {slot.state}; an outcome is recorded once.")
    p = content.programme(slot.programme_id)
    assert p.interview is not None
    domains = [d.domain for d in content.interview_guide(p.interview.guide).domains]
    scored = {(s.panellist_id, s.domain) for s in repo.interview_scores(db, slot.id)}
    missing = [(u, d) for u in _panel(slot) for d in domains if (u, d) not in scored]
    if missing:
        raise ValidationFailed(
            f"{len(missing)} scores are missing; every panellist scores every domain before the outcome is recorded."
        )
    result = interview_outcome(sheet(db, slot))
    now = rt.clock.now()
    slot.state, slot.outcome, slot.outcome_note = "held", "pass" if result.passed else "fail", note.strip()
    slot.recorded_by, slot.recorded_at = panellist.user_id, now
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=panellist.user_id,
        action="interview.outcome_recorded",
        subject_type="interview_slot",
        subject_id=slot.id,
        details={
            "outcome": slot.outcome,
            "medians": {d: f"{m:g}" for d, m in result.medians.items()},
            "reasons": list(result.reasons),
        },
    )
    return slot


def latest_outcome(db: Session, *, user_id: str, programme_id: str) -> tuple[InterviewSlot, InterviewOutcome] | None:
    held = [s for s in repo.slots_of_candidate(db, user_id, programme_id) if s.state == "held"]
    if not held:
        return None
    slot = held[-1]
    return slot, interview_outcome(sheet(db, slot))


def outcome_dict(o: InterviewOutcome) -> dict[str, Any]:
    return asdict(o)
