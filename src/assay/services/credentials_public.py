"""The registry's public face for verifiers: DID document, status lists, and verification against them."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from assay.core.credentials.verification import Outcome, Verification
from assay.core.credentials.verify import verify_credential
from assay.core.errors import RateLimited
from assay.core.standard import diff as standard_diff
from assay.db.models import Organisation, User
from assay.db.repositories import credentials as credential_repo
from assay.services import issuance, keys, standards, statuslists, translog
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


# --- The public page of one credential -----------------------------------------------------------

LOOKUPS_PER_MINUTE = 60
NOT_FOUND = "There is no credential with that ID, or its holder keeps it private."


def credential_view(db: Session, rt: Runtime, *, public_id: str, client_ip: str) -> dict[str, Any] | None:
    """Everything the verify page shows about one credential, checked now; None if there is none to show.

    Lookups are rate limited per client address (None is returned, not raised, so the caller's
    transaction commits and a miss still counts), and an unknown ID and a private one get the same
    answer, so IDs cannot be enumerated. Status and the validity window are evaluated live."""
    verdict = rt.limiter.hit(db, f"credential-lookup:{client_ip}", limit=LOOKUPS_PER_MINUTE, window_seconds=60)
    if not verdict.allowed:
        raise RateLimited("Too many lookups from your address; wait a minute and try again.", verdict.retry_after)
    credential = credential_repo.credential(db, public_id) if _looks_like_id(public_id) else None
    if credential is None:
        return None
    document = json.loads(credential.document)
    result = verify(db, rt, document)
    holder = db.get(User, credential.user_id) if credential.user_id else None
    organisation = db.get(Organisation, credential.organisation_id) if credential.organisation_id else None
    programme = issuance.programmes().get(credential.programme_id)
    latest = standards.latest(db, credential.standard_id)
    changes: list[str] = []
    if latest.version.version != credential.standard_version:
        changes = [
            standard_diff.describe(fact)
            for fact in sorted(
                standard_diff.real_changes(
                    standards.diff(db, credential.standard_id, credential.standard_version, latest.version.version)
                )
            )
        ]
    now = rt.clock.now()
    status = credential.state
    if status == "active" and credential.valid_until is not None and credential.valid_until <= now:
        status = "expired"
    if credential.state in ("revoked", "suspended") and result.verdict.value == "valid":
        # The signed status list is re-published by a job within moments; the registry's record is live.
        when = credential.state_changed_at.strftime("%Y-%m-%d %H:%M UTC") if credential.state_changed_at else ""
        result.add("registry status", Outcome.FAILED, f"{credential.state} in the registry's record {when}".strip())
    logged = translog.entry_about(db, event="credential.issued", subject=credential.document_sha256)
    renewal = issuance.renewal_of(db, public_id)
    return {
        "id": document.get("id"),
        "public_id": public_id,
        "holder": (
            organisation.name
            if organisation is not None
            else "The holder has deleted their account; the credential stands as issued"
            if holder and not holder.is_active
            else holder.display_name
            if holder and credential.visibility != "anonymous"
            else None
        ),
        "achievement": programme.name if programme else credential.programme_id,
        "programme": credential.programme_id,
        "issuer": document.get("issuer", {}).get("name") if isinstance(document.get("issuer"), dict) else None,
        "issued": credential.issued_at.isoformat(),
        "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
        "status": status,
        "status_reason": credential.state_reason if credential.state in ("revoked", "suspended") else None,
        "standard": {
            "id": credential.standard_id,
            "version": credential.standard_version,
            "current": latest.version.version,
            "is_current": latest.version.version == credential.standard_version,
            "changed_since": changes,
        },
        "transparency_log": {"index": logged.index} if logged else None,
        "renewed_by": renewal.public_id if renewal is not None else None,
        "renews": credential.renews,
        "verification": {"verified": result.verdict.value == "valid", **result.as_dict()},
    }


def _looks_like_id(public_id: str) -> bool:
    return 16 <= len(public_id) <= 64 and all(c.isalnum() or c in "-_" for c in public_id)
