"""Practical task briefs and interview guides as data, validated on load.

A task brief is a realistic scenario with deliverables and a rubric. Every rubric scores the same four
dimensions (artifact quality, reviewable reasoning, approval logic, handoff quality) on a 1–4 ordinal
scale, with level descriptors anchored in the task: reviewers score against what the brief asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from assay.core.errors import ValidationFailed

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
M = TypeVar("M", bound=BaseModel)
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]

#: The four panel dimensions, in the order reviewers score them.
DIMENSIONS: tuple[str, ...] = ("artifact-quality", "reviewable-reasoning", "approval-logic", "handoff-quality")
LEVELS: tuple[int, ...] = (1, 2, 3, 4)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Deliverable(Frozen):
    id: Slug
    title: Text
    description: Text


class Level(Frozen):
    score: Annotated[int, Field(ge=1, le=4)]
    label: Text
    descriptor: Text


class Dimension(Frozen):
    id: Slug
    name: Text
    question: Text
    levels: tuple[Level, ...]

    @model_validator(mode="after")
    def _levels(self) -> Dimension:
        if tuple(level.score for level in self.levels) != LEVELS:
            raise ValueError("a dimension describes levels 1, 2, 3 and 4, in that order")
        return self


class TaskBrief(Frozen):
    id: Slug
    title: Text
    summary: Text
    controls: Annotated[tuple[Text, ...], Field(min_length=1)]
    programmes: Annotated[tuple[Slug, ...], Field(min_length=1)]
    time_allowed_days: Annotated[int, Field(ge=1, le=60)]
    expected_effort_hours: Annotated[int, Field(ge=1, le=40)]
    scenario: Text
    materials: tuple[Text, ...] = ()
    deliverables: Annotated[tuple[Deliverable, ...], Field(min_length=1)]
    constraints: tuple[Text, ...] = ()
    max_attachments: Annotated[int, Field(ge=0, le=20)] = 3
    rubric: tuple[Dimension, ...]

    @model_validator(mode="after")
    def _rubric(self) -> TaskBrief:
        if tuple(d.id for d in self.rubric) != DIMENSIONS:
            raise ValueError(f"the rubric scores exactly these dimensions, in this order: {', '.join(DIMENSIONS)}")
        return self


class GuideQuestion(Frozen):
    prompt: Text
    probes: Annotated[tuple[Text, ...], Field(min_length=1)]


class DomainGuide(Frozen):
    domain: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}$")]
    purpose: Text
    questions: Annotated[tuple[GuideQuestion, ...], Field(min_length=2)]
    strong_signals: Annotated[tuple[Text, ...], Field(min_length=2)]
    red_flags: Annotated[tuple[Text, ...], Field(min_length=2)]
    levels: tuple[Level, ...]

    @model_validator(mode="after")
    def _levels(self) -> DomainGuide:
        if tuple(level.score for level in self.levels) != LEVELS:
            raise ValueError("a domain guide describes scoring levels 1, 2, 3 and 4, in that order")
        return self


class InterviewGuide(Frozen):
    programme: Slug
    minutes: Annotated[int, Field(ge=15, le=240)]
    panel_size: Annotated[int, Field(ge=2, le=5)]
    introduction: Text
    pass_rule: Text
    domains: Annotated[tuple[DomainGuide, ...], Field(min_length=1)]


class AnchorScore(Frozen):
    score: Annotated[int, Field(ge=1, le=4)]
    rationale: Text


class Anchor(Frozen):
    """A calibration anchor: a submission written by the standards team, with consensus scores."""

    id: Slug
    title: Text
    body: Text
    scores: dict[str, AnchorScore]

    @model_validator(mode="after")
    def _all_dimensions(self) -> Anchor:
        if set(self.scores) != set(DIMENSIONS):
            raise ValueError(f"an anchor is scored on exactly these dimensions: {', '.join(DIMENSIONS)}")
        return self


class AnchorFile(Frozen):
    task: Slug
    anchors: tuple[Anchor, ...]


def load_anchors(folder: Path) -> dict[str, tuple[Anchor, ...]]:
    out: dict[str, tuple[Anchor, ...]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _load(AnchorFile, path)
        if data.task != path.stem:
            raise ValidationFailed(f"{path.name} holds anchors for “{data.task}”; name the file after the task.")
        out[data.task] = data.anchors
    return out


def _load(model: type[M], path: Path) -> M:
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        raise ValidationFailed(f"{path.name} is invalid: {exc}") from None


def load_tasks(folder: Path) -> dict[str, TaskBrief]:
    tasks: dict[str, TaskBrief] = {}
    for path in sorted(folder.glob("*.yaml")):
        task = _load(TaskBrief, path)
        if task.id != path.stem:
            raise ValidationFailed(f"{path.name} defines task “{task.id}”; name the file after the task.")
        tasks[task.id] = task
    return tasks


def load_interview_guide(path: Path) -> InterviewGuide:
    return _load(InterviewGuide, path)
