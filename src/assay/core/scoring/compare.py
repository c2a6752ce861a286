"""Two attempts side by side: what moved, whether it moved beyond the uncertainty, and what may have
moved only because the standard changed between the versions the attempts were scored against.

A domain's result rests on the controls it holds. When the later attempt was scored against a newer
version in which that domain gained, lost, split, merged or reworded controls (the standard's lineage,
via diff_versions), part of any movement may be the yardstick changing rather than the person: the
comparison names those controls instead of pretending the two numbers measure the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assay.core.standard.diff import diff_versions
from assay.core.standard.model import Version


@dataclass(frozen=True)
class DomainMove:
    domain_id: str
    title: str
    before_level: str | None  # None: the domain was not in the earlier version
    after_level: str | None  # None: the domain is not in the later version
    before_percent: int | None
    after_percent: int | None
    change: int | None  # percentage points, later minus earlier
    beyond_uncertainty: bool  # the two 90% intervals do not overlap
    standard_changes: tuple[str, ...]  # what the standard changed in this domain between the versions
    reading: str  # one sentence for the person


@dataclass(frozen=True)
class Comparison:
    before_version: str
    after_version: str
    same_version: bool
    domains: tuple[DomainMove, ...]


def _control_domains(version: Version) -> dict[str, str]:
    return {c.id: d.id for d in version.domains for c in d.controls}


def _standard_changes(old: Version, new: Version) -> dict[str, list[str]]:
    """Per domain of either version: the lineage facts that touch its controls."""
    d = diff_versions(old, new)
    old_home, new_home = _control_domains(old), _control_domains(new)
    out: dict[str, list[str]] = {}

    def note(domain: str | None, text: str) -> None:
        if domain is not None and text not in out.setdefault(domain, []):
            out[domain].append(text)

    for control in d.added:
        note(new_home.get(control), f"{control} added")
    for control in d.retired:
        note(old_home.get(control), f"{control} retired")
    for change in d.changed:
        fields = ", ".join(f.field for f in change.fields)
        note(new_home.get(change.control_id), f"{change.control_id} reworded ({fields})")
    for split in d.splits:
        text = f"{split.source} split into {', '.join(split.into)}"
        note(old_home.get(split.source), text)
        for into in split.into:
            note(new_home.get(into), text)
    for merge in d.merges:
        text = f"{', '.join(merge.sources)} merged into {merge.into}"
        note(new_home.get(merge.into), text)
        for source in merge.sources:
            note(old_home.get(source), text)
    for rename in d.renames:
        text = f"{rename.source} renamed {rename.into}"
        note(old_home.get(rename.source), text)
        note(new_home.get(rename.into), text)
    for domain_change in d.domains_changed:
        fields = ", ".join(f.field for f in domain_change.fields)
        note(domain_change.domain_id, f"domain reworded ({fields})")
    for control, home in new_home.items():  # a control that moved between domains keeps its ID
        if control in old_home and old_home[control] != home:
            text = f"{control} moved from {old_home[control]} to {home}"
            note(old_home[control], text)
            note(home, text)
    return out


def _reading(change: int | None, beyond: bool, changes: list[str]) -> str:
    if change is None:
        return "Not in both versions of the standard: nothing to compare."
    if beyond:
        base = f"Moved {change:+d} points, beyond the uncertainty of the two results."
    elif change:
        base = f"{change:+d} points, within the uncertainty of the two results: not a real change."
    else:
        base = "No change."
    if changes:
        return base + " Part of this may be the standard itself: " + "; ".join(changes) + "."
    return base


def compare(
    before: Mapping[str, Any], after: Mapping[str, Any], *, before_version: Version, after_version: Version
) -> Comparison:
    """Compare two stored profiles (profile_to_dict shape) scored against the given versions."""
    same = before_version.version == after_version.version
    changes = {} if same else _standard_changes(before_version, after_version)
    earlier = {d["domain"]: d for d in before["domains"]}
    later = {d["domain"]: d for d in after["domains"]}
    order = [d.id for d in after_version.domains] + [
        d.id for d in before_version.domains if d.id not in {x.id for x in after_version.domains}
    ]
    titles = {d.id: d.title for d in before_version.domains} | {d.id: d.title for d in after_version.domains}
    moves = []
    for domain_id in order:
        a, b = earlier.get(domain_id), later.get(domain_id)
        change = int(b["percent"]) - int(a["percent"]) if a and b else None
        beyond = bool(
            a
            and b
            and (
                b["percent_interval"][0] > a["percent_interval"][1]
                or b["percent_interval"][1] < a["percent_interval"][0]
            )
        )
        notes = changes.get(domain_id, [])
        moves.append(
            DomainMove(
                domain_id=domain_id,
                title=titles[domain_id],
                before_level=a["level"] if a else None,
                after_level=b["level"] if b else None,
                before_percent=int(a["percent"]) if a else None,
                after_percent=int(b["percent"]) if b else None,
                change=change,
                beyond_uncertainty=beyond,
                standard_changes=tuple(notes),
                reading=_reading(change, beyond, notes),
            )
        )
    return Comparison(before_version.version, after_version.version, same, tuple(moves))


def comparison_to_dict(c: Comparison) -> dict[str, object]:
    return {
        "before_version": c.before_version,
        "after_version": c.after_version,
        "same_version": c.same_version,
        "domains": [
            {
                "domain": m.domain_id,
                "title": m.title,
                "before": {"level": m.before_level, "percent": m.before_percent},
                "after": {"level": m.after_level, "percent": m.after_percent},
                "change": m.change,
                "beyond_uncertainty": m.beyond_uncertainty,
                "standard_changes": list(m.standard_changes),
                "reading": m.reading,
            }
            for m in c.domains
        ],
    }
