"""The standard as the platform serves it: import (all or nothing), versions, diff, crosswalk, export."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from assay.content import DEFAULT_STANDARD_DIR, DEFAULT_STANDARD_ID, REFERENCES_DIR
from assay.core.errors import Conflict, NotFound
from assay.core.ids import new_id
from assay.core.items.bank import ItemBank, load_bank
from assay.core.standard.crosswalk import CoverageTable, Mapping, controls_for, coverage_table
from assay.core.standard.diff import VersionDiff, diff_versions
from assay.core.standard.export import canonical_bytes, content_hash, export_document, version_key
from assay.core.standard.loader import LoadResult, load_path, load_references
from assay.core.standard.model import ReferenceList, Standard, StandardInfo, Version, VersionStatus
from assay.core.standard.problems import ContentInvalid, Problem
from assay.core.standard.validate import check_standard
from assay.db.models import StandardVersionRecord
from assay.db.repositories import standards as repo
from assay.services import audit
from assay.services.runtime import Runtime


@cache
def references() -> dict[tuple[str, str], ReferenceList]:
    """The shipped crosswalk reference lists (validated by the test suite; a broken list fails loudly here)."""
    refs, problems = load_references(REFERENCES_DIR)
    if problems:
        raise ContentInvalid(problems)
    return refs


def reference_list(framework: str, edition: str | None = None) -> ReferenceList:
    matches = [r for (f, _e), r in references().items() if f == framework and (edition is None or r.edition == edition)]
    if not matches:
        known = ", ".join(sorted({f for f, _ in references()}))
        raise NotFound(
            f"No crosswalk reference list for {framework}{' ' + edition if edition else ''}. Known: {known}."
        )
    return sorted(matches, key=lambda r: r.edition)[-1]


def validate(path: Path) -> LoadResult:
    return load_path(path, references())


@dataclass(frozen=True)
class ImportReport:
    standard_id: str
    imported: tuple[str, ...]
    unchanged: tuple[str, ...]


def import_standard(db: Session, rt: Runtime, *, path: Path | None = None, actor_id: str | None = None) -> ImportReport:
    """Load a folder or export, check it together with the versions already stored, and store the new
    versions, all in the caller's transaction: any problem and nothing is written."""
    result = validate(path or DEFAULT_STANDARD_DIR)
    if not result.ok or result.standard is None:
        raise ContentInvalid(result.problems)
    incoming = result.standard
    stored = {r.version: r for r in repo.versions_of(db, incoming.info.id)}
    new_versions, unchanged = [], []
    for version in incoming.versions:
        digest = content_hash(incoming.info, version)
        record = stored.get(version.version)
        if record is None:
            new_versions.append((version, digest))
        elif record.content_hash == digest:
            unchanged.append(version.version)
        else:
            raise Conflict(
                f"Version {version.version} of {incoming.info.id} is already stored with different content "
                f"(hash {record.content_hash[:12]}…, this one {digest[:12]}…). Published content never changes: "
                "give the revision a new version number."
            )
    _check_and_store(db, rt, incoming.info, stored, new_versions, actor_id)
    return ImportReport(incoming.info.id, tuple(v.version for v, _ in new_versions), tuple(unchanged))


def _check_and_store(
    db: Session,
    rt: Runtime,
    info: StandardInfo,
    stored: dict[str, StandardVersionRecord],
    new_versions: list[tuple[Version, str]],
    actor_id: str | None,
) -> None:
    """The whole standard as it would be after adding these versions must hold together (lineage,
    changelogs); then store them, each recorded."""
    # The whole standard as it would be after the import must hold together (lineage, changelogs).
    combined = {v.version: v for v in (_parse(r.document)[1] for r in stored.values())}
    combined.update({v.version: v for v, _ in new_versions})
    whole = Standard(info=info, versions=tuple(sorted(combined.values(), key=lambda v: version_key(v.version))))
    findings = check_standard(whole, references())
    if findings:
        raise ContentInvalid([Problem(f"version {f.version}", "/".join(map(str, f.loc)), f.reason) for f in findings])
    now = rt.clock.now()
    for version, digest in new_versions:
        document = canonical_bytes(export_document(info, version)).decode("utf-8")
        record = StandardVersionRecord(
            id=new_id(now),
            standard_id=info.id,
            version=version.version,
            status=version.status.value,
            released=version.released,
            title=info.title,
            content_hash=digest,
            document=document,
            imported_at=now,
            imported_by=actor_id,
        )
        db.add(record)
        db.flush()
        audit.record(
            db,
            clock=rt.clock,
            actor_id=actor_id,
            action="standard.version_imported",
            subject_type="standard_version",
            subject_id=f"{info.id}@{version.version}",
            details={"content_hash": digest, "status": version.status.value, "controls": len(version.controls())},
        )


def publish_version(db: Session, rt: Runtime, *, standard_id: str, version: Version, actor_id: str | None) -> None:
    """Store a new version made in Assay (a published draft), checked with every stored version."""
    stored = {r.version: r for r in repo.versions_of(db, standard_id)}
    if version.version in stored:
        raise Conflict(f"Version {version.version} of {standard_id} already exists.")
    if not stored:
        raise NotFound(f"There is no standard {standard_id}.")
    info = _parse(next(iter(stored.values())).document)[0]
    _check_and_store(db, rt, info, stored, [(version, content_hash(info, version))], actor_id)


@lru_cache(maxsize=64)
def _parse(document: str) -> tuple[StandardInfo, Version]:
    """Stored documents are immutable, so parsing is cached by their text."""
    data = json.loads(document)
    return StandardInfo.model_validate(data["standard"]), Version.model_validate(data["version"])


@dataclass(frozen=True)
class StoredVersion:
    info: StandardInfo
    version: Version
    content_hash: str
    imported_at: str


def catalogue(db: Session, standard_id: str) -> list[StoredVersion]:
    """Every stored version of a standard, oldest first."""
    out = []
    for record in repo.versions_of(db, standard_id):
        info, version = _parse(record.document)
        out.append(StoredVersion(info, version, record.content_hash, record.imported_at.date().isoformat()))
    return sorted(out, key=lambda s: version_key(s.version.version))


def standard(db: Session, standard_id: str) -> Standard:
    versions = catalogue(db, standard_id)
    if not versions:
        raise NotFound(f"The standard {standard_id} has not been loaded. An operator runs `assay standard import`.")
    return Standard(info=versions[-1].info, versions=tuple(v.version for v in versions))


def resolve(db: Session, standard_id: str, number: str) -> StoredVersion:
    """A version by number, or 'latest' for the newest published one."""
    versions = catalogue(db, standard_id)
    if not versions:
        raise NotFound(f"The standard {standard_id} has not been loaded. An operator runs `assay standard import`.")
    if number == "latest":
        published = [v for v in versions if v.version.status is VersionStatus.PUBLISHED]
        return (published or versions)[-1]
    found = next((v for v in versions if v.version.version == number), None)
    if found is None:
        known = ", ".join(v.version.version for v in versions)
        raise NotFound(f"There is no version {number} of this standard. Versions: {known}.")
    return found


def latest(db: Session, standard_id: str) -> StoredVersion:
    return resolve(db, standard_id, "latest")


def diff(db: Session, standard_id: str, old: str, new: str) -> VersionDiff:
    return diff_versions(resolve(db, standard_id, old).version, resolve(db, standard_id, new).version)


def crosswalk(db: Session, standard_id: str, number: str, framework: str, edition: str | None = None) -> CoverageTable:
    return coverage_table(resolve(db, standard_id, number).version, reference_list(framework, edition))


def covering(
    db: Session, standard_id: str, number: str, framework: str, ref: str, edition: str | None = None
) -> tuple[Mapping, ...]:
    refs = reference_list(framework, edition)
    if ref not in {e.id for e in refs.entries}:
        raise NotFound(f"{ref} is not an entry of {refs.framework} {refs.edition}.")
    return controls_for(resolve(db, standard_id, number).version, refs.framework, refs.edition, ref)


def export(db: Session, standard_id: str, number: str) -> tuple[dict[str, object], str]:
    stored = resolve(db, standard_id, number)
    return export_document(stored.info, stored.version), stored.content_hash


@dataclass(frozen=True)
class ControlHistory:
    """Where a control ID stands in a version it is not part of: what it became, or came from."""

    control_id: str
    version: str
    became: tuple[str, ...]
    note: str


def trace(db: Session, standard_id: str, number: str, control_id: str) -> ControlHistory | None:
    """For a permalink to a control that is not in this version: follow lineage to tell the reader where it went."""
    versions = catalogue(db, standard_id)
    target = resolve(db, standard_id, number)
    successors = [c.id for c in target.version.controls() if control_id in c.lineage.derived_from]
    if successors:
        return ControlHistory(
            control_id,
            number,
            tuple(successors),
            f"{control_id} was replaced in version {number} by {', '.join(successors)}.",
        )
    containing = [s.version.version for s in versions if s.version.control(control_id) is not None]
    if not containing:
        return None
    if version_key(containing[-1]) < version_key(number):
        retired_in = next(
            s.version.version for s in versions if version_key(s.version.version) > version_key(containing[-1])
        )
        return ControlHistory(
            control_id,
            number,
            (),
            f"{control_id} was last part of version {containing[-1]}; version {retired_in} retired it.",
        )
    return ControlHistory(
        control_id, number, (), f"{control_id} was introduced after version {number}, in version {containing[0]}."
    )


def ids(db: Session) -> list[str]:
    """Every standard loaded into this registry."""
    return repo.standard_ids(db)


def item_bank(folder: Path) -> ItemBank:
    """An item bank (practice or secure) validated against the latest version of the default standard;
    ContentInvalid, with every problem, when it does not fit."""
    result = validate(DEFAULT_STANDARD_DIR)
    if result.standard is None:
        raise ContentInvalid(result.problems)
    latest = result.standard.versions[-1]
    loaded = load_bank(
        folder,
        controls={c.id: d.id for d in latest.domains for c in d.controls},
        standard=DEFAULT_STANDARD_ID,
        standard_version=latest.version,
    )
    if loaded.bank is None:
        raise ContentInvalid(loaded.problems)
    return loaded.bank


@cache
def latest_domain_ids() -> tuple[str, ...]:
    """The domain ids of the default standard's latest version (the content shipped with Assay)."""
    result = validate(DEFAULT_STANDARD_DIR)
    if result.standard is None:
        raise ContentInvalid(result.problems)
    return tuple(d.id for d in result.standard.versions[-1].domains)


@cache
def latest_targets() -> dict[str, str]:
    """Domain and control ids of the latest version, each with its title."""
    result = validate(DEFAULT_STANDARD_DIR)
    if result.standard is None:
        raise ContentInvalid(result.problems)
    latest = result.standard.versions[-1]
    out = {d.id: d.title for d in latest.domains}
    out.update({c.id: c.title for d in latest.domains for c in d.controls})
    return out


@cache
def default_versions() -> tuple[Version, ...]:
    """Every version of the default standard shipped with Assay, oldest first."""
    result = validate(DEFAULT_STANDARD_DIR)
    if result.standard is None:
        raise ContentInvalid(result.problems)
    return tuple(result.standard.versions)
