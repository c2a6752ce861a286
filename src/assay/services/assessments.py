"""The free readiness assessment: start an attempt on a pinned form, save every answer as it is given,
submit once, and keep the scored profile with everything needed to re-score it."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.content import ASSESSMENT_TARGETS_FILE, PRACTICE_ITEMS_DIR
from assay.core.errors import Conflict, NotFound, ValidationFailed
from assay.core.ids import new_id, new_token, token_digest
from assay.core.items.bank import ItemBank
from assay.core.items.blueprint import assemble, stratified_blueprint
from assay.core.items.model import Item, Pool
from assay.core.scoring.compare import compare, comparison_to_dict
from assay.core.scoring.profile import Answered, build_profile, profile_to_dict
from assay.core.scoring.responses import AnswerError, score
from assay.core.standard.problems import ContentInvalid
from assay.db.models import Attempt, AttemptResponse, Campaign, ReportShare
from assay.db.repositories import assessments as repo
from assay.services import standards
from assay.services.runtime import Runtime

ATTEMPT_LIFETIME = timedelta(days=7)  # an unfinished attempt can be resumed for a week
FORM_LENGTH = 25
CONFIDENCE_CHOICES = (0.25, 0.5, 0.75, 1.0)
MAX_ACTIVE_SHARES = 20


@cache
def bank() -> ItemBank:
    return standards.item_bank(PRACTICE_ITEMS_DIR)


@cache
def role_targets() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(ASSESSMENT_TARGETS_FILE.read_text(encoding="utf-8"))["roles"]
    return data


def _item(ref: str) -> Item:
    item_id, _, version = ref.partition("@")
    item = bank().items.get(item_id)
    if item is None or str(item.version) != version:
        raise ContentInvalid([])  # a pinned item that is gone cannot be re-scored: loud, not silent
    return item


def start(
    db: Session, rt: Runtime, *, user_id: str | None = None, campaign: Campaign | None = None
) -> tuple[Attempt, str]:
    """A new attempt on a form drawn for it. The token is its only key: keep it (the link)."""
    items = bank()
    version = standards.resolve(db, items.standard, items.standard_version)
    token = new_token()
    blueprint = stratified_blueprint([d.id for d in version.version.domains], total=FORM_LENGTH)
    form = assemble(
        blueprint,
        items.by_domain(Pool.PRACTICE),
        seed=token,
        standard=items.standard,
        standard_version=items.standard_version,
    )
    now = rt.clock.now()
    attempt = Attempt(
        id=new_id(now),
        token_digest=token_digest(token),
        user_id=user_id,
        standard_id=items.standard,
        standard_version=items.standard_version,
        blueprint_id=blueprint.id,
        form_id=form.id,
        item_refs=json.dumps(list(form.item_refs)),
        self_ratings="{}",
        started_at=now,
        expires_at=now + ATTEMPT_LIFETIME,
        campaign_id=campaign.id if campaign else None,
    )
    db.add(attempt)
    db.flush()
    return attempt, token


def get(db: Session, *, token: str) -> Attempt:
    attempt = db.scalars(select(Attempt).where(Attempt.token_digest == token_digest(token))).one_or_none()
    if attempt is None:
        raise NotFound("There is no assessment at this link. Check the link, or start a new assessment.")
    return attempt


def _open(db: Session, rt: Runtime, token: str) -> Attempt:
    attempt = get(db, token=token)
    if attempt.submitted_at is not None:
        raise Conflict("This assessment was already submitted; its report is ready.")
    if attempt.expires_at <= rt.clock.now():
        raise ValidationFailed("This assessment expired after a week unfinished. Start a new one.")
    return attempt


def refs(attempt: Attempt) -> list[str]:
    out: list[str] = json.loads(attempt.item_refs)
    return out


def responses(db: Session, attempt: Attempt) -> dict[str, AttemptResponse]:
    rows = db.scalars(select(AttemptResponse).where(AttemptResponse.attempt_id == attempt.id))
    return {r.item_id: r for r in rows}


def state(db: Session, attempt: Attempt) -> dict[str, Any]:
    """What a client needs to show or resume the attempt. Never keys or rationales before submission."""
    saved = responses(db, attempt)
    questions = []
    for ref in refs(attempt):
        item = _item(ref)
        r = saved.get(item.id)
        questions.append(
            {
                **item.public_view(),
                "saved_answer": json.loads(r.answer) if r else None,
                "saved_confidence": r.confidence if r else None,
            }
        )
    return {
        "standard": attempt.standard_id,
        "standard_version": attempt.standard_version,
        "form": attempt.form_id,
        "submitted": attempt.submitted_at is not None,
        "expires_at": attempt.expires_at.isoformat(),
        "self_ratings": json.loads(attempt.self_ratings),
        "answered": len(saved),
        "total": len(questions),
        "questions": questions,
    }


def rate_self(db: Session, rt: Runtime, *, token: str, ratings: dict[str, int]) -> None:
    attempt = _open(db, rt, token)
    version = standards.resolve(db, attempt.standard_id, attempt.standard_version).version
    known = {d.id for d in version.domains}
    for domain, value in ratings.items():
        if domain not in known:
            raise ValidationFailed(f"There is no domain {domain} in version {attempt.standard_version}.")
        if not isinstance(value, int) or not 0 <= value <= 3:
            raise ValidationFailed(f"Rate {domain} from 0 (not yet) to 3 (advanced).")
    attempt.self_ratings = json.dumps({**json.loads(attempt.self_ratings), **ratings}, sort_keys=True)
    db.flush()


def answer(
    db: Session, rt: Runtime, *, token: str, item_id: str, choice: list[str], confidence: float | None = None
) -> int:
    """Save one answer (replacing an earlier one). Returns how many are saved."""
    attempt = _open(db, rt, token)
    on_form = {ref.partition("@")[0]: ref for ref in refs(attempt)}
    if item_id not in on_form:
        raise ValidationFailed(f"Question {item_id} is not part of this assessment.")
    item = _item(on_form[item_id])
    try:
        score(item, choice)
    except AnswerError as exc:
        raise ValidationFailed(f"That answer does not fit the question: {exc}.") from None
    if confidence is not None and confidence not in CONFIDENCE_CHOICES:
        raise ValidationFailed("Confidence is one of 25%, 50%, 75% or 100%.")
    saved = responses(db, attempt)
    now = rt.clock.now()
    row = saved.get(item_id)
    if row is None:
        row = AttemptResponse(
            id=new_id(now),
            attempt_id=attempt.id,
            item_id=item.id,
            item_version=item.version,
            answer="[]",
            answered_at=now,
        )
        db.add(row)
    row.answer = json.dumps(list(choice))
    row.confidence = confidence
    row.answered_at = now
    db.flush()
    return len(saved) + (0 if item_id in saved else 1)


def submit(db: Session, rt: Runtime, *, token: str, target_role: str = "integrator") -> dict[str, Any]:
    attempt = _open(db, rt, token)
    if attempt.campaign_id is not None:  # a campaign measures everyone against the role its manager chose
        campaign = db.get(Campaign, attempt.campaign_id)
        target_role = campaign.target_role if campaign else target_role
    if target_role not in role_targets():
        raise ValidationFailed(f"Unknown role {target_role}; roles: {', '.join(role_targets())}.")
    saved = responses(db, attempt)
    missing = [ref for ref in refs(attempt) if ref.partition("@")[0] not in saved]
    if missing:
        raise ValidationFailed(f"Answer every question before submitting: {len(missing)} left.")
    version = standards.resolve(db, attempt.standard_id, attempt.standard_version).version
    answered = [
        Answered(
            _item(ref),
            score(_item(ref), json.loads(saved[ref.partition("@")[0]].answer)),
            saved[ref.partition("@")[0]].confidence,
        )
        for ref in refs(attempt)
    ]
    profile = build_profile(
        answered,
        version=version,
        self_ratings=json.loads(attempt.self_ratings),
        target_role=target_role,
        target=role_targets()[target_role]["targets"],
    )
    report = {
        **profile_to_dict(profile),
        "standard": attempt.standard_id,
        "standard_version": attempt.standard_version,
        "form": attempt.form_id,
        "items": refs(attempt),
    }
    attempt.profile = json.dumps(report, sort_keys=True)
    attempt.submitted_at = rt.clock.now()
    db.flush()
    return report


def report(db: Session, *, token: str) -> dict[str, Any]:
    """The profile, and per question the key and every option's rationale (practice pool: shown after)."""
    return report_of(db, get(db, token=token))


def profile_of(attempt: Attempt) -> dict[str, Any]:
    """The stored profile alone: what a share link, a comparison or a team roll-up reads."""
    if attempt.profile is None:
        raise Conflict("This assessment has not been submitted yet.")
    data: dict[str, Any] = json.loads(attempt.profile)
    return data


def report_of(db: Session, attempt: Attempt) -> dict[str, Any]:
    if attempt.profile is None:
        raise Conflict("This assessment has not been submitted yet.")
    saved = responses(db, attempt)
    feedback = []
    for ref in refs(attempt):
        item = _item(ref)
        r = saved[item.id]
        feedback.append(
            {
                "id": item.id,
                "title": item.title,
                "controls": list(item.controls),
                "your_answer": json.loads(r.answer),
                "score": score(item, json.loads(r.answer)),
                "options": [
                    {"id": o.id, "text": o.text, "correct": o.correct, "position": o.position, "rationale": o.rationale}
                    for o in item.options
                ],
            }
        )
    data: dict[str, Any] = json.loads(attempt.profile)
    return {**data, "feedback": feedback}


def claim(db: Session, *, token: str, user_id: str) -> None:
    """An anonymous attempt becomes the signed-in person's (after sign-up, say)."""
    attempt = get(db, token=token)
    if attempt.user_id not in (None, user_id):
        raise Conflict("This assessment belongs to another account.")
    attempt.user_id = user_id
    db.flush()


def action_plan_rows(data: dict[str, Any]) -> list[list[str]]:
    """The gap analysis of a report as rows for a spreadsheet: priority, domain, levels, control, criteria."""
    rows = [["priority", "domain", "assessed", "target", "indicative", "control", "title", "criteria to meet"]]
    for priority, gap in enumerate(data["gaps"], start=1):
        for control in gap["controls"]:
            rows.append(
                [
                    str(priority),
                    gap["title"],
                    gap["assessed"],
                    gap["target"],
                    "yes" if gap["indicative"] else "no",
                    control["control"],
                    control["title"],
                    " ".join(control["criteria"]),
                ]
            )
    return rows


# --- The owner's own attempts (signed in) -------------------------------------------------------


def attempts_of(db: Session, *, user_id: str) -> list[Attempt]:
    return repo.submitted_of_user(db, user_id)


def unfinished_of(db: Session, rt: Runtime, *, user_id: str) -> list[Attempt]:
    return [a for a in repo.open_of_user(db, user_id) if a.expires_at > rt.clock.now()]


def owned(db: Session, *, user_id: str, attempt_id: str) -> Attempt:
    attempt = db.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("You have no assessment with that ID.")
    return attempt


def reissue(db: Session, *, attempt: Attempt) -> str:
    """A fresh link for an attempt whose owner is signed in (only digests are kept, so the old link cannot
    be shown again). The old link stops working."""
    token = new_token()
    attempt.token_digest = token_digest(token)
    db.flush()
    return token


# --- Share links: read-only, separate from the attempt's key, revocable ---------------------------


def create_share(db: Session, rt: Runtime, *, token: str, label: str = "") -> tuple[ReportShare, str]:
    attempt = get(db, token=token)
    profile_of(attempt)  # only a submitted profile can be shared
    clean = " ".join(label.split())
    if len(clean) > 120:
        message = "Keep the label under 120 characters."
        raise ValidationFailed(message, {"label": message})
    active = [s for s in repo.shares_of(db, attempt.id) if s.revoked_at is None]
    if len(active) >= MAX_ACTIVE_SHARES:
        raise ValidationFailed(f"You have {MAX_ACTIVE_SHARES} live share links; withdraw one first.")
    share_token = new_token()
    now = rt.clock.now()
    share = ReportShare(
        id=new_id(now), attempt_id=attempt.id, token_digest=token_digest(share_token), label=clean, created_at=now
    )
    db.add(share)
    db.flush()
    return share, share_token


def shares(db: Session, *, token: str) -> list[ReportShare]:
    return repo.shares_of(db, get(db, token=token).id)


def revoke_share(db: Session, rt: Runtime, *, token: str, share_id: str) -> ReportShare:
    attempt = get(db, token=token)
    share = db.get(ReportShare, share_id)
    if share is None or share.attempt_id != attempt.id:
        raise NotFound("There is no such share link on this report.")
    if share.revoked_at is None:
        share.revoked_at = rt.clock.now()
        db.flush()
    return share


def shared(db: Session, *, share_token: str) -> tuple[Attempt, dict[str, Any]]:
    """The profile behind a share link: no answers and no per-question feedback, which stay the owner's."""
    share = repo.share_by_digest(db, token_digest(share_token))
    attempt = db.get(Attempt, share.attempt_id) if share and share.revoked_at is None else None
    if attempt is None or attempt.profile is None:
        raise NotFound("This shared report is not available: its owner may have withdrawn the link.")
    return attempt, profile_of(attempt)


# --- Comparing two attempts ------------------------------------------------------------------------


def compare_attempts(db: Session, *, before: Attempt, after: Attempt) -> dict[str, Any]:
    """Earlier against later (swapped if given the other way round), across standard versions by lineage."""
    if before.id == after.id:
        raise ValidationFailed("Choose two different assessments to compare.")
    if before.standard_id != after.standard_id:
        raise ValidationFailed("These assessments are against different standards and cannot be compared.")
    a, b = sorted((before, after), key=lambda x: (x.submitted_at or x.started_at, x.id))  # IDs sort by creation
    version_a = standards.resolve(db, a.standard_id, a.standard_version).version
    version_b = standards.resolve(db, b.standard_id, b.standard_version).version
    result = comparison_to_dict(
        compare(profile_of(a), profile_of(b), before_version=version_a, after_version=version_b)
    )
    dates = {"before_submitted": a.submitted_at, "after_submitted": b.submitted_at}
    return {**result, **{k: v.isoformat() if v else None for k, v in dates.items()}}


def compare_tokens(db: Session, *, token: str, other: str) -> dict[str, Any]:
    return compare_attempts(db, before=get(db, token=token), after=get(db, token=other))


def compare_owned(db: Session, *, user_id: str, first: str, second: str) -> dict[str, Any]:
    a, b = owned(db, user_id=user_id, attempt_id=first), owned(db, user_id=user_id, attempt_id=second)
    return compare_attempts(db, before=a, after=b)
