"""Taking the readiness assessment through the service, on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock
from assay.core.errors import Conflict, NotFound, ValidationFailed
from assay.db.models import AttemptResponse
from assay.services import assessments, standards
from assay.services.runtime import Runtime
from tests.services.conftest import answer_all


@pytest.fixture
def started(db: Session, rt: Runtime) -> str:
    standards.import_standard(db, rt)
    _, token = assessments.start(db, rt)
    return token


def test_the_form_is_stratified_and_hides_keys(db: Session, started: str) -> None:
    state = assessments.state(db, assessments.get(db, token=started))
    assert state["total"] == 25 and state["answered"] == 0
    assert len({q["id"].split("-")[0] for q in state["questions"]}) == 10
    text = json.dumps(state)
    assert "rationale" not in text and '"correct"' not in text and '"position"' not in text


def test_answers_are_saved_as_given_and_resume(db: Session, rt: Runtime, started: str) -> None:
    attempt = assessments.get(db, token=started)
    first = assessments._item(assessments.refs(attempt)[0])
    assessments.answer(
        db,
        rt,
        token=started,
        item_id=first.id,
        choice=[first.options[0].id] if first.kind.value != "ordering" else [o.id for o in first.options],
    )
    db.commit()
    resumed = assessments.state(db, assessments.get(db, token=started))
    assert resumed["answered"] == 1 and resumed["questions"][0]["saved_answer"]
    # Changing the answer replaces it: no double counting.
    assessments.answer(
        db,
        rt,
        token=started,
        item_id=first.id,
        choice=[first.options[-1].id] if first.kind.value != "ordering" else [o.id for o in reversed(first.options)],
    )
    db.commit()
    assert db.scalar(select(func.count()).select_from(AttemptResponse)) == 1


def test_bad_answers_are_refused(db: Session, rt: Runtime, started: str) -> None:
    attempt = assessments.get(db, token=started)
    item = assessments._item(assessments.refs(attempt)[0])
    on_form = {r.partition("@")[0] for r in assessments.refs(attempt)}
    off_form = next(i for i in assessments.bank().items if i not in on_form)
    with pytest.raises(ValidationFailed, match="not part of this assessment"):
        assessments.answer(db, rt, token=started, item_id=off_form, choice=["a"])
    with pytest.raises(ValidationFailed, match="does not fit"):
        assessments.answer(db, rt, token=started, item_id=item.id, choice=["z"])
    with pytest.raises(ValidationFailed, match="Confidence"):
        assessments.answer(
            db,
            rt,
            token=started,
            item_id=item.id,
            choice=[item.options[0].id] if item.kind.value != "ordering" else [o.id for o in item.options],
            confidence=0.6,
        )
    with pytest.raises(NotFound):
        assessments.get(db, token=started + "x")
    with pytest.raises(ValidationFailed, match="from 0"):
        assessments.rate_self(db, rt, token=started, ratings={"IG": 5})
    with pytest.raises(ValidationFailed, match="no domain"):
        assessments.rate_self(db, rt, token=started, ratings={"ZZ": 1})


def test_submit_scores_once_and_pins_everything(db: Session, rt: Runtime, started: str) -> None:
    with pytest.raises(ValidationFailed, match="25 left"):
        assessments.submit(db, rt, token=started)
    assessments.rate_self(
        db, rt, token=started, ratings=dict.fromkeys(("IG", "OV", "RD", "DR", "OBS", "HO", "SR", "VD", "IA", "AT"), 3)
    )
    answer_all(db, rt, started, right=False)
    report = assessments.submit(db, rt, token=started, target_role="approver")
    assert (
        report["standard_version"] == "1.1" and len(report["items"]) == 25 and report["scoring_model"] == "2pl-grid-v1"
    )
    # Every domain below the prior mean; how far depends on the drawn items' difficulty.
    assert all(d["ability"] < 0 and d["level_index"] <= 1 for d in report["domains"])
    assert report["calibration"]["self_gap_mean"] >= 2 and report["calibration"]["overconfidence"] == 0.75
    assert report["gaps"] and report["percent_to_target"] < 50
    with pytest.raises(Conflict, match="already submitted"):
        assessments.submit(db, rt, token=started)
    with pytest.raises(Conflict):
        assessments.answer(db, rt, token=started, item_id="IG-P-001", choice=["a"])
    full = assessments.report(db, token=started)
    assert len(full["feedback"]) == 25 and all(o["rationale"] for f in full["feedback"] for o in f["options"])


def test_a_strong_candidate_scores_high(db: Session, rt: Runtime, started: str) -> None:
    answer_all(db, rt, started, right=True)
    report = assessments.submit(db, rt, token=started)
    # Right on everything: every domain above the prior mean (easy items right are weaker evidence).
    assert all(d["ability"] > 0 and d["level_index"] >= 1 for d in report["domains"])
    assert report["percent_to_target"] > 0


def test_expired_attempts_cannot_be_answered(db: Session, rt: Runtime, started: str, clock: FrozenClock) -> None:
    clock.advance(assessments.ATTEMPT_LIFETIME + timedelta(seconds=1))
    with pytest.raises(ValidationFailed, match="expired"):
        assessments.answer(db, rt, token=started, item_id="IG-P-001", choice=["a"])


def test_claiming_an_anonymous_attempt(db: Session, rt: Runtime, started: str, people: object) -> None:
    sam = people.make("Sam")  # type: ignore[attr-defined]
    eve = people.make("Eve")  # type: ignore[attr-defined]
    assessments.claim(db, token=started, user_id=sam.id)
    with pytest.raises(Conflict):
        assessments.claim(db, token=started, user_id=eve.id)


def test_action_plan_rows_follow_the_gaps(db: Session, rt: Runtime, started: str) -> None:
    answer_all(db, rt, started, right=False)
    report = assessments.submit(db, rt, token=started, target_role="reviewer")
    rows = assessments.action_plan_rows(assessments.report(db, token=started))
    assert rows[0][0] == "priority" and len(rows) > 1
    assert rows[1][1] == report["gaps"][0]["title"] and rows[1][5] == report["gaps"][0]["controls"][0]["control"]
