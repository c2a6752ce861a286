"""Credential programmes as data: the ladder of credentials Assay issues, validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


class ProgrammeDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    name: Text
    achievement_type: Text
    version: Text
    validity_months: Annotated[int, Field(ge=1, le=120)]
    description: Text
    criteria: Text
    result_descriptions: tuple[ResultDescriptionDef, ...] = ()


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
    return catalogue
