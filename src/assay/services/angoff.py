"""Modified-Angoff standard setting for an exam form.

A standards editor opens a study on a form with a panel of judges (reviewers). In each round every
judge rates every scored item: the probability, 0 to 1, that a minimally competent candidate answers
it correctly. When the editor closes a round, each judge's cut is the sum of their ratings, the
panel's cut is the mean of the judges' cuts, with standard error SD(judges' cuts)/√J; the next round
opens and shows the judges the items' statistics (facility, item–rest correlation) and the panel's
spread from the round before. Adopting a closed round's cut sets the form's cut, recorded.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from assay.core.certification.stats import angoff_cut
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, decide, require
from assay.db.models import AngoffRating, AngoffRound, AngoffStudy, ExamFormRecord
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import panel as repo
from assay.services import audit, item_analysis, panel
from assay.services import programmes as content
from assay.services.runtime import Runtime

MIN_JUDGES = 3


def open_study(
    db: Session, rt: Runtime, *, editor: Principal, form_id: str, judge_emails: Sequence[str]
) -> AngoffStudy:
    require(editor, Permission.STANDARD_EDIT)
    form = db.get(ExamFormRecord, form_id)
    if form is None:
        raise NotFound(f"No exam form {form_id}.")
    judges = [u.id for u in panel.reviewers_by_email(db, dict.fromkeys(judge_emails), what="judges")]
    if len(judges) < MIN_JUDGES:
        raise ValidationFailed(f"A standard-setting panel needs at least {MIN_JUDGES} judges; {len(judges)} named.")
    now = rt.clock.now()
    study = AngoffStudy(
        id=new_id(now),
        form_id=form.id,
        state="open",
        opened_by=editor.user_id,
        opened_at=now,
        judges=json.dumps(judges),
    )
    db.add(study)
    db.flush()
    db.add(AngoffRound(id=new_id(now), study_id=study.id, number=1, opened_at=now))
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="angoff.opened",
        subject_type="angoff_study",
        subject_id=study.id,
        details={"form": form.id, "judges": judges},
    )
    return study


def _study(db: Session, study_id: str, *, lock: bool = False) -> AngoffStudy:
    study = repo.study(db, study_id, lock=lock)
    if study is None:
        raise NotFound(f"No standard-setting study {study_id}.")
    return study


def current_round(db: Session, study: AngoffStudy) -> AngoffRound:
    return repo.rounds(db, study.id)[-1]


def _scored(db: Session, study: AngoffStudy) -> list[str]:
    out: list[str] = json.loads(db.get_one(ExamFormRecord, study.form_id).scored_refs)
    return out


def rate(db: Session, rt: Runtime, *, judge: Principal, study_id: str, ratings: Mapping[str, float]) -> int:
    """Save a judge's ratings for the open round (any subset; again to change them)."""
    study = _study(db, study_id)
    if judge.user_id not in json.loads(study.judges):
        raise PermissionDenied("You are not a judge on this standard-setting panel.")
    if study.state != "open":
        raise Conflict(f"This study is {study.state}; ratings are closed.")
    rnd = current_round(db, study)
    items = set(_scored(db, study))
    for ref, value in ratings.items():
        if ref not in items:
            raise ValidationFailed(f"{ref} is not a scored item of this form.")
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise audit.refuse(
                ValidationFailed(
                    f"Rate {ref} as a probability from 0 to 1 (for example 0.65), not {value}.", {ref: "0 to 1."}
                ),
                clock=rt.clock,
                actor_id=judge.user_id,
                action="angoff.rating_refused",
                subject_type="angoff_study",
                subject_id=study.id,
            )
    existing = {(r.item_ref): r for r in repo.ratings(db, rnd.id) if r.judge_id == judge.user_id}
    now = rt.clock.now()
    for ref, value in ratings.items():
        row = existing.get(ref)
        if row is None:
            db.add(
                AngoffRating(
                    id=new_id(now),
                    round_id=rnd.id,
                    judge_id=judge.user_id,
                    item_ref=ref,
                    rating=float(value),
                    rated_at=now,
                )
            )
        else:
            row.rating, row.rated_at = float(value), now
    db.flush()
    return sum(1 for r in repo.ratings(db, rnd.id) if r.judge_id == judge.user_id)


def _ratings_by_judge(db: Session, rnd: AngoffRound) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in repo.ratings(db, rnd.id):
        out.setdefault(r.judge_id, {})[r.item_ref] = r.rating
    return out


def close_round(db: Session, rt: Runtime, *, editor: Principal, study_id: str, another: bool = True) -> dict[str, Any]:
    """Close the open round when every judge has rated every item; open the next unless `another` is False."""
    require(editor, Permission.STANDARD_EDIT)
    study = _study(db, study_id, lock=True)
    if study.state != "open":
        raise Conflict(f"This study is {study.state}.")
    rnd = current_round(db, study)
    items = _scored(db, study)
    by_judge = _ratings_by_judge(db, rnd)
    judges = json.loads(study.judges)
    missing = {j: len([i for i in items if i not in by_judge.get(j, {})]) for j in judges}
    if any(missing.values()):
        names = account_repo.users_by_ids(db, list(missing))
        waiting = ", ".join(f"{names[j].display_name} ({n} items)" for j, n in missing.items() if n and j in names)
        raise ValidationFailed(f"Every judge must rate every item before the round closes; still to rate: {waiting}.")
    cut = angoff_cut({j: by_judge[j] for j in judges}, items)
    now = rt.clock.now()
    rnd.closed_at = now
    rnd.result = json.dumps({**asdict(cut), "judge_cuts": dict(cut.judge_cuts)}, sort_keys=True)
    if another:
        db.add(AngoffRound(id=new_id(now), study_id=study.id, number=rnd.number + 1, opened_at=now))
    else:
        study.state = "closed"
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="angoff.round_closed",
        subject_type="angoff_study",
        subject_id=study.id,
        details={"round": rnd.number, "cut": f"{cut.cut:.3f}", "se": f"{cut.se:.3f}", "judges": cut.judges},
    )
    result: dict[str, Any] = json.loads(rnd.result)
    return result


def adopt(db: Session, rt: Runtime, *, editor: Principal, study_id: str) -> ExamFormRecord:
    """Set the form's cut from the study's last closed round, recorded."""
    require(editor, Permission.STANDARD_EDIT)
    study = _study(db, study_id, lock=True)
    if study.state == "adopted":
        raise Conflict("This study's cut was already adopted.")
    closed = [r for r in repo.rounds(db, study.id) if r.closed_at is not None and r.result]
    if not closed:
        raise ValidationFailed("Close at least one round before adopting a cut.")
    last = closed[-1]
    result = json.loads(last.result or "{}")
    form = db.get_one(ExamFormRecord, study.form_id)
    previous = form.cut_percent
    form.cut_percent = round(result["cut_percent"], 2)
    form.cut_source = (
        f"Modified Angoff, study {study.id}, round {last.number}: {result['cut']:.2f} of {result['items']} items "
        f"(SE {result['se']:.2f}), {result['judges']} judges"
    )
    now = rt.clock.now()
    study.state, study.adopted_by, study.adopted_at, study.cut_percent = (
        "adopted",
        editor.user_id,
        now,
        form.cut_percent,
    )
    for rnd in repo.rounds(db, study.id):
        if rnd.closed_at is None:
            rnd.closed_at = now
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="angoff.cut_adopted",
        subject_type="exam_form",
        subject_id=form.id,
        details={
            "study": study.id,
            "round": last.number,
            "cut_percent": f"{form.cut_percent:g}",
            "previous": f"{previous:g}",
        },
    )
    return form


def judge_view(db: Session, rt: Runtime, *, judge: Principal, study_id: str) -> dict[str, Any]:
    """What a judge sees: each scored item with its key (judges are subject experts), their own
    ratings; from round 2 on, the item's statistics and the panel's ratings from the round before."""
    study = _study(db, study_id)
    content.load_pool_extras(db)
    if judge.user_id not in json.loads(study.judges) and not decide(judge, Permission.STANDARD_EDIT).allowed:
        raise PermissionDenied("You are not on this standard-setting panel.")
    rounds = repo.rounds(db, study.id)
    rnd = rounds[-1]
    mine = {r.item_ref: r.rating for r in repo.ratings(db, rnd.id) if r.judge_id == judge.user_id}
    previous = rounds[-2] if len(rounds) > 1 else None
    earlier = _ratings_by_judge(db, previous) if previous else {}
    item_stats = {}
    if previous is not None:
        report = item_analysis.analyse_form(db, study.form_id)
        item_stats = {row["item"]: row for row in report["items"]}
    items = []
    for ref in _scored(db, study):
        item = content.secure_item(ref)
        panel_before = [r[ref] for r in earlier.values() if ref in r]
        stats = item_stats.get(ref)
        items.append(
            {
                "ref": ref,
                "title": item.title,
                "stem": item.stem,
                "options": [
                    {"id": o.id, "text": o.text, "keyed": bool(o.correct) if o.correct is not None else None}
                    for o in item.options
                ],
                "kind": item.kind.value,
                "mine": mine.get(ref),
                "previous_mean": round(statistics.fmean(panel_before), 3) if panel_before else None,
                "previous_range": [min(panel_before), max(panel_before)] if panel_before else None,
                "facility": stats["facility"] if stats else None,
                "item_rest": stats["item_rest"] if stats else None,
            }
        )
    return {
        "study": study.id,
        "form": study.form_id,
        "state": study.state,
        "round": rnd.number,
        "closed": rnd.closed_at is not None,
        "items": items,
        "results": [json.loads(r.result) for r in rounds if r.result],
    }
