"""Item analysis from real attempts, pilot items promoted on the evidence, and a modified-Angoff
study adopted as a form's cut; on both databases."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.certification import stats as core_stats
from assay.core.errors import Conflict, PermissionDenied, ValidationFailed
from assay.core.roles import Role
from assay.db.models import AuditEntry, ExamFormRecord, ExamResponse, User
from assay.services import accounts, angoff, exams, item_analysis, roles
from assay.services.runtime import Runtime
from tests.certifying import PASSWORD, answer_exam, make_cast, principal


@pytest.fixture
def cast(db: Session, rt: Runtime) -> dict[str, User]:
    people = make_cast(db, rt)
    for name in ("rhea", "omar"):
        people[name] = accounts.sign_up(
            db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD
        )
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
    return people


def sit_many(db: Session, rt: Runtime, n: int, form: ExamFormRecord) -> None:
    """n candidates on one form, from weak to strong; pilot items right for the stronger half."""
    for k in range(n):
        user = accounts.sign_up(db, rt, email=f"c{k}@example.org", display_name=f"Candidate {k}", password=PASSWORD)
        attempt = exams.start(
            db, rt, user=user, programme_id="foundation", identity_name=user.display_name, honour_accepted=True
        )
        attempt.form_id = form.id  # every candidate on the same form, as a sitting would be
        db.flush()
        answer_exam(db, rt, user, attempt, right_share=0.3 + 0.6 * k / max(1, n - 1), pilots_right=k >= n // 2)
        exams.submit(db, rt, user_id=user.id, attempt_id=attempt.id)


@pytest.fixture
def form(db: Session, rt: Runtime, cast: dict[str, User]) -> ExamFormRecord:
    [first, *_] = sorted(exams.assemble(db, rt, programme_id="foundation", seed="analysis"), key=lambda f: f.id)
    for other in _:
        other.state = "retired"
    db.flush()
    return first


def test_item_analysis_from_the_attempts_on_a_form(db: Session, rt: Runtime, form: ExamFormRecord) -> None:
    sit_many(db, rt, 12, form)
    report = item_analysis.analyse_form(db, form.id)
    assert report["candidates"] == 12 and report["scored_items"] == 40 and len(report["items"]) == 45
    # Recompute one item's facility and the form's alpha straight from the stored responses.
    order = json.loads(form.order_refs)
    rows = db.scalars(select(ExamResponse)).all()
    by_attempt: dict[str, dict[str, float]] = {}
    for r in rows:
        by_attempt.setdefault(r.attempt_id, {})[r.item_ref] = r.points or 0.0
    matrix = np.array([[a.get(ref, 0.0) for ref in order] for a in by_attempt.values()])
    scored = set(json.loads(form.scored_refs))
    mask = np.array([ref in scored for ref in order])
    assert report["alpha"] == pytest.approx(core_stats.cronbach_alpha(matrix[:, mask]), abs=1e-6)
    first = report["items"][0]
    assert first["facility"] == pytest.approx(matrix[:, 0].mean(), abs=1e-6)
    assert {row["scored"] for row in report["items"]} == {True, False}
    csv_text = item_analysis.as_csv(report)
    assert csv_text.splitlines()[0].startswith("item,title,domain,kind,status,scored,responses,facility,item_rest")
    assert len(csv_text.splitlines()) == 46


def test_a_pilot_item_becomes_operational_only_past_the_thresholds(
    db: Session, rt: Runtime, cast: dict[str, User], form: ExamFormRecord, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    editor = principal(db, cast["eve"])
    pilot = json.loads(form.pilot_refs)[0]
    sit_many(db, rt, 24, form)
    with pytest.raises(PermissionDenied):
        item_analysis.promote(db, rt, editor=principal(db, cast["jonas"]), item_ref=pilot, note="Looks fine to me.")
    with pytest.raises(ValidationFailed, match="24 responses; at least 100 needed"):
        item_analysis.promote(db, rt, editor=editor, item_ref=pilot, note="Statistics and content checked.")
    monkeypatch.setattr(core_stats, "PROMOTION_MIN_RESPONSES", 20)
    row = item_analysis.promote(db, rt, editor=editor, item_ref=pilot, note="Statistics and content checked.")
    recorded = json.loads(row.stats)
    assert recorded["responses"] == 24 and 0.2 <= recorded["facility"] <= 0.9 and recorded["item_rest"] >= 0.2
    assert any(e.action == "item.promoted" for e in db.scalars(select(AuditEntry)))
    with pytest.raises(ValidationFailed, match="already operational"):
        item_analysis.promote(db, rt, editor=editor, item_ref=pilot, note="Statistics and content checked.")
    new_forms = exams.assemble(db, rt, programme_id="foundation", seed="after-promotion")
    assert all(pilot not in json.loads(f.pilot_refs) for f in new_forms)  # it is drawn as a scored item now, if at all
    listing = {p["item"]: p for p in item_analysis.pilots(db)}
    assert listing[pilot]["promoted"] is True


def test_a_modified_angoff_study_sets_the_forms_cut(
    db: Session, rt: Runtime, cast: dict[str, User], form: ExamFormRecord
) -> None:
    editor = principal(db, cast["eve"])
    judges = {name: principal(db, cast[name]) for name in ("jonas", "rhea", "omar")}
    with pytest.raises(ValidationFailed, match="at least 3 judges"):
        angoff.open_study(
            db, rt, editor=editor, form_id=form.id, judge_emails=["jonas@example.org", "rhea@example.org"]
        )
    study = angoff.open_study(
        db,
        rt,
        editor=editor,
        form_id=form.id,
        judge_emails=["jonas@example.org", "rhea@example.org", "omar@example.org"],
    )
    items = json.loads(form.scored_refs)
    with pytest.raises(ValidationFailed, match="from 0 to 1"):
        angoff.rate(db, rt, judge=judges["jonas"], study_id=study.id, ratings={items[0]: 1.2})
    with pytest.raises(PermissionDenied):
        angoff.rate(db, rt, judge=principal(db, cast["kim"]), study_id=study.id, ratings={items[0]: 0.5})
    base = {"jonas": 0.6, "rhea": 0.7, "omar": 0.65}
    angoff.rate(db, rt, judge=judges["jonas"], study_id=study.id, ratings=dict.fromkeys(items, base["jonas"]))
    with pytest.raises(ValidationFailed, match="still to rate"):
        angoff.close_round(db, rt, editor=editor, study_id=study.id)
    for name in ("rhea", "omar"):
        angoff.rate(db, rt, judge=judges[name], study_id=study.id, ratings=dict.fromkeys(items, base[name]))
    first = angoff.close_round(db, rt, editor=editor, study_id=study.id)
    assert first["cut"] == pytest.approx(40 * 0.65) and first["se"] == pytest.approx(
        np.std([24, 28, 26], ddof=1) / np.sqrt(3)
    )
    view = angoff.judge_view(db, rt, judge=judges["rhea"], study_id=study.id)
    assert view["round"] == 2 and view["items"][0]["previous_mean"] == pytest.approx(0.65)
    assert view["items"][0]["mine"] is None and any(
        o["keyed"] for o in view["items"][0]["options"] if o["keyed"] is not None
    )
    for name, value in (("jonas", 0.62), ("rhea", 0.66), ("omar", 0.64)):
        angoff.rate(db, rt, judge=judges[name], study_id=study.id, ratings=dict.fromkeys(items, value))
    second = angoff.close_round(db, rt, editor=editor, study_id=study.id, another=False)
    assert second["cut_percent"] == pytest.approx(64.0)
    adopted = angoff.adopt(db, rt, editor=editor, study_id=study.id)
    assert adopted.cut_percent == 64.0 and "Modified Angoff" in adopted.cut_source and "round 2" in adopted.cut_source
    with pytest.raises(Conflict):
        angoff.adopt(db, rt, editor=editor, study_id=study.id)
    assert any(e.action == "angoff.cut_adopted" for e in db.scalars(select(AuditEntry)))
