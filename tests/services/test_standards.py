"""Importing and serving the standard, on both databases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.content import DEFAULT_STANDARD_DIR, DEFAULT_STANDARD_ID
from assay.core.errors import Conflict, NotFound
from assay.core.standard.export import export_document
from assay.core.standard.loader import dumps_export
from assay.core.standard.problems import ContentInvalid
from assay.db.models import AuditEntry, StandardVersionRecord
from assay.services import audit, standards
from assay.services.runtime import Runtime


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_import_default_standard_once(db: Session, rt: Runtime) -> None:
    report = standards.import_standard(db, rt)
    assert report.imported == ("1.0", "1.1") and report.unchanged == ()
    again = standards.import_standard(db, rt)
    assert again.imported == () and again.unchanged == ("1.0", "1.1")
    db.commit()
    assert count(db, StandardVersionRecord) == 2
    actions = list(db.scalars(select(AuditEntry.subject_id).where(AuditEntry.action == "standard.version_imported")))
    assert actions == ["assay-pae@1.0", "assay-pae@1.1"]
    assert audit.verify(db).ok


def test_stored_document_is_the_hashed_export(db: Session, rt: Runtime) -> None:
    standards.import_standard(db, rt)
    document, digest = standards.export(db, DEFAULT_STANDARD_ID, "1.1")
    import hashlib

    import rfc8785

    assert hashlib.sha256(rfc8785.dumps(document)).hexdigest() == digest


def test_broken_content_imports_nothing(db: Session, rt: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "std"
    shutil.copytree(DEFAULT_STANDARD_DIR, folder)
    v11 = folder / "versions" / "1.1.yaml"
    v11.write_text(v11.read_text().replace("derived_from: [IA-03]", "derived_from: [IA-99]", 1))
    with pytest.raises(ContentInvalid) as info:
        standards.import_standard(db, rt, path=folder)
    assert any("IA-99 does not exist in version 1.0" in p.reason for p in info.value.problems)
    db.commit()
    assert count(db, StandardVersionRecord) == 0
    assert count(db, AuditEntry) == 0


def test_changed_content_under_an_existing_number_is_refused(db: Session, rt: Runtime, tmp_path: Path) -> None:
    standards.import_standard(db, rt)
    folder = tmp_path / "std"
    shutil.copytree(DEFAULT_STANDARD_DIR, folder)
    v10 = folder / "versions" / "1.0.yaml"
    v10.write_text(v10.read_text().replace("2026-03-02", "2026-03-03", 1))
    with pytest.raises(Conflict, match="give the revision a new version number"):
        standards.import_standard(db, rt, path=folder)


def test_import_a_single_export_onto_its_predecessor(db: Session, rt: Runtime, tmp_path: Path) -> None:
    # Only 1.0 first (a folder holding just 1.0), then 1.1 as an export file.
    folder = tmp_path / "std"
    shutil.copytree(DEFAULT_STANDARD_DIR, folder)
    (folder / "versions" / "1.1.yaml").unlink()
    assert standards.import_standard(db, rt, path=folder).imported == ("1.0",)
    full = standards.validate(DEFAULT_STANDARD_DIR).standard
    assert full is not None
    export = tmp_path / "1.1.json"
    export.write_text(dumps_export(export_document(full.info, full.versions[1])))
    assert standards.import_standard(db, rt, path=export).imported == ("1.1",)
    d = standards.diff(db, DEFAULT_STANDARD_ID, "1.0", "1.1")
    assert d.added == ("OBS-06",)


def test_export_of_a_version_without_its_predecessor_is_refused(db: Session, rt: Runtime, tmp_path: Path) -> None:
    full = standards.validate(DEFAULT_STANDARD_DIR).standard
    assert full is not None
    export = tmp_path / "1.1.json"
    export.write_text(json.dumps(export_document(full.info, full.versions[1])))
    with pytest.raises(ContentInvalid) as info:
        standards.import_standard(db, rt, path=export)
    assert any("1.0 is not part of this standard" in p.reason for p in info.value.problems)


def test_resolve_latest_and_trace(db: Session, rt: Runtime) -> None:
    with pytest.raises(NotFound, match="has not been loaded"):
        standards.resolve(db, DEFAULT_STANDARD_ID, "latest")
    standards.import_standard(db, rt)
    assert standards.resolve(db, DEFAULT_STANDARD_ID, "latest").version.version == "1.1"
    with pytest.raises(NotFound, match=r"Versions: 1\.0, 1\.1"):
        standards.resolve(db, DEFAULT_STANDARD_ID, "9.9")
    split = standards.trace(db, DEFAULT_STANDARD_ID, "1.1", "IA-03")
    assert split is not None and split.became == ("IA-06", "IA-07")
    retired = standards.trace(db, DEFAULT_STANDARD_ID, "1.1", "OBS-05")
    assert retired is not None and "version 1.1 retired it" in retired.note
    newer = standards.trace(db, DEFAULT_STANDARD_ID, "1.0", "OBS-06")
    assert newer is not None and "introduced after version 1.0" in newer.note
    assert standards.trace(db, DEFAULT_STANDARD_ID, "1.1", "ZZ-01") is None


def test_crosswalk_coverage_counts(db: Session, rt: Runtime) -> None:
    standards.import_standard(db, rt)
    table = standards.crosswalk(db, DEFAULT_STANDARD_ID, "1.1", "nist-ai-rmf")
    assert len(table.rows) == 72
    assert sum(table.count(s) for s in {r.status for r in table.rows}) == 72
    with pytest.raises(NotFound, match="No crosswalk reference list"):
        standards.crosswalk(db, DEFAULT_STANDARD_ID, "1.1", "cobit")
    llm01 = standards.covering(db, DEFAULT_STANDARD_ID, "1.1", "owasp-llm-top10", "LLM01")
    assert llm01 and all(m.control_id for m in llm01)
