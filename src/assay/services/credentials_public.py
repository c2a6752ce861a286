"""The registry's public face for verifiers: DID document, status lists, and verification against them."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from assay.core.credentials.verification import Outcome, Verification
from assay.core.credentials.verify import verify_credential
from assay.services import keys, statuslists, translog
from assay.services.runtime import Runtime


def did_document(db: Session, rt: Runtime) -> dict[str, Any]:
    keys.ensure_active_key(db, rt)
    return keys.did_document(db, rt)


def status_list(db: Session, slug: str) -> dict[str, Any] | None:
    return statuslists.published(db, slug)


LOG_CHECK = "transparency log"


def verify(db: Session, rt: Runtime, credential: dict[str, Any]) -> Verification:
    """Verify with this registry's own DID document and status lists; never fetch anything.

    A credential signed with a key since marked compromised is valid only if the transparency log
    holds its issuance under a head signed before the compromise; then it is checked as if the key
    were still trusted, and the log check says why."""
    base = f"{rt.settings.base_url}/status/"

    def lookup(url: str) -> dict[str, Any] | None:
        return statuslists.published(db, url[len(base) :]) if url.startswith(base) else None

    did = keys.did_document(db, rt)
    result = verify_credential(credential, now=rt.clock.now(), did_documents=[did], status_source=lookup)
    proof = credential.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str):
        return result
    compromised = keys.compromised_key(db, rt, verification_method=method)
    if compromised is None or compromised.compromised_at is None:
        return result
    when = compromised.compromised_at
    digest = hashlib.sha256(json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    logged = translog.logged_before(db, event="credential.issued", subject=digest, before=when)
    if logged is None:
        result.add(
            LOG_CHECK,
            Outcome.FAILED,
            f"signed with {method}, withdrawn as compromised on {when:%Y-%m-%d %H:%M} UTC, and the log holds "
            "no issuance of this document under a head signed before then",
        )
        return result
    entry_index, head_signed = logged
    trusted = trust_method(did, method)
    result = verify_credential(credential, now=rt.clock.now(), did_documents=[trusted], status_source=lookup)
    result.add(
        LOG_CHECK,
        Outcome.PASSED,
        f"signed with {method} before it was compromised: logged as entry {entry_index} under a head "
        f"signed {head_signed:%Y-%m-%d %H:%M} UTC",
    )
    return result


def trust_method(did_document: dict[str, Any], method: str) -> dict[str, Any]:
    """The DID document as it stood before `method` was withdrawn: listed for assertions, not revoked."""
    trusted = copy.deepcopy(did_document)
    for vm in trusted.get("verificationMethod", []):
        if vm.get("id") == method:
            vm.pop("revoked", None)
    if method not in trusted.get("assertionMethod", []):
        trusted.setdefault("assertionMethod", []).append(method)
    return trusted
