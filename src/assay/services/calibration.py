"""How well the panel measures: agreement between reviewers over the panel's history, and
calibration rounds on anchor submissions with known scores, with each reviewer's drift from them.

Agreement: Krippendorff's alpha with the ordinal metric per dimension (every review of a submission
is a coder), and quadratic-weighted Cohen's kappa for each pair of reviewers with at least
MIN_SHARED_FOR_KAPPA submissions in common. Calibration anchors are content (content/anchors) turned
into submissions that never count towards any candidate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.certification.stats import cohen_kappa_quadratic, krippendorff_alpha_ordinal
from assay.core.certification.tasks import DIMENSIONS
from assay.core.errors import ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, require
from assay.db.models import ReviewAssignment, TaskSubmission
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import certification as repo
from assay.db.repositories import panel as panel_repo
from assay.services import audit
from assay.services import programmes as content
from assay.services.panel import REVIEW_DAYS, eligible
from assay.services.runtime import Runtime

MIN_SHARED_FOR_KAPPA = 3


def agreement(db: Session, *, programme_id: str | None = None) -> dict[str, Any]:
    """Over the panel's history (candidates' work, not anchors): Krippendorff's alpha (ordinal) per
    dimension, with every review of a submission as a coder; and for each pair of reviewers who
    scored at least MIN_SHARED_FOR_KAPPA submissions in common, quadratic-weighted kappa per dimension."""
    per_unit: dict[str, dict[str, dict[str, int]]] = {}
    for s in repo.submitted(db):
        if s.anchor_scores is not None or (programme_id and s.programme_id != programme_id):
            continue
        for r in repo.reviews(db, s.id):
            per_unit.setdefault(s.id, {})[r.reviewer_id] = {d: int(v["score"]) for d, v in json.loads(r.scores).items()}
    alpha = {
        d: krippendorff_alpha_ordinal([[v[d] for v in coders.values()] for coders in per_unit.values()])
        for d in DIMENSIONS
    }
    pairs: dict[tuple[str, str], list[str]] = {}
    for unit, coders in per_unit.items():
        ids = sorted(coders)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.setdefault((a, b), []).append(unit)
    kappas = []
    for (a, b), units in sorted(pairs.items()):
        if len(units) < MIN_SHARED_FOR_KAPPA:
            continue
        kappas.append(
            {
                "a": a,
                "b": b,
                "shared": len(units),
                "kappa": {
                    d: cohen_kappa_quadratic([per_unit[u][a][d] for u in units], [per_unit[u][b][d] for u in units])
                    for d in DIMENSIONS
                },
            }
        )
    return {"units": len(per_unit), "reviews": sum(len(c) for c in per_unit.values()), "alpha": alpha, "pairs": kappas}


def drift(db: Session, reviewer_id: str) -> dict[str, Any]:
    """A reviewer's calibration: on anchors with known scores, their mean signed difference per
    dimension (positive: more lenient than the consensus) and mean absolute difference."""
    diffs: dict[str, list[int]] = {d: [] for d in DIMENSIONS}
    anchors = 0
    for r in panel_repo.reviews_by(db, reviewer_id):
        s = db.get_one(TaskSubmission, r.submission_id)
        if s.anchor_scores is None:
            continue
        anchors += 1
        known = json.loads(s.anchor_scores)
        for d, v in json.loads(r.scores).items():
            diffs[d].append(int(v["score"]) - int(known[d]))
    return {
        "anchors": anchors,
        "signed": {d: (sum(v) / len(v) if v else None) for d, v in diffs.items()},
        "absolute": {d: (sum(abs(x) for x in v) / len(v) if v else None) for d, v in diffs.items()},
    }


def open_calibration(db: Session, rt: Runtime, *, principal: Principal, task_id: str) -> int:
    """A calibration round: every eligible reviewer for the task's programmes scores its anchors, blind."""
    require(principal, Permission.CREDENTIAL_APPROVE)
    brief = content.task(task_id)
    anchors = content.anchors(task_id)
    if not anchors:
        raise ValidationFailed(f"The task {task_id} has no calibration anchors.")
    now = rt.clock.now()
    round_id = panel_repo.new_calibration_round(
        db, task_id=task_id, opened_by=principal.user_id, now=now, due_at=now + timedelta(days=REVIEW_DAYS)
    )
    rows = [_anchor_submission(db, rt, task_id, a, author=principal.user_id, n=n) for n, a in enumerate(anchors)]
    assigned = 0
    for user in account_repo.users_with_role(db, "reviewer"):
        if not any(eligible(db, rt, user, p) for p in brief.programmes):
            continue
        for s in rows:
            if any(a.reviewer_id == user.id for a in panel_repo.assignments_of(db, s.id)) or any(
                r.reviewer_id == user.id for r in repo.reviews(db, s.id)
            ):
                continue
            a = ReviewAssignment(
                id=new_id(now),
                submission_id=s.id,
                reviewer_id=user.id,
                role="calibration",
                assigned_at=now,
                due_at=now + timedelta(days=REVIEW_DAYS),
                state="assigned",
                calibration_round_id=round_id,
            )
            db.add(a)
            assigned += 1
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="panel.calibration_opened",
        subject_type="calibration_round",
        subject_id=round_id,
        details={"task": task_id, "anchors": len(rows), "assignments": assigned},
    )
    return assigned


def _anchor_submission(
    db: Session, rt: Runtime, task_id: str, anchor: Mapping[str, Any], *, author: str, n: int
) -> TaskSubmission:
    existing = repo.submission_by_ref(db, "S-" + panel_repo.anchor_ref(anchor["id"]))
    if existing is not None:
        return existing
    now = rt.clock.now()
    row = TaskSubmission(
        id=new_id(now),
        blind_ref="S-" + panel_repo.anchor_ref(anchor["id"]),
        user_id=author,
        programme_id=content.task(task_id).programmes[0],
        task_id=task_id,
        standard_version=content.secure_bank().standard_version,
        opened_at=now + timedelta(microseconds=n),  # one author's anchors, told apart
        due_at=now,
        body=anchor["body"],
        state="submitted",
        submitted_at=now,
        confirmed_mentions="[]",
        anchor_scores=json.dumps({d: v["score"] for d, v in anchor["scores"].items()}, sort_keys=True),
    )
    db.add(row)
    db.flush()
    return row
