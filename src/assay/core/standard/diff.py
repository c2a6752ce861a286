"""What changed between two versions: added, retired, reworded (field by field), split, merged, renamed.

Splits, merges and renames come from lineage (`derived_from`); a control that keeps its ID and lists no
other lineage is the same control, changed or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assay.core.standard.model import Change, ChangeKind, Version


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ControlChange:
    control_id: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Split:
    source: str
    into: tuple[str, ...]


@dataclass(frozen=True)
class Merge:
    sources: tuple[str, ...]
    into: str


@dataclass(frozen=True)
class Rename:
    source: str
    into: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class DomainChange:
    domain_id: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class VersionDiff:
    old: str
    new: str
    added: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    changed: tuple[ControlChange, ...] = ()
    splits: tuple[Split, ...] = ()
    merges: tuple[Merge, ...] = ()
    renames: tuple[Rename, ...] = ()
    domains_added: tuple[str, ...] = ()
    domains_removed: tuple[str, ...] = ()
    domains_changed: tuple[DomainChange, ...] = ()
    unchanged: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.retired
            or self.changed
            or self.splits
            or self.merges
            or self.renames
            or self.domains_added
            or self.domains_removed
            or self.domains_changed
        )


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(k, before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k))


def diff_versions(old: Version, new: Version) -> VersionDiff:
    old_controls = {c.id: c for c in old.controls()}
    new_controls = {c.id: c for c in new.controls()}

    sources: dict[str, tuple[str, ...]] = {}
    for c in new_controls.values():
        declared = tuple(s for s in c.lineage.derived_from if s in old_controls)
        sources[c.id] = declared or ((c.id,) if c.id in old_controls else ())

    derived_by: dict[str, list[str]] = {}
    for new_id, srcs in sources.items():
        for s in srcs:
            derived_by.setdefault(s, []).append(new_id)

    added: list[str] = []
    changed: list[ControlChange] = []
    unchanged: list[str] = []
    merges: list[Merge] = []
    renames: list[Rename] = []
    for new_id, srcs in sources.items():
        if not srcs:
            added.append(new_id)
        elif len(srcs) > 1:
            merges.append(Merge(tuple(sorted(srcs)), new_id))
        elif srcs[0] == new_id:
            fields = _field_changes(old_controls[new_id].content_fields(), new_controls[new_id].content_fields())
            if fields:
                changed.append(ControlChange(new_id, fields))
            else:
                unchanged.append(new_id)
        elif len(derived_by[srcs[0]]) == 1:
            fields = _field_changes(old_controls[srcs[0]].content_fields(), new_controls[new_id].content_fields())
            renames.append(Rename(srcs[0], new_id, fields))

    splits = [
        Split(src, tuple(sorted(targets)))
        for src, targets in sorted(derived_by.items())
        if len(targets) > 1 and not any(len(sources[t]) > 1 for t in targets)
    ]
    retired = sorted(cid for cid in old_controls if cid not in derived_by)

    old_domains = {d.id: d for d in old.domains}
    new_domains = {d.id: d for d in new.domains}
    domain_fields = {"title", "description"}
    domains_changed = []
    for did in new_domains.keys() & old_domains.keys():
        fields = _field_changes(
            old_domains[did].model_dump(include=domain_fields), new_domains[did].model_dump(include=domain_fields)
        )
        if fields:
            domains_changed.append(DomainChange(did, fields))

    return VersionDiff(
        old=old.version,
        new=new.version,
        added=tuple(sorted(added)),
        retired=tuple(retired),
        changed=tuple(sorted(changed, key=lambda c: c.control_id)),
        splits=tuple(splits),
        merges=tuple(sorted(merges, key=lambda m: m.into)),
        renames=tuple(sorted(renames, key=lambda r: r.into)),
        domains_added=tuple(sorted(new_domains.keys() - old_domains.keys())),
        domains_removed=tuple(sorted(old_domains.keys() - new_domains.keys())),
        domains_changed=tuple(sorted(domains_changed, key=lambda d: d.domain_id)),
        unchanged=tuple(sorted(unchanged)),
    )


Fact = tuple[str, tuple[str, ...], tuple[str, ...]]


def real_changes(d: VersionDiff) -> set[Fact]:
    """The diff as a set of (kind, from, to) facts, in the shape a changelog states them."""
    facts: set[Fact] = set()
    facts |= {(ChangeKind.ADDED.value, (), (cid,)) for cid in d.added}
    facts |= {(ChangeKind.RETIRED.value, (cid,), ()) for cid in d.retired}
    facts |= {(ChangeKind.REWORDED.value, (c.control_id,), (c.control_id,)) for c in d.changed}
    facts |= {(ChangeKind.SPLIT.value, (s.source,), s.into) for s in d.splits}
    facts |= {(ChangeKind.MERGED.value, m.sources, (m.into,)) for m in d.merges}
    facts |= {(ChangeKind.RENAMED.value, (r.source,), (r.into,)) for r in d.renames}
    return facts


def claimed_changes(changes: tuple[Change, ...]) -> set[Fact]:
    facts: set[Fact] = set()
    for change in changes:
        kind, before, after = change.kind, tuple(sorted(change.from_)), tuple(sorted(change.controls))
        if kind is ChangeKind.ADDED:
            facts |= {(kind.value, (), (cid,)) for cid in after}
        elif kind is ChangeKind.RETIRED:
            facts |= {(kind.value, (cid,), ()) for cid in before}
        elif kind is ChangeKind.REWORDED:
            facts |= {(kind.value, (cid,), (cid,)) for cid in after}
        else:
            facts.add((kind.value, before, after))
    return facts


def describe(fact: Fact) -> str:
    kind, before, after = fact
    b, a = ", ".join(before), ", ".join(after)
    return {
        "added": f"{a} added",
        "retired": f"{b} retired",
        "reworded": f"{a} reworded",
        "split": f"{b} split into {a}",
        "merged": f"{b} merged into {a}",
        "renamed": f"{b} renamed to {a}",
    }[kind]


def diff_to_dict(d: VersionDiff) -> dict[str, Any]:
    """The diff as JSON-ready data (the API's and the CLI's shape)."""

    def fields(changes: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
        return [{"field": f.field, "before": f.before, "after": f.after} for f in changes]

    return {
        "from": d.old,
        "to": d.new,
        "added": list(d.added),
        "retired": list(d.retired),
        "changed": [{"control": c.control_id, "fields": fields(c.fields)} for c in d.changed],
        "split": [{"from": s.source, "into": list(s.into)} for s in d.splits],
        "merged": [{"from": list(m.sources), "into": m.into} for m in d.merges],
        "renamed": [{"from": r.source, "into": r.into, "fields": fields(r.fields)} for r in d.renames],
        "domains": {
            "added": list(d.domains_added),
            "removed": list(d.domains_removed),
            "changed": [{"domain": c.domain_id, "fields": fields(c.fields)} for c in d.domains_changed],
        },
        "unchanged": list(d.unchanged),
    }
