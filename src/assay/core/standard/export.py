"""The single-document export of a version, and its content hash (defined once, here)."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from assay.core.standard.model import StandardInfo, Version

EXPORT_FORMAT = "assay-standard-version/1"


def version_key(number: str) -> tuple[int, ...]:
    """Versions sort numerically: 1.10 comes after 1.9."""
    return tuple(int(part) for part in number.split("."))


def export_document(info: StandardInfo, version: Version) -> dict[str, Any]:
    """The self-contained JSON form of one version: what is hashed, published and re-imported."""
    return {
        "format": EXPORT_FORMAT,
        "standard": info.model_dump(mode="json"),
        "version": version.model_dump(mode="json", by_alias=True),
    }


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS): the same bytes on every platform and every run."""
    return rfc8785.dumps(document)


def content_hash(info: StandardInfo, version: Version) -> str:
    """SHA-256 (hex) of the JCS form of the version's single-document export."""
    return hashlib.sha256(canonical_bytes(export_document(info, version))).hexdigest()
