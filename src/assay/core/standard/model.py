"""Standard → Version → Domain → Control, as frozen, validated models.

Field order here is the order of the single-document export; stored formats only gain fields at the end.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ControlId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,7}-[0-9]{2,3}$")]
DomainId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,7}$")]
VersionNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+(\.[0-9]+)?$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ChangeKind(StrEnum):
    ADDED = "added"
    REWORDED = "reworded"
    SPLIT = "split"
    MERGED = "merged"
    RENAMED = "renamed"
    RETIRED = "retired"


class MaturityLevel(Frozen):
    level: Annotated[int, Field(ge=0, le=3)]
    label: Text
    criteria: Annotated[tuple[Text, ...], Field(min_length=1)]


class CrosswalkRef(Frozen):
    framework: Slug
    edition: Text
    ref: Text
    coverage: Literal["full", "partial"] = "partial"


class Lineage(Frozen):
    derived_from: tuple[ControlId, ...] = ()
    replaced_by: tuple[ControlId, ...] = ()


class Control(Frozen):
    id: ControlId
    title: Text
    statement: Text
    rationale: Text
    maturity: tuple[MaturityLevel, ...]
    evidence_examples: Annotated[tuple[Text, ...], Field(min_length=1)]
    failure_modes: Annotated[tuple[Text, ...], Field(min_length=1)]
    crosswalk: tuple[CrosswalkRef, ...] = ()
    lineage: Lineage = Lineage()

    @field_validator("maturity")
    @classmethod
    def _levels_0_to_3(cls, levels: tuple[MaturityLevel, ...]) -> tuple[MaturityLevel, ...]:
        if [m.level for m in levels] != [0, 1, 2, 3]:
            raise ValueError("maturity must list levels 0, 1, 2 and 3, in that order")
        return levels

    def content_fields(self) -> dict[str, object]:
        """Everything that says what the control requires: all fields but its id and lineage."""
        return self.model_dump(mode="json", exclude={"id", "lineage"})


class Domain(Frozen):
    id: DomainId
    title: Text
    description: Text
    controls: Annotated[tuple[Control, ...], Field(min_length=1)]


class Change(Frozen):
    kind: ChangeKind
    controls: tuple[ControlId, ...] = ()
    from_: tuple[ControlId, ...] = Field(default=(), alias="from")
    rationale: Text

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)


class Version(Frozen):
    version: VersionNumber
    status: VersionStatus
    released: str
    licence: Text
    citation: Text
    summary: Text
    rationale: Text
    previous: VersionNumber | None = None
    changes: tuple[Change, ...] = ()
    domains: Annotated[tuple[Domain, ...], Field(min_length=1)]

    @field_validator("released", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> str:
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        if not _ISO_DATE.match(text):
            raise ValueError("released must be a date written YYYY-MM-DD")
        return text

    @model_validator(mode="after")
    def _first_version_claims_no_changes(self) -> Version:
        if self.previous is None and self.changes:
            raise ValueError("a version without a previous version cannot list changes")
        return self

    def controls(self) -> tuple[Control, ...]:
        return tuple(c for d in self.domains for c in d.controls)

    def control(self, control_id: str) -> Control | None:
        return next((c for c in self.controls() if c.id == control_id), None)

    def domain_of(self, control_id: str) -> Domain | None:
        return next((d for d in self.domains if any(c.id == control_id for c in d.controls)), None)

    def domain(self, domain_id: str) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)


class StandardInfo(Frozen):
    id: Slug
    title: Text
    publisher: Text
    description: Text
    licence: Text
    licence_url: Text | None = None
    homepage: Text | None = None


class ReferenceEntry(Frozen):
    id: Text
    title: Text
    group: Text | None = None


class ReferenceList(Frozen):
    framework: Slug
    edition: Text
    title: Text
    publisher: Text
    url: Text | None = None
    note: Text | None = None
    entries: Annotated[tuple[ReferenceEntry, ...], Field(min_length=1)]

    @property
    def key(self) -> tuple[str, str]:
        return (self.framework, self.edition)


class Standard(Frozen):
    """A standard with all its versions, oldest first."""

    info: StandardInfo
    versions: tuple[Version, ...]

    def version(self, number: str) -> Version | None:
        return next((v for v in self.versions if v.version == number), None)

    def latest_published(self) -> Version | None:
        published = [v for v in self.versions if v.status is VersionStatus.PUBLISHED]
        return published[-1] if published else None
