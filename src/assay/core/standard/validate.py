"""Rules a standard must keep beyond its schema: unique IDs, known crosswalk references, consistent
lineage, and a changelog that states exactly the real diff."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from assay.core.standard.diff import claimed_changes, describe, diff_versions, real_changes
from assay.core.standard.model import ReferenceList, Standard, Version

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    version: str | None  # None: the standard as a whole
    loc: Loc
    reason: str


def check_standard(standard: Standard, references: Mapping[tuple[str, str], ReferenceList]) -> list[Finding]:
    findings: list[Finding] = []
    by_number: dict[str, Version] = {}
    for v in standard.versions:
        if v.version in by_number:
            findings.append(Finding(v.version, ("version",), f"version {v.version} is defined twice"))
        by_number[v.version] = v
    successors = {v.previous: v for v in standard.versions if v.previous}
    for v in standard.versions:
        previous = by_number.get(v.previous) if v.previous else None
        if v.previous and previous is None:
            findings.append(
                Finding(v.version, ("previous",), f"previous version {v.previous} is not part of this standard")
            )
        findings.extend(_check_version(v, references))
        findings.extend(_check_lineage(v, previous, successors.get(v.version)))
        if previous is not None:
            findings.extend(_check_changelog(previous, v))
    return findings


def _controls_with_loc(v: Version) -> Iterator[tuple[Loc, str, str]]:
    for i, domain in enumerate(v.domains):
        for j, control in enumerate(domain.controls):
            yield ("domains", i, "controls", j), domain.id, control.id


def _check_version(v: Version, references: Mapping[tuple[str, str], ReferenceList]) -> Iterator[Finding]:
    seen_domains: set[str] = set()
    for i, domain in enumerate(v.domains):
        if domain.id in seen_domains:
            yield Finding(v.version, ("domains", i, "id"), f"domain ID {domain.id} is used twice")
        seen_domains.add(domain.id)
    seen: set[str] = set()
    known = {key: {e.id for e in ref.entries} for key, ref in references.items()}
    for loc, domain_id, control_id in _controls_with_loc(v):
        if control_id in seen:
            yield Finding(v.version, (*loc, "id"), f"control ID {control_id} is used twice")
        seen.add(control_id)
        if control_id.split("-")[0] != domain_id:
            yield Finding(
                v.version,
                (*loc, "id"),
                f"control {control_id} sits in domain {domain_id}; its ID must start {domain_id}-",
            )
        control = v.domains[loc[1]].controls[loc[3]]  # type: ignore[index]
        mapped: set[tuple[str, str, str]] = set()
        for k, x in enumerate(control.crosswalk):
            key = (x.framework, x.edition)
            if key not in known:
                names = ", ".join(f"{f} {e}" for f, e in sorted(known)) or "none"
                yield Finding(
                    v.version,
                    (*loc, "crosswalk", k, "framework"),
                    f"unknown framework {x.framework} edition {x.edition} (known: {names})",
                )
            elif x.ref not in known[key]:
                yield Finding(
                    v.version,
                    (*loc, "crosswalk", k, "ref"),
                    f"{x.ref} is not an entry of {x.framework} {x.edition}",
                )
            if (x.framework, x.edition, x.ref) in mapped:
                yield Finding(v.version, (*loc, "crosswalk", k, "ref"), f"{x.ref} is mapped twice by {control_id}")
            mapped.add((x.framework, x.edition, x.ref))


def _check_lineage(v: Version, previous: Version | None, successor: Version | None) -> Iterator[Finding]:
    previous_ids = {c.id for c in previous.controls()} if previous else set()
    for loc, _domain, control_id in _controls_with_loc(v):
        control = v.control(control_id)
        assert control is not None
        for k, source in enumerate(control.lineage.derived_from):
            if v.previous is None:
                yield Finding(
                    v.version, (*loc, "lineage", "derived_from", k), "a first version cannot derive from anything"
                )
            elif previous is not None and source not in previous_ids:
                yield Finding(
                    v.version,
                    (*loc, "lineage", "derived_from", k),
                    f"{source} does not exist in version {v.previous}",
                )
        for k, target in enumerate(control.lineage.replaced_by):
            where = (*loc, "lineage", "replaced_by", k)
            if successor is None:
                yield Finding(v.version, where, f"replaced by {target}, but no later version of this standard exists")
                continue
            replacement = successor.control(target)
            if replacement is None:
                yield Finding(v.version, where, f"{target} does not exist in version {successor.version}")
            elif control_id not in replacement.lineage.derived_from and target != control_id:
                yield Finding(
                    v.version,
                    where,
                    f"{target} in version {successor.version} does not list {control_id} in derived_from",
                )


def _check_changelog(previous: Version, v: Version) -> Iterator[Finding]:
    real = real_changes(diff_versions(previous, v))
    claimed = claimed_changes(v.changes)
    for fact in sorted(real - claimed):
        yield Finding(v.version, ("changes",), f"the changelog does not mention a real change: {describe(fact)}")
    for fact in sorted(claimed - real):
        yield Finding(
            v.version, ("changes",), f"the changelog claims a change the content does not show: {describe(fact)}"
        )
