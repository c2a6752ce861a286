"""The shipped default standard and references, loaded once for the core tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assay.content import DEFAULT_STANDARD_DIR, REFERENCES_DIR
from assay.core.standard.loader import load_folder, load_references
from assay.core.standard.model import ReferenceList, Standard


@pytest.fixture(scope="session")
def references() -> dict[tuple[str, str], ReferenceList]:
    refs, problems = load_references(REFERENCES_DIR)
    assert problems == []
    return refs


@pytest.fixture(scope="session")
def default_standard(references: dict[tuple[str, str], ReferenceList]) -> Standard:
    result = load_folder(DEFAULT_STANDARD_DIR, references)
    assert result.problems == []
    assert result.standard is not None
    return result.standard


@pytest.fixture
def standard_copy(tmp_path: Path) -> Path:
    """A writable copy of the default standard's folder, for tests that break it on purpose."""
    target = tmp_path / "assay-pae"
    shutil.copytree(DEFAULT_STANDARD_DIR, target)
    return target
