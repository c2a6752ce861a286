"""Item analysis from real response data, and pilot items promoted to operational by an editor.

Per form: the candidates are the attempts on it that were scored (submitted or timed out); each
item's score is the stored point (right or wrong), an unanswered item 0. Pilot items on the form are
analysed against the total over its scored items. Choices feed the distractor analysis for
single-answer, multiple-response and find-the-defects items (ordering items have no distractors).
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from assay.core.certification import stats
from assay.core.errors import NotFound, ValidationFailed
from assay.core.items.model import ItemKind, ItemStatus
from assay.core.roles import Permission, Principal, require
from assay.db.models import ExamFormRecord, ItemPromotion
from assay.db.repositories import certification as repo
from assay.db.repositories import panel as panel_repo
from assay.services import audit
from assay.services import programmes as content
from assay.services.runtime import Runtime

ANALYSED_STATES = ("scored", "released")


def _matrix(
    db: Session, form: ExamFormRecord
) -> tuple[np.ndarray[Any, Any], list[str], list[bool], dict[str, list[list[str]]]]:
    content.load_pool_extras(db)
    order: list[str] = json.loads(form.order_refs)
    scored_refs = set(json.loads(form.scored_refs))
    attempts = repo.attempts_on_form(db, form.id, ANALYSED_STATES)
    matrix = np.zeros((len(attempts), len(order)))
    choices: dict[str, list[list[str]]] = {ref: [] for ref in order}
    column = {ref: j for j, ref in enumerate(order)}
    responses = repo.responses_on_form(db, form.id, ANALYSED_STATES)
    for i, attempt in enumerate(attempts):
        saved = responses.get(attempt.id, {})
        for ref in order:
            row = saved.get(ref)
            matrix[i, column[ref]] = (row.points or 0.0) if row else 0.0
            choices[ref].append(json.loads(row.answer) if row else [])
    return matrix, order, [ref in scored_refs for ref in order], choices


def analyse_form(db: Session, form_id: str) -> dict[str, Any]:
    form = db.get(ExamFormRecord, form_id)
    if form is None:
        raise NotFound(f"No exam form {form_id}.")
    matrix, order, scored, choices = _matrix(db, form)
    base = {
        "form": form.id,
        "programme": form.programme_id,
        "cut_percent": form.cut_percent,
        "cut_source": form.cut_source,
    }
    if matrix.shape[0] < 2:
        return {**base, "candidates": int(matrix.shape[0]), "enough": False, "items": []}
    items = {ref: content.secure_item(ref) for ref in order}
    keyed = {ref: frozenset(i.key) for ref, i in items.items() if i.kind is not ItemKind.ORDERING}
    result = stats.analyse(matrix, order, scored, choices={r: c for r, c in choices.items() if r in keyed}, keys=keyed)
    rows = []
    for s in result.item_stats:
        item = items[s.item]
        rows.append(
            {
                **_clean(asdict(s)),
                "title": item.title,
                "kind": item.kind.value,
                "status": item.status.value,
                "domain": item.domain,
            }
        )
    return {
        **base,
        "candidates": result.candidates,
        "enough": True,
        "scored_items": result.items,
        "mean": _num(result.mean),
        "sd": _num(result.sd),
        "alpha": _num(result.alpha),
        "sem": _num(result.sem),
        "items": rows,
    }


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float):
            out[k] = _num(v)
        elif isinstance(v, dict):
            out[k] = {o: [round(x, 6) for x in t] for o, t in v.items()}
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


CSV_COLUMNS = (
    "item",
    "title",
    "domain",
    "kind",
    "status",
    "scored",
    "responses",
    "facility",
    "item_rest",
    "discrimination_index",
    "discriminative_efficiency",
    "upper_lower_d",
    "point_biserial",
    "distractors",
    "flags",
)


def as_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["items"]:
        distractors = "; ".join(
            f"{o}: {a:.1%} (upper {u:.1%}, lower {lo:.1%})" for o, (a, u, lo) in row["distractors"].items()
        )
        cells = [row[c] for c in CSV_COLUMNS[:-2]] + [distractors, " | ".join(row["flags"])]
        writer.writerow(["" if v is None else (f"{v:.4f}" if isinstance(v, float) else v) for v in cells])
    return out.getvalue()


def pilot_stats(db: Session, item_ref: str) -> stats.ItemStats:
    """A pilot item's statistics pooled over every form that carried it: each candidate's item score
    paired with their total on the scored items of their own form."""
    xs: list[float] = []
    totals: list[float] = []
    for form in repo.forms_of(db):
        order = json.loads(form.order_refs)
        if item_ref not in order:
            continue
        matrix, refs, scored, _ = _matrix(db, form)
        if matrix.shape[0] == 0:
            continue
        j = refs.index(item_ref)
        xs.extend(matrix[:, j].tolist())
        totals.extend(matrix[:, np.asarray(scored)].sum(axis=1).tolist())
    if len(xs) < 2:
        return stats.ItemStats(item_ref, False, len(xs), math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    x, total = np.asarray(xs), np.asarray(totals)
    item_rest = stats.pearson(x, total)
    upper, lower = stats.upper_lower_groups(total)
    return stats.ItemStats(
        item=item_ref,
        scored=False,
        responses=len(x),
        facility=float(x.mean()),
        item_rest=item_rest,
        discrimination_index=item_rest * 100,
        discriminative_efficiency=stats.discriminative_efficiency(x, total),
        upper_lower_d=float(x[upper].mean() - x[lower].mean()),
        point_biserial=stats.pearson(x, total + x),
    )


def pilots(db: Session) -> list[dict[str, Any]]:
    promoted = panel_repo.promotions(db)
    out = []
    for item in content.secure_items(db):
        if item.status is not ItemStatus.PILOT:
            continue
        s = pilot_stats(db, item.ref)
        out.append(
            {
                "item": item.ref,
                "title": item.title,
                "stats": _clean(asdict(s)),
                "problems": stats.promotion_problems(s),
                "promoted": item.ref in promoted,
            }
        )
    return out


def promote(db: Session, rt: Runtime, *, editor: Principal, item_ref: str, note: str) -> ItemPromotion:
    """A standards editor makes a pilot item operational, only past the documented thresholds."""
    require(editor, Permission.STANDARD_EDIT)
    content.load_pool_extras(db)
    item = content.secure_item(item_ref) if "@" in item_ref else None
    if item is None or item.status is not ItemStatus.PILOT:
        raise NotFound(f"{item_ref} is not a pilot item of the secure pool.")
    if item_ref in panel_repo.promotions(db):
        raise ValidationFailed(f"{item_ref} is already operational.")
    s = pilot_stats(db, item_ref)
    problems = stats.promotion_problems(s)
    if problems:
        raise audit.refuse(
            ValidationFailed(f"{item_ref} cannot become operational yet: " + "; ".join(problems) + "."),
            clock=rt.clock,
            actor_id=editor.user_id,
            action="item.promotion_refused",
            subject_type="item",
            subject_id=item_ref,
        )
    if len(note.strip()) < 10:
        raise ValidationFailed("Record why, in a sentence: what you checked beyond the statistics.")
    now = rt.clock.now()
    snapshot = {**_clean(asdict(s)), "note": note.strip()}
    row = ItemPromotion(
        item_ref=item_ref, decided_by=editor.user_id, decided_at=now, stats=json.dumps(snapshot, sort_keys=True)
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="item.promoted",
        subject_type="item",
        subject_id=item_ref,
        details={
            "responses": s.responses,
            "facility": f"{s.facility:.3f}",
            "item_rest": f"{s.item_rest:.3f}",
            "note": note.strip(),
        },
    )
    return row
