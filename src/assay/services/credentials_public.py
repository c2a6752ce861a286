"""The registry's public face for verifiers: DID document, status lists, and verification against them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assay.core.credentials.verification import Verification
from assay.core.credentials.verify import verify_credential
from assay.services import keys, statuslists
from assay.services.runtime import Runtime


def did_document(db: Session, rt: Runtime) -> dict[str, Any]:
    keys.ensure_active_key(db, rt)
    return keys.did_document(db, rt)


def status_list(db: Session, slug: str) -> dict[str, Any] | None:
    return statuslists.published(db, slug)


def verify(db: Session, rt: Runtime, credential: dict[str, Any]) -> Verification:
    """Verify with this registry's own DID document and status lists; never fetch anything."""
    base = f"{rt.settings.base_url}/status/"

    def lookup(url: str) -> dict[str, Any] | None:
        return statuslists.published(db, url[len(base) :]) if url.startswith(base) else None

    return verify_credential(
        credential, now=rt.clock.now(), did_documents=[keys.did_document(db, rt)], status_source=lookup
    )
