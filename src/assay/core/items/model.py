"""Items as data: single best answer, multiple response, ordering, and "find the failure modes".

Rationales and keys are part of the item; what reaches a candidate before submission is the
`public_view`, which carries neither.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,7}-[PS]-\d{3}$")]


class ItemKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    ORDERING = "ordering"
    DEFECTS = "defects"


class ItemStatus(StrEnum):
    DRAFT = "draft"
    PILOT = "pilot"  # shown, answered, never scored
    OPERATIONAL = "operational"
    RETIRED = "retired"


class Pool(StrEnum):
    PRACTICE = "practice"  # the free assessment: rationales shown after submission
    SECURE = "secure"  # exams: never shown


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Option(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[a-z]$")]
    text: Text
    rationale: Text
    correct: bool | None = None  # single, multiple, defects
    position: Annotated[int, Field(ge=1)] | None = None  # ordering: 1 is first


class Review(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: Text
    reviewer: Text
    outcome: Text
    note: str = ""


class Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: ItemId
    version: Annotated[int, Field(ge=1)]
    kind: ItemKind
    status: ItemStatus
    author: Text
    controls: Annotated[tuple[Text, ...], Field(min_length=1)]
    difficulty: Difficulty
    title: Text
    stem: Text
    options: Annotated[tuple[Option, ...], Field(min_length=2, max_length=10)]
    review: tuple[Review, ...] = ()
    pool: Pool = Pool.PRACTICE

    @model_validator(mode="after")
    def _key_fits_kind(self) -> Item:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        if self.kind is ItemKind.ORDERING:
            positions = sorted(o.position or 0 for o in self.options)
            if positions != list(range(1, len(self.options) + 1)) or any(o.correct is not None for o in self.options):
                raise ValueError("an ordering item gives every option a distinct position 1..n, and no 'correct'")
            return self
        if any(o.correct is None or o.position is not None for o in self.options):
            raise ValueError(f"a {self.kind.value} item marks every option correct: true/false, with no position")
        right = sum(1 for o in self.options if o.correct)
        if self.kind is ItemKind.SINGLE and right != 1:
            raise ValueError("a single-best-answer item has exactly one correct option")
        if self.kind is ItemKind.MULTIPLE and not 2 <= right < len(self.options):
            raise ValueError("a multiple-response item has at least two correct options and at least one wrong one")
        if self.kind is ItemKind.DEFECTS and not 1 <= right < len(self.options):
            raise ValueError("a find-the-failure-modes item has at least one defect and at least one sound component")
        return self

    @property
    def domain(self) -> str:
        return self.id.split("-")[0]

    @property
    def key(self) -> frozenset[str] | tuple[str, ...]:
        if self.kind is ItemKind.ORDERING:
            return tuple(o.id for o in sorted(self.options, key=lambda o: o.position or 0))
        return frozenset(o.id for o in self.options if o.correct)

    @property
    def ref(self) -> str:
        """The pinned reference a result stores: id and version."""
        return f"{self.id}@{self.version}"

    def public_view(self) -> dict[str, Any]:
        """What a candidate sees before submitting: no key, no rationales, options in bank order."""
        return {
            "id": self.id,
            "version": self.version,
            "kind": self.kind.value,
            "title": self.title,
            "stem": self.stem,
            "options": [{"id": o.id, "text": o.text} for o in self.options],
        }
