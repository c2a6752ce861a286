"""The passing rules, applied to the evidence a decision record holds. Published in docs/certification.md.

- Exam: the score on scored (operational) items reaches the form's cut. Exam items are scored right
  or wrong: an item earns its point only when the answer is entirely correct.
- Practical task: two blind reviewers score four dimensions 1–4. When they are more than
  ADJUDICATION_GAP apart on any dimension, a third reviewer adjudicates (scoring all four). Per
  dimension the final score is the mean of the two, or, after adjudication, the mean of the
  adjudicator's score and the nearer first score (all three when equally near). The task passes
  when every dimension is at least TASK_FLOOR and the total at least TASK_CUT (of 16).
- Interview: per domain, the panel median. Fail if any domain's median is 1; pass when the median of
  the domain medians is at least 3 and no more than two domains are at 2.
- Programme: every prerequisite current, every required component present and passed.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assay.core.certification.tasks import DIMENSIONS

TASK_FLOOR = 2.0
TASK_CUT = 11.0
ADJUDICATION_GAP = 1  # two reviewers more than this apart on any dimension: a third adjudicates
INTERVIEW_MAX_PARTIAL = 2


@dataclass(frozen=True)
class TaskOutcome:
    scores: Mapping[str, float]  # dimension → final score
    total: float
    passed: bool
    reasons: tuple[str, ...]
    adjudicated: bool = False


Scores = Mapping[str, int]


def disagreements(first: Scores, second: Scores) -> list[str]:
    """The dimensions on which two reviewers are more than ADJUDICATION_GAP apart."""
    return [d for d in DIMENSIONS if abs(first[d] - second[d]) > ADJUDICATION_GAP]


def final_score(a: int, b: int, adjudicator: int | None) -> float:
    """Without adjudication, the mean of the two reviewers. With it, the mean of the adjudicator's
    score and whichever first score is nearer to it (the outlier is set aside); when both are equally
    near, the mean of all three."""
    if adjudicator is None:
        return (a + b) / 2
    da, db = abs(a - adjudicator), abs(b - adjudicator)
    if da == db:
        return (a + b + adjudicator) / 3
    return (adjudicator + (a if da < db else b)) / 2


def task_outcome(first: Scores | None, second: Scores | None, adjudicator: Scores | None = None) -> TaskOutcome | None:
    """The task's result from its two blind reviews and, where they disagree, the adjudication.
    None while it is not complete: a review missing, or an adjudication needed and not yet in."""
    if first is None or second is None:
        return None
    if disagreements(first, second) and adjudicator is None:
        return None
    scores = {
        d: round(final_score(first[d], second[d], adjudicator[d] if adjudicator else None), 2) for d in DIMENSIONS
    }
    total = round(sum(scores.values()), 2)
    reasons = [f"{d} scored {s:g} (below {TASK_FLOOR:g})" for d, s in scores.items() if s < TASK_FLOOR]
    if total < TASK_CUT:
        reasons.append(f"total {total:g} of 16 is below {TASK_CUT:g}")
    return TaskOutcome(scores, total, not reasons, tuple(reasons), adjudicated=adjudicator is not None)


@dataclass(frozen=True)
class InterviewOutcome:
    medians: Mapping[str, float]
    passed: bool
    reasons: tuple[str, ...]


def interview_outcome(scores: Mapping[str, Sequence[int]]) -> InterviewOutcome:
    """`scores`: domain → every panellist's score for it."""
    if not scores or any(not v for v in scores.values()):
        return InterviewOutcome({}, False, ("not every domain has been scored",))
    medians = {d: float(statistics.median(v)) for d, v in scores.items()}
    reasons = [f"{d}: panel median 1" for d, m in medians.items() if m <= 1]
    overall = statistics.median(medians.values())
    if overall < 3:
        reasons.append(f"median of the domain scores is {overall:g}, below 3")
    partial = [d for d, m in medians.items() if 1 < m < 3]
    if len(partial) > INTERVIEW_MAX_PARTIAL:
        reasons.append(f"{len(partial)} domains at 2 ({', '.join(partial)}); at most {INTERVIEW_MAX_PARTIAL} allowed")
    return InterviewOutcome(medians, not reasons, tuple(reasons))


@dataclass(frozen=True)
class Evidence:
    """What a decision record holds about one candidate for one programme."""

    prerequisites_missing: tuple[str, ...] = ()
    exam_required: bool = False
    exam: tuple[float, float] | None = None  # (percent, cut) of the passing or latest released attempt
    tasks_required: tuple[str, ...] = ()
    tasks: Mapping[str, TaskOutcome | None] = field(default_factory=dict)
    interview_required: bool = False
    interview: InterviewOutcome | None = None
    certified_individuals: tuple[int, int] | None = None  # organisations: (have, need)


@dataclass(frozen=True)
class Verdict:
    complete: bool  # every component has a result
    passed: bool
    reasons: tuple[str, ...]  # why not passed, or what is still missing


def evaluate(evidence: Evidence) -> Verdict:
    missing: list[str] = []
    failed: list[str] = []
    if evidence.prerequisites_missing:
        failed.append("prerequisite credentials not current: " + ", ".join(evidence.prerequisites_missing))
    if evidence.exam_required:
        if evidence.exam is None:
            missing.append("no released exam result")
        elif evidence.exam[0] < evidence.exam[1]:
            failed.append(f"exam {evidence.exam[0]:g}% is below the cut of {evidence.exam[1]:g}%")
    for task in evidence.tasks_required:
        outcome = evidence.tasks.get(task)
        if outcome is None:
            missing.append(f"task {task} has no review result")
        elif not outcome.passed:
            failed.append(f"task {task}: " + "; ".join(outcome.reasons))
    if evidence.interview_required:
        if evidence.interview is None:
            missing.append("no interview outcome")
        elif not evidence.interview.passed:
            failed.append("interview: " + "; ".join(evidence.interview.reasons))
    if evidence.certified_individuals is not None:
        have, need = evidence.certified_individuals
        if have < need:
            failed.append(f"{have} certified individuals; the programme needs {need}")
    complete = not missing
    return Verdict(complete, complete and not failed, tuple(failed + missing))
