"""Credential programmes as data: the ladder of credentials Assay issues, validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from assay.core.errors import ValidationFailed

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ResultDescriptionDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    name: Text
    result_type: Text
    value_min: str | None = None
    value_max: str | None = None


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Percent = Annotated[float, Field(ge=0, le=100)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExamSpec(Frozen):
    """A timed exam on the secure pool: its blueprint (domain weights), length, time and retake policy."""

    items: Annotated[int, Field(ge=5, le=200)]  # scored (operational) items per form
    pilot_items: Annotated[int, Field(ge=0, le=20)] = 0  # unscored pilot items mixed in
    minutes: Annotated[int, Field(ge=5, le=300)]
    blueprint: dict[str, Annotated[float, Field(gt=0)]]  # domain id → weight; weights are normalised
    forms: Annotated[int, Field(ge=1, le=10)] = 1  # parallel forms assembled and rotated
    max_overlap: Annotated[int, Field(ge=0)] = 0  # items any two of this exam's forms may share
    cut_percent: Percent  # the cut on operational items until a modified-Angoff cut is adopted
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3  # within attempt_window_days
    attempt_window_days: Annotated[int, Field(ge=30, le=730)] = 365
    retake_wait_days: Annotated[int, Field(ge=0, le=365)] = 14
    results_hold_hours: Annotated[int, Field(ge=0, le=720)] = 0  # flags are reviewed before results go out
    exposure_cap: Annotated[int, Field(ge=10)] = 2000  # deliveries of one item before it rests


class InterviewSpec(Frozen):
    guide: Slug  # content/interviews/<guide>.yaml
    minutes: Annotated[int, Field(ge=15, le=240)]
    panel_size: Annotated[int, Field(ge=2, le=5)]


class RenewalRule(Frozen):
    window_days: Annotated[int, Field(ge=7, le=365)]  # renewal opens this long before expiry
    requires: Text  # what a holder shows to renew, in words
    reassessment: Literal["none", "exam", "tasks", "evidence"]


class ProgrammeDef(Frozen):
    id: Slug
    name: Text
    achievement_type: Text
    version: Text
    validity_months: Annotated[int, Field(ge=1, le=120)]
    description: Text
    criteria: Text
    result_descriptions: tuple[ResultDescriptionDef, ...] = ()
    # Certification: how the credential is earned. A programme without these is issued by decision only.
    holder: Literal["person", "organisation"] = "person"
    level: Annotated[int, Field(ge=1, le=9)] = 1  # place on the ladder, for ordering
    prerequisites: tuple[Slug, ...] = ()  # programmes whose current credential a candidate must hold
    standard_versions: tuple[Text, ...] = ()  # versions of the standard the programme assesses
    exam: ExamSpec | None = None
    tasks: tuple[Slug, ...] = ()  # practical task briefs (content/tasks), every one to be passed
    interview: InterviewSpec | None = None
    min_certified_individuals: Annotated[int, Field(ge=0)] = 0  # organisations: certified people needed
    passing_rule: Text = ""  # the rule in words, as published; rules.evaluate applies it
    renewal: RenewalRule | None = None


class ProgrammeCatalogue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    programmes: tuple[ProgrammeDef, ...]

    def get(self, programme_id: str) -> ProgrammeDef:
        for p in self.programmes:
            if p.id == programme_id:
                return p
        known = ", ".join(p.id for p in self.programmes)
        raise ValidationFailed(
            f"Unknown programme “{programme_id}”. Programmes: {known}.", {"programme": "Unknown programme."}
        )


def load_programmes(path: Path) -> ProgrammeCatalogue:
    try:
        catalogue = ProgrammeCatalogue.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValidationFailed(f"The programme catalogue {path} is invalid: {exc}") from None
    ids = [p.id for p in catalogue.programmes]
    if len(ids) != len(set(ids)):
        raise ValidationFailed(f"The programme catalogue {path} repeats a programme id.")
    for p in catalogue.programmes:
        unknown = [q for q in p.prerequisites if q not in ids or q == p.id]
        if unknown:
            raise ValidationFailed(f"Programme {p.id} names unknown prerequisites: {', '.join(unknown)}.")
        if (p.exam or p.tasks or p.interview) and not p.passing_rule:
            raise ValidationFailed(f"Programme {p.id} is assessed but publishes no passing rule.")
    return catalogue
