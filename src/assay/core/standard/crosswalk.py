"""Crosswalks: which controls cover an external reference, and how well a version covers a framework."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assay.core.standard.model import ReferenceEntry, ReferenceList, Version


class Coverage(StrEnum):
    COVERED = "covered"  # at least one control fully addresses the reference
    PARTLY = "partly"  # only partial mappings
    NOT_COVERED = "not covered"


@dataclass(frozen=True)
class Mapping:
    control_id: str
    control_title: str
    coverage: str  # "full" or "partial", as the control's crosswalk states it


@dataclass(frozen=True)
class CoverageRow:
    entry: ReferenceEntry
    status: Coverage
    mappings: tuple[Mapping, ...]


@dataclass(frozen=True)
class CoverageTable:
    framework: str
    edition: str
    title: str
    version: str
    rows: tuple[CoverageRow, ...]

    def count(self, status: Coverage) -> int:
        return sum(1 for r in self.rows if r.status is status)


def controls_for(version: Version, framework: str, edition: str, ref: str) -> tuple[Mapping, ...]:
    """The controls of a version whose crosswalk names this reference, full mappings first."""
    found = [
        Mapping(c.id, c.title, x.coverage)
        for c in version.controls()
        for x in c.crosswalk
        if x.framework == framework and x.edition == edition and x.ref == ref
    ]
    return tuple(sorted(found, key=lambda m: (m.coverage != "full", m.control_id)))


def coverage_table(version: Version, references: ReferenceList) -> CoverageTable:
    rows = []
    for entry in references.entries:
        mappings = controls_for(version, references.framework, references.edition, entry.id)
        if any(m.coverage == "full" for m in mappings):
            status = Coverage.COVERED
        elif mappings:
            status = Coverage.PARTLY
        else:
            status = Coverage.NOT_COVERED
        rows.append(CoverageRow(entry, status, mappings))
    return CoverageTable(references.framework, references.edition, references.title, version.version, tuple(rows))
