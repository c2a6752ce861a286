"""Timed exams on the secure pool: eligibility, the server's clock, scoring, release, flags; on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assay.core.certification.exam import HONOUR_CODE
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.items.model import ItemStatus, Pool
from assay.db.models import AuditEntry, ExamAttempt, ItemExposure, User
from assay.db.session import unit_of_work
from assay.services import exams
from assay.services import programmes as content
from assay.services.runtime import Runtime
from tests.certifying import answer_exam, choice_for, form_of, make_cast, principal, take_exam


@pytest.fixture
def cast(db: Session, rt: Runtime) -> dict[str, User]:
    return make_cast(db, rt)


def test_a_foundation_attempt_has_the_blueprint_its_pilots_and_a_server_deadline(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim = cast["kim"]
    attempt = exams.start(
        db, rt, user=kim, programme_id="foundation", identity_name="  kim OKAFOR ", honour_accepted=True
    )
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=75)
    assert attempt.honour_code == "\n".join(HONOUR_CODE)
    form = form_of(db, attempt)
    scored, pilots, order = (json.loads(x) for x in (form.scored_refs, form.pilot_refs, form.order_refs))
    assert len(scored) == 40 and len(pilots) == 5 and sorted(order) == sorted(scored + pilots)
    items = [content.secure_item(r) for r in order]
    assert all(i.pool is Pool.SECURE for i in items)
    assert {i.domain for i in items if i.ref in scored} == {"IG", "OV", "RD", "DR", "OBS", "HO", "SR", "VD", "IA", "AT"}
    assert all(content.secure_item(r).status is ItemStatus.PILOT for r in pilots)
    exposure = {e.item_id: e.deliveries for e in db.scalars(select(ItemExposure))}
    assert len(exposure) == 45 and set(exposure.values()) == {1}
    view = exams.view(db, rt, attempt)
    assert view["seconds_left"] == 75 * 60
    assert all(set(o) == {"id", "text"} for i in view["items"] for o in i["options"])  # no key, no rationale


def test_three_foundation_forms_share_no_scored_item(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    forms = exams.assemble(db, rt, programme_id="foundation", seed="fixed")
    assert len(forms) == 3
    sets = [set(json.loads(f.scored_refs)) for f in forms]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    facilities = [f.mean_facility for f in forms]
    assert max(facilities) - min(facilities) <= 0.02


def test_passing_all_scored_items_passes_and_pilots_never_count(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim = cast["kim"]
    attempt = exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    answer_exam(db, rt, kim, attempt, right_share=1.0, pilots_right=False)
    exams.submit(db, rt, user_id=kim.id, attempt_id=attempt.id)
    assert attempt.state == "released"  # the foundation holds no results: released once scored
    result = exams.result(attempt)
    assert result is not None and result["percent"] == 100.0 and result["passed"] is True
    assert sum(v["items"] for v in result["by_domain"].values()) == 40


def test_a_score_below_the_cut_fails(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    attempt = take_exam(db, rt, cast["kim"], "foundation", right_share=0.6)
    assert attempt.percent == 60.0 and attempt.passed is False and attempt.cut_percent == 65


def test_an_answer_after_the_deadline_is_refused_recorded_and_the_attempt_scored(
    db: Session, rt: Runtime, cast: dict[str, User], clock
) -> None:  # type: ignore[no-untyped-def]
    kim = cast["kim"]
    attempt = exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    first = content.secure_item(json.loads(form_of(db, attempt).order_refs)[0])
    assert exams.answer(
        db, rt, user_id=kim.id, attempt_id=attempt.id, item_id=first.id, choice=choice_for(first, right=True)
    ).accepted
    clock.advance(minutes=75, seconds=1)
    second = content.secure_item(json.loads(form_of(db, attempt).order_refs)[1])
    outcome = exams.answer(
        db, rt, user_id=kim.id, attempt_id=attempt.id, item_id=second.id, choice=choice_for(second, right=True)
    )
    assert not outcome.accepted and "Time is up" in outcome.message
    assert attempt.state == "released" and attempt.submitted_at is None and attempt.late_answers == 1
    actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert "exam.timed_out" in actions and "exam.answer_refused_late" in actions
    # Submitting after the clock closed it changes nothing and is not an error.
    assert exams.submit(db, rt, user_id=kim.id, attempt_id=attempt.id).state == "released"


def test_sweep_closes_abandoned_attempts_and_releases_held_results(
    db: Session, rt: Runtime, cast: dict[str, User], clock
) -> None:  # type: ignore[no-untyped-def]
    kim = cast["kim"]
    exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    clock.advance(hours=2)
    assert exams.sweep(db, rt) == (1, 0)  # released at once: the foundation has no hold
    [attempt] = db.scalars(select(ExamAttempt)).all()
    assert attempt.state == "released" and attempt.percent == 0.0


def test_refusals_before_the_start_are_clear_and_recorded(sessions: sessionmaker[Session], rt: Runtime, clock) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as db:
        kim = make_cast(db, rt)["kim"]
    with pytest.raises(ValidationFailed, match="exactly as it is on your account"), unit_of_work(sessions) as db:
        exams.start(
            db, rt, user=db.merge(kim), programme_id="foundation", identity_name="K. Okafor", honour_accepted=True
        )
    with pytest.raises(ValidationFailed, match="honour code"), unit_of_work(sessions) as db:
        exams.start(
            db, rt, user=db.merge(kim), programme_id="foundation", identity_name="Kim Okafor", honour_accepted=False
        )
    with pytest.raises(ValidationFailed, match="needs a current credential"), unit_of_work(sessions) as db:
        exams.start(
            db,
            rt,
            user=db.merge(kim),
            programme_id="certified-ai-integrator",
            identity_name="Kim Okafor",
            honour_accepted=True,
        )
    with unit_of_work(sessions) as db:
        refused = [e for e in db.scalars(select(AuditEntry)) if e.action == "exam.start_refused"]
        assert len(refused) == 3 and all(json.loads(e.details)["reason"] for e in refused)
        assert db.scalars(select(ExamAttempt)).all() == []  # nothing half-written


def test_retakes_wait_and_attempts_are_limited(db: Session, rt: Runtime, cast: dict[str, User], clock) -> None:  # type: ignore[no-untyped-def]
    kim = cast["kim"]
    take_exam(db, rt, kim, "foundation", right_share=0.2)
    with pytest.raises(ValidationFailed, match="A retake needs 14 days"):
        exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    clock.advance(days=14)
    take_exam(db, rt, kim, "foundation", right_share=0.2)
    clock.advance(days=14)
    take_exam(db, rt, kim, "foundation", right_share=0.2)
    clock.advance(days=30)
    with pytest.raises(ValidationFailed, match="used all 3 attempts"):
        exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)


def test_an_open_attempt_blocks_another_and_a_second_submission_is_refused(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim = cast["kim"]
    attempt = exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    with pytest.raises(ValidationFailed, match="still open"):
        exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    exams.submit(db, rt, user_id=kim.id, attempt_id=attempt.id)
    with pytest.raises(Conflict, match="already submitted"):
        exams.submit(db, rt, user_id=kim.id, attempt_id=attempt.id)
    item = content.secure_item(json.loads(form_of(db, attempt).order_refs)[0])
    with pytest.raises(Conflict, match="submitted"):
        exams.answer(
            db, rt, user_id=kim.id, attempt_id=attempt.id, item_id=item.id, choice=choice_for(item, right=True)
        )
    with pytest.raises(NotFound):
        exams.submit(db, rt, user_id=cast["jonas"].id, attempt_id=attempt.id)


def test_answers_that_do_not_fit_are_refused(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim = cast["kim"]
    attempt = exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    with pytest.raises(ValidationFailed, match="not part of this exam"):
        exams.answer(db, rt, user_id=kim.id, attempt_id=attempt.id, item_id="IG-P-001", choice=["a"])
    item = content.secure_item(json.loads(form_of(db, attempt).order_refs)[0])
    with pytest.raises(ValidationFailed, match="does not fit"):
        exams.answer(db, rt, user_id=kim.id, attempt_id=attempt.id, item_id=item.id, choice=["z"])


def test_results_are_held_then_released(db: Session, rt: Runtime, cast: dict[str, User], clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    p = content.programme("foundation")
    assert p.exam is not None
    held = p.model_copy(update={"exam": p.exam.model_copy(update={"results_hold_hours": 24})})
    monkeypatch.setattr(content, "programme", lambda pid: held if pid == "foundation" else p)
    attempt = take_exam(db, rt, cast["kim"], "foundation")
    assert attempt.state == "scored" and exams.result(attempt) is None
    clock.advance(hours=24)
    assert exams.sweep(db, rt) == (0, 1)
    assert exams.result(attempt) is not None


def test_flags_feed_the_item_review_queue(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim = cast["kim"]
    attempt = exams.start(db, rt, user=kim, programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True)
    item = content.secure_item(json.loads(form_of(db, attempt).order_refs)[2])
    exams.flag(
        db,
        rt,
        user_id=kim.id,
        attempt_id=attempt.id,
        item_id=item.id,
        reason="ambiguous",
        comment="Options b and c both look defensible.",
    )
    with pytest.raises(ValidationFailed, match="Choose why"):
        exams.flag(db, rt, user_id=kim.id, attempt_id=attempt.id, item_id=item.id, reason="boring")
    with pytest.raises(PermissionDenied):
        exams.flag_queue(db, principal(db, kim))
    editor = principal(db, cast["eve"])
    [entry] = exams.flag_queue(db, editor)
    assert entry["item"] == item.ref and entry["flags"][0]["comment"].startswith("Options b")
    assert (
        exams.resolve_flags(
            db, rt, principal=editor, item_ref=item.ref, resolution="revise", note="Option c reworded in version 2."
        )
        == 1
    )
    assert exams.flag_queue(db, editor) == []


def test_a_form_with_an_item_at_its_exposure_cap_rests(
    db: Session, rt: Runtime, cast: dict[str, User], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    forms = exams.assemble(db, rt, programme_id="foundation", seed="cap")
    first = min(forms, key=lambda f: f.id)
    p = content.programme("foundation")
    assert p.exam is not None
    capped = p.model_copy(update={"exam": p.exam.model_copy(update={"exposure_cap": 10})})
    monkeypatch.setattr(content, "programme", lambda pid: capped)
    item_id = json.loads(first.scored_refs)[0].partition("@")[0]
    db.add(ItemExposure(item_id=item_id, deliveries=10))
    db.flush()
    attempt = exams.start(
        db, rt, user=cast["kim"], programme_id="foundation", identity_name="Kim Okafor", honour_accepted=True
    )
    assert attempt.form_id != first.id and first.state == "retired"
    assert item_id not in form_of(db, attempt).order_refs
    delivered = db.scalars(select(ItemExposure).where(ItemExposure.item_id == item_id)).one()
    assert delivered.deliveries == 10  # the rested item was not delivered again
    assert form_of(db, attempt).deliveries == 1
