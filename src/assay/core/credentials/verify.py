"""The one credential verifier: used by the CLI (offline), the web app and the API.

Every check reports passed, failed, or could not check; the verdict fails closed. Nothing here
fetches anything: DID documents and status lists are handed in (files, the registry's own database,
or the guarded HTTP client in an adapter), and JSON-LD contexts come only from the package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from assay.core.credentials.jsonld import DEFAULT_LIMITS, CredentialDataError, Limits, check_limits, parse_json
from assay.core.credentials.multikey import assertion_key, did_key_public_key, resolve_did_key
from assay.core.credentials.openbadges import check_required_fields
from assay.core.credentials.statuslist import Bitstring, StatusListError
from assay.core.credentials.suites import SUPPORTED_CRYPTOSUITES, verify_proof
from assay.core.credentials.verification import Outcome, Verification, check_validity, parse_time

StatusSource = Callable[[str], Mapping[str, Any] | None]


def _types(node: Mapping[str, Any]) -> list[str]:
    t = node.get("type")
    return [t] if isinstance(t, str) else [x for x in t if isinstance(x, str)] if isinstance(t, list) else []


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


class DidDirectory:
    """DID documents we may use: did:key resolved locally, others only as handed in."""

    def __init__(self, documents: Iterable[Mapping[str, Any]] = ()) -> None:
        self._docs = {str(d.get("id")): d for d in documents if isinstance(d, Mapping)}

    def document(self, did: str) -> Mapping[str, Any] | None:
        if did.startswith("did:key:"):
            try:
                return resolve_did_key(did)
            except ValueError:
                return None
        return self._docs.get(did)

    def key(self, verification_method: str) -> bytes | None:
        if verification_method.startswith("did:key:"):
            return did_key_public_key(verification_method)
        doc = self._docs.get(verification_method.partition("#")[0])
        return assertion_key(doc, verification_method) if doc is not None else None


def verify_credential(
    raw: bytes | str | Mapping[str, Any],
    *,
    now: datetime,
    did_documents: Iterable[Mapping[str, Any]] = (),
    status_source: StatusSource | Mapping[str, Mapping[str, Any]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    expected_type: str = "VerifiableCredential",
) -> Verification:
    result = Verification()
    dids = DidDirectory(did_documents)
    lookup: StatusSource
    if status_source is None:
        lookup = lambda _url: None  # noqa: E731 - no source: every status is "could not check"
    elif isinstance(status_source, Mapping):
        lists = status_source
        lookup = lists.get
    else:
        lookup = status_source

    # 1. Document shape.
    try:
        if isinstance(raw, Mapping):
            credential = dict(raw)
            check_limits(credential, limits)
        else:
            credential = parse_json(raw, limits)
    except CredentialDataError as exc:
        result.add("document", Outcome.FAILED, exc.message)
        result.skip_rest("the document could not be read")
        return result
    result.credential = credential
    types = _types(credential)
    problems = []
    if expected_type not in types:
        problems.append(f"type must include {expected_type}")
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        problems += check_required_fields(credential)
    if not isinstance(credential.get("proof"), Mapping):
        problems.append("there is no proof (exactly one Data Integrity proof object is expected)")
    if problems:
        result.add("document", Outcome.FAILED, "; ".join(problems))
        result.skip_rest("the document is not a well-formed credential")
        return result
    result.add("document", Outcome.PASSED, ", ".join(types))

    # 2 and 3. Proof, and the issuer's control of the key.
    proof = credential["proof"]
    method = proof.get("verificationMethod")
    issuer = _issuer_id(credential)
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") not in SUPPORTED_CRYPTOSUITES:
        result.add(
            "proof",
            Outcome.FAILED,
            f"unsupported proof {proof.get('type')!r} / cryptosuite {proof.get('cryptosuite')!r}; "
            f"supported: DataIntegrityProof with {', '.join(SUPPORTED_CRYPTOSUITES)}",
        )
        result.skip_rest("the proof cannot be checked")
        return result
    if not isinstance(method, str) or ":" not in method:
        result.add("proof", Outcome.FAILED, "proof.verificationMethod is missing or not a DID URL")
        result.skip_rest("the proof cannot be checked")
        return result
    controller = method.partition("#")[0]
    if dids.document(controller) is None:
        result.add(
            "proof",
            Outcome.UNKNOWN,
            f"the DID document of {controller} is not available offline; pass it to check the signature",
        )
        result.skip_rest("the signing key could not be resolved")
        return result
    outcome = verify_proof(credential, resolve_key=dids.key)
    if not outcome.ok:
        result.add("proof", Outcome.FAILED, outcome.reason)
        result.skip_rest("the signature did not verify")
        return result
    result.add("proof", Outcome.PASSED, f"{proof['cryptosuite']} signature by {method}")
    if issuer != controller:
        result.add("issuer", Outcome.FAILED, f"the issuer is {issuer!r} but the key belongs to {controller}")
    else:
        result.add("issuer", Outcome.PASSED, f"{controller} lists {method} for assertions")

    # 4. Key state: a withdrawn (compromised) key appears with `revoked` and out of assertionMethod, so
    # the proof check above already failed for it; here we say what the DID document says of the key.
    document = dids.document(controller) or {}
    vm = next(
        (
            m
            for m in document.get("verificationMethod", [])
            if isinstance(m, Mapping) and str(m.get("id", "")).endswith(method.partition("#")[2])
        ),
        None,
    )
    created = parse_time(proof.get("created"))
    if isinstance(vm, Mapping) and "revoked" in vm:
        result.add("key_state", Outcome.FAILED, f"the key was withdrawn on {vm['revoked']}")
    elif created is not None and created > now:
        result.add(
            "key_state", Outcome.FAILED, f"the proof claims to be created in the future ({proof.get('created')})"
        )
    else:
        result.add("key_state", Outcome.PASSED, "the key is listed for assertions and not withdrawn")

    # 5. Status.
    outcome_s, detail = _check_status(credential, issuer, now, lookup, dids)
    result.add("status", outcome_s, detail)

    # 6. Validity window.
    outcome_v, detail = check_validity(credential, now)
    result.add("validity", outcome_v, detail)
    return result


def _check_status(
    credential: Mapping[str, Any], issuer: str | None, now: datetime, lookup: StatusSource, dids: DidDirectory
) -> tuple[Outcome, str]:
    raw_entries = credential.get("credentialStatus")
    if raw_entries is None:
        return Outcome.PASSED, "the credential carries no status entries"
    entries = raw_entries if isinstance(raw_entries, list) else [raw_entries]
    notes = []
    worst = Outcome.PASSED
    for entry in entries:
        outcome, note = _check_entry(entry, issuer, now, lookup, dids)
        notes.append(note)
        if outcome is Outcome.FAILED or (outcome is Outcome.UNKNOWN and worst is Outcome.PASSED):
            worst = outcome
    return worst, "; ".join(notes)


def _check_entry(
    entry: Any, issuer: str | None, now: datetime, lookup: StatusSource, dids: DidDirectory
) -> tuple[Outcome, str]:
    if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
        return Outcome.FAILED, "a status entry is not a BitstringStatusListEntry"
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        return Outcome.FAILED, f"status index {entry.get('statusListIndex')!r} is not a number"
    if purpose not in {"revocation", "suspension"} or not isinstance(url, str):
        return Outcome.FAILED, f"unsupported status purpose {purpose!r} or missing list URL"
    status_list = lookup(url)
    if status_list is None:
        return Outcome.UNKNOWN, f"{purpose} list {url} is not available"
    listed = verify_credential(
        status_list,
        now=now,
        did_documents=dids._docs.values(),
        status_source=None,
        expected_type="BitstringStatusListCredential",
    )
    proof_check = listed.check("proof")
    if proof_check is None or proof_check.outcome is not Outcome.PASSED:
        reason = proof_check.detail if proof_check else "it is unreadable"
        return Outcome.FAILED, f"{purpose} list {url} is not validly signed: {reason}"
    document = listed.credential or {}
    if _issuer_id(document) != issuer:
        return (
            Outcome.FAILED,
            f"{purpose} list {url} was issued by {_issuer_id(document)}, not by the credential's issuer",
        )
    if document.get("id") not in (None, url):
        return Outcome.FAILED, f"{purpose} list at {url} says its id is {document.get('id')}"
    validity = listed.check("validity")
    if validity is None or validity.outcome is not Outcome.PASSED:
        return (
            Outcome.UNKNOWN,
            f"{purpose} list {url} has lapsed or is not yet valid ({validity.detail if validity else 'no dates'}); current status unknown",
        )
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != purpose:
        return Outcome.FAILED, f"{purpose} list {url} is for another purpose"
    try:
        bits = Bitstring.decode(str(subject.get("encodedList")))
    except StatusListError as exc:
        return Outcome.FAILED, f"{purpose} list {url}: {exc}"
    if not 0 <= index < bits.length:
        return Outcome.FAILED, f"status index {index} is outside the {purpose} list"
    if bits.get(index):
        return Outcome.FAILED, "revoked" if purpose == "revocation" else "suspended"
    return Outcome.PASSED, f"not {'revoked' if purpose == 'revocation' else 'suspended'}"
