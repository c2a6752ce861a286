"""Presentation helpers for the standard's pages: pure functions from core objects to what templates show.

Nothing here touches the database or the request; `standard.py` gathers the data and these shape it.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from typing import Any

from assay import __version__
from assay.core.standard.crosswalk import Coverage, CoverageTable
from assay.core.standard.diff import FieldChange, VersionDiff
from assay.core.standard.model import Control, ReferenceList, Version

FIELD_LABELS = {
    "title": "Title",
    "statement": "Statement",
    "rationale": "Rationale",
    "maturity": "Maturity levels",
    "evidence_examples": "Evidence examples",
    "failure_modes": "Failure modes prevented",
    "crosswalk": "Crosswalk",
    "description": "Description",
}

STATUS_LABELS = {
    Coverage.COVERED: "Covered",
    Coverage.PARTLY: "Partly covered",
    Coverage.NOT_COVERED: "Not covered",
}


def etag_for(*parts: str) -> str:
    """A strong ETag over the content hashes a page is built from, and the code version that renders it."""
    digest = hashlib.sha256("|".join((__version__, *parts)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    return "*" in candidates or etag in candidates


# --- the diff, field by field -------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    mark: str = ""  # "", "del" or "ins"


@dataclass(frozen=True)
class Item:
    text: str
    mark: str = ""


@dataclass(frozen=True)
class LevelView:
    level: int
    label_before: str | None
    label_after: str | None
    before: tuple[Item, ...]
    after: tuple[Item, ...]


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    kind: str  # "text", "list" or "levels"
    before_text: tuple[Segment, ...] = ()
    after_text: tuple[Segment, ...] = ()
    before_items: tuple[Item, ...] = ()
    after_items: tuple[Item, ...] = ()
    levels: tuple[LevelView, ...] = ()


def word_diff(before: str, after: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Both texts as runs of words, with the words only one side has marked."""
    a, b = before.split(), after.split()
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(Segment(" ".join(a[i1:i2])))
            right.append(Segment(" ".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Segment(" ".join(a[i1:i2]), "del"))
        if j2 > j1:
            right.append(Segment(" ".join(b[j1:j2]), "ins"))
    return tuple(left), tuple(right)


def list_diff(before: list[str], after: list[str]) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    kept_before, kept_after = set(after), set(before)
    return (
        tuple(Item(t, "" if t in kept_before else "del") for t in before),
        tuple(Item(t, "" if t in kept_after else "ins") for t in after),
    )


def _as_text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [_crosswalk_text(v) if isinstance(v, dict) else str(v) for v in value]
    return [str(value)]


def _crosswalk_text(ref: dict[str, Any]) -> str:
    if {"framework", "edition", "ref"} <= ref.keys():
        return f"{ref['framework']} {ref['edition']} {ref['ref']} ({ref.get('coverage', 'partial')})"
    return ", ".join(f"{k}: {v}" for k, v in ref.items())


def _levels(before: Any, after: Any) -> tuple[LevelView, ...]:
    old = {m["level"]: m for m in before or []}
    new = {m["level"]: m for m in after or []}
    views = []
    for level in sorted(old.keys() | new.keys()):
        o, n = old.get(level, {}), new.get(level, {})
        if o == n:
            continue
        b, a = list_diff(list(o.get("criteria", [])), list(n.get("criteria", [])))
        views.append(LevelView(level, o.get("label"), n.get("label"), b, a))
    return tuple(views)


def field_view(change: FieldChange) -> FieldView:
    label = FIELD_LABELS.get(change.field, change.field.replace("_", " ").capitalize())
    before, after = change.before, change.after
    if change.field == "maturity":
        return FieldView(change.field, label, "levels", levels=_levels(before, after))
    if isinstance(before, str | None) and isinstance(after, str | None):
        left, right = word_diff(before or "", after or "")
        return FieldView(change.field, label, "text", before_text=left, after_text=right)
    b, a = list_diff(_as_text_list(before), _as_text_list(after))
    return FieldView(change.field, label, "list", before_items=b, after_items=a)


@dataclass(frozen=True)
class DiffView:
    diff: VersionDiff
    changed: tuple[tuple[str, tuple[FieldView, ...]], ...]
    renamed: tuple[tuple[str, str, tuple[FieldView, ...]], ...]
    domains_changed: tuple[tuple[str, tuple[FieldView, ...]], ...]
    rationale: dict[str, str] = field(default_factory=dict)


def diff_view(d: VersionDiff, new: Version) -> DiffView:
    """The diff with each changed field shaped for display, and the changelog's rationale where it applies."""
    rationale: dict[str, str] = {}
    if new.previous == d.old:
        for change in new.changes:
            for cid in (*change.controls, *change.from_):
                rationale.setdefault(cid, change.rationale)
    return DiffView(
        diff=d,
        changed=tuple((c.control_id, tuple(field_view(f) for f in c.fields)) for c in d.changed),
        renamed=tuple((r.source, r.into, tuple(field_view(f) for f in r.fields)) for r in d.renames),
        domains_changed=tuple((c.domain_id, tuple(field_view(f) for f in c.fields)) for c in d.domains_changed),
        rationale=rationale,
    )


# --- crosswalks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefView:
    ref: str
    title: str
    coverage: str


@dataclass(frozen=True)
class CrosswalkGroup:
    framework: str
    edition: str
    title: str
    refs: tuple[RefView, ...]


def crosswalk_groups(control: Control, lists: dict[tuple[str, str], ReferenceList]) -> tuple[CrosswalkGroup, ...]:
    """A control's crosswalk grouped by framework, each reference with its paraphrased title."""
    grouped: dict[tuple[str, str], list[RefView]] = {}
    for x in control.crosswalk:
        ref_list = lists.get((x.framework, x.edition))
        titles = {e.id: e.title for e in ref_list.entries} if ref_list else {}
        grouped.setdefault((x.framework, x.edition), []).append(RefView(x.ref, titles.get(x.ref, ""), x.coverage))
    return tuple(
        CrosswalkGroup(fw, ed, lists[(fw, ed)].title if (fw, ed) in lists else f"{fw} {ed}", tuple(refs))
        for (fw, ed), refs in sorted(grouped.items())
    )


def coverage_counts(table: CoverageTable) -> list[tuple[Coverage, str, int]]:
    return [(status, STATUS_LABELS[status], table.count(status)) for status in Coverage]
