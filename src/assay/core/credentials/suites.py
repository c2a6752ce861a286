"""Data Integrity proofs: DataIntegrityProof with eddsa-rdfc-2022 (the default) and eddsa-jcs-2022.

Both cryptosuites follow W3C vc-di-eddsa 1.0:

- proof configuration: ``type``, ``cryptosuite``, ``created``, ``verificationMethod``,
  ``proofPurpose``, and ``@context`` set to the document's;
- transformation: RDFC-1.0 canonical N-Quads of the JSON-LD (in safe mode, see `jsonld`) for
  rdfc, the JSON Canonicalization Scheme (RFC 8785) for jcs;
- hashing: SHA-256(canonical proof configuration) || SHA-256(canonical document), 64 bytes;
- Ed25519 signature of those 64 bytes, written as multibase base58btc in ``proofValue``.

A signed rdfc proof does not carry ``@context`` (the document's is used); a jcs proof does, and
verification checks that the document's ``@context`` starts with it. If neither the VC 2.0 nor the
Data Integrity context is in the document, the Data Integrity context is appended to the proof
configuration's, as Digital Bazaar's implementation does, so the proof's own terms are defined.

Signing refuses, with either suite, a document the JSON-LD safe mode refuses (see `jsonld`), and
raises (`CredentialDataError`, a `ValidationFailed`): the caller is issuing and can fix the input. Verification returns a `ProofResult` naming the step that failed: a bad credential is an
answer, not an error. Ed25519 is deterministic, so equal inputs give equal proofs.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assay.core.credentials import multikey, rdfc
from assay.core.credentials.jsonld import (
    DEFAULT_LIMITS,
    ContextNotAllowed,
    CredentialDataError,
    DocumentLoader,
    InvalidJsonLd,
    Limits,
    TermProblem,
    UnsafeDocument,
    check_limits,
    to_dataset,
    uncertain_text,
)

PROOF_TYPE = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
SUPPORTED_CRYPTOSUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022)
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"

# XSD dateTimeStamp: a dateTime with a time zone, as Data Integrity requires of `created`.
_DATETIME_STAMP = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Signer(Protocol):
    """Signs bytes with one Ed25519 key and tells its public key; the private key stays inside."""

    @property
    def public_key(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


class Ed25519Signer:
    """A `Signer` over a raw 32-byte seed, for tests, tools and test vectors."""

    def __init__(self, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)

    @property
    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


class SigningRefused(CredentialDataError):
    code = "signing"


class ProofStep(StrEnum):
    """The check a proof failed, in the order they run."""

    DOCUMENT = "document"  # not a JSON object, malformed, too large or too deep
    PROOF = "proof"  # no proof, or a proof missing or mangling a required field
    PROOF_TYPE = "proof-type"
    CRYPTOSUITE = "cryptosuite"
    PROOF_PURPOSE = "proof-purpose"
    PROOF_VALUE = "proof-value"  # not multibase base58btc of a 64-byte signature
    VERIFICATION_METHOD = "verification-method"  # unknown, or not an Ed25519 key allowed to assert
    CONTEXT = "context"  # a context Assay does not ship, or a jcs proof context the document lacks
    UNDEFINED_TERM = "undefined-term"  # safe mode: something in the document would not be signed
    CANONICALIZATION = "canonicalization"  # invalid JSON-LD, a poison dataset, or JSON JCS cannot encode
    SIGNATURE = "signature"


@dataclass(frozen=True)
class ProofResult:
    ok: bool
    step: ProofStep | None  # None when ok
    reason: str
    cryptosuite: str | None = None
    verification_method: str | None = None
    created: str | None = None
    problems: tuple[TermProblem, ...] = ()  # the undefined terms, when step is UNDEFINED_TERM


@dataclass(frozen=True)
class CanonicalForms:
    """The two transformed inputs of a proof, exactly as hashed."""

    proof_config: bytes
    document: bytes

    def hash_data(self) -> bytes:
        return hashlib.sha256(self.proof_config).digest() + hashlib.sha256(self.document).digest()


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def canonical_forms(
    unsecured_document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    cryptosuite: str,
    loader: DocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CanonicalForms:
    """Proof configuration and transformation of vc-di-eddsa: what gets hashed and signed.

    `proof_options` is the proof without ``proofValue``. Raises CredentialDataError subclasses,
    rdfc.CanonicalizationError or rfc8785.CanonicalizationError.
    """
    config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    if "@context" in unsecured_document:
        config["@context"] = copy.deepcopy(unsecured_document["@context"])
    if cryptosuite == EDDSA_JCS_2022:
        return CanonicalForms(rfc8785.dumps(config), rfc8785.dumps(dict(unsecured_document)))
    if cryptosuite != EDDSA_RDFC_2022:
        raise SigningRefused(
            f"Unsupported cryptosuite {cryptosuite!r}; use one of {', '.join(SUPPORTED_CRYPTOSUITES)}."
        )
    contexts = _as_list(config.get("@context", []))
    if VC_CONTEXT not in contexts and DATA_INTEGRITY_CONTEXT not in contexts:
        config["@context"] = [*contexts, DATA_INTEGRITY_CONTEXT]
    proof_nquads = rdfc.canonicalize(to_dataset(config, loader=loader, limits=limits))
    document_nquads = rdfc.canonicalize(to_dataset(unsecured_document, loader=loader, limits=limits))
    return CanonicalForms(proof_nquads.encode("utf-8"), document_nquads.encode("utf-8"))


def sign(
    document: Mapping[str, Any],
    *,
    signer: Signer,
    verification_method: str,
    created: str,
    cryptosuite: str = EDDSA_RDFC_2022,
    proof_purpose: str = "assertionMethod",
    loader: DocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """A new document with a DataIntegrityProof added (to a proof set if it already has proofs)."""
    if cryptosuite not in SUPPORTED_CRYPTOSUITES:
        raise SigningRefused(
            f"Unsupported cryptosuite {cryptosuite!r}; use one of {', '.join(SUPPORTED_CRYPTOSUITES)}."
        )
    if not _DATETIME_STAMP.match(created):
        raise SigningRefused(f"'created' must be an XSD dateTimeStamp with a time zone, not {created!r}.")
    if verification_method.startswith("did:key:") and multikey.did_key_public_key(verification_method) not in (
        None,
        signer.public_key,
    ):
        raise SigningRefused("The signer's key is not the key of the did:key verification method.")
    check_limits(document, limits)
    odd = uncertain_text(document, limits)
    if odd:
        raise SigningRefused(
            "Text with lone surrogates, U+FFFE or U+FFFF cannot be signed interoperably: " + ", ".join(odd),
            dict.fromkeys(odd, "Remove the noncharacter."),
        )
    unsecured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    if cryptosuite == EDDSA_JCS_2022:
        # JCS signs every byte, but a term no context defines means nothing to a JSON-LD verifier:
        # Assay issues no such term whatever the suite (rdfc runs this check as it canonicalizes).
        to_dataset(unsecured, loader=loader, limits=limits)
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    try:
        forms = canonical_forms(unsecured, options, cryptosuite=cryptosuite, loader=loader, limits=limits)
    except (rdfc.CanonicalizationError, rfc8785.CanonicalizationError) as exc:
        raise SigningRefused(f"The document cannot be canonicalized: {exc}") from None
    proof: dict[str, Any] = dict(options)
    if cryptosuite == EDDSA_JCS_2022 and "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    proof["proofValue"] = multikey.multibase_encode(signer.sign(forms.hash_data()))
    existing = document.get("proof")
    proofs = [] if existing is None else _as_list(existing)
    return {**unsecured, "proof": [*copy.deepcopy(proofs), proof] if proofs else proof}


def _fail(step: ProofStep, reason: str, proof: Mapping[str, Any] | None = None, **extra: Any) -> ProofResult:
    proof = proof or {}
    return ProofResult(
        ok=False,
        step=step,
        reason=reason,
        cryptosuite=_str_or_none(proof.get("cryptosuite")),
        verification_method=_str_or_none(proof.get("verificationMethod")),
        created=_str_or_none(proof.get("created")),
        **extra,
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def verify_proof(
    document: Any,
    *,
    resolve_key: Callable[[str], bytes | None],
    expected_proof_purpose: str = "assertionMethod",
    accepted_cryptosuites: Collection[str] = SUPPORTED_CRYPTOSUITES,
    loader: DocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ProofResult:
    """Check a document's Data Integrity proof(s). Never raises for a bad document; see ProofStep.

    `resolve_key` maps a verification method id to its raw Ed25519 public key, or None when the
    method is unknown or not allowed to sign for the issuer (e.g. `multikey.key_resolver`). With a
    proof set, every proof must verify; the first failure is returned.
    """
    if not isinstance(document, Mapping):
        return _fail(ProofStep.DOCUMENT, "A credential must be a JSON object.")
    try:
        check_limits(document, limits)
    except CredentialDataError as exc:
        return _fail(ProofStep.DOCUMENT, exc.message)
    if "proof" not in document:
        return _fail(ProofStep.PROOF, "The document has no proof.")
    proofs = _as_list(document["proof"])
    if not proofs:
        return _fail(ProofStep.PROOF, "The document's proof set is empty.")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    results = [
        _verify_one(unsecured, proof, resolve_key, expected_proof_purpose, accepted_cryptosuites, loader, limits)
        for proof in proofs
    ]
    return next((r for r in results if not r.ok), results[0])


def _verify_one(
    unsecured: Mapping[str, Any],
    proof: Any,
    resolve_key: Callable[[str], bytes | None],
    expected_proof_purpose: str,
    accepted_cryptosuites: Collection[str],
    loader: DocumentLoader | None,
    limits: Limits,
) -> ProofResult:
    if not isinstance(proof, Mapping):
        return _fail(ProofStep.PROOF, "A proof must be a JSON object.")
    if proof.get("type") != PROOF_TYPE:
        return _fail(
            ProofStep.PROOF_TYPE, f"Unsupported proof type {proof.get('type')!r}; expected {PROOF_TYPE}.", proof
        )
    suite = proof.get("cryptosuite")
    if suite not in SUPPORTED_CRYPTOSUITES or suite not in accepted_cryptosuites:
        return _fail(ProofStep.CRYPTOSUITE, f"Unsupported cryptosuite {suite!r}.", proof)
    if "previousProof" in proof:
        return _fail(ProofStep.PROOF, "Proof chains (previousProof) are not supported.", proof)
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        return _fail(ProofStep.PROOF, "The proof has no verificationMethod.", proof)
    for field in ("created", "expires"):
        value = proof.get(field)
        if value is not None and not (isinstance(value, str) and _DATETIME_STAMP.match(value)):
            return _fail(ProofStep.PROOF, f"The proof's {field!r} is not an XSD dateTimeStamp.", proof)
    if proof.get("proofPurpose") != expected_proof_purpose:
        return _fail(
            ProofStep.PROOF_PURPOSE,
            f"The proof's purpose is {proof.get('proofPurpose')!r}, not {expected_proof_purpose!r}.",
            proof,
        )
    value = proof.get("proofValue")
    try:
        signature = multikey.multibase_decode(value) if isinstance(value, str) else b""
    except multikey.MultikeyError:
        signature = b""
    if len(signature) != 64:
        return _fail(ProofStep.PROOF_VALUE, "proofValue is not multibase base58btc of a 64-byte signature.", proof)
    public_key = resolve_key(method)
    if public_key is None or len(public_key) != multikey.ED25519_KEY_LENGTH:
        return _fail(ProofStep.VERIFICATION_METHOD, f"No Ed25519 key may sign as {method!r}.", proof)
    document = dict(unsecured)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        declared = _as_list(options["@context"])
        if _as_list(document.get("@context", []))[: len(declared)] != declared:
            return _fail(ProofStep.CONTEXT, "The document's @context does not start with the proof's.", proof)
        document["@context"] = options["@context"]
    try:
        forms = canonical_forms(document, options, cryptosuite=suite, loader=loader, limits=limits)
    except ContextNotAllowed as exc:
        return _fail(ProofStep.CONTEXT, exc.message, proof)
    except UnsafeDocument as exc:
        return _fail(ProofStep.UNDEFINED_TERM, exc.message, proof, problems=exc.problems)
    except (InvalidJsonLd, rdfc.CanonicalizationError, rfc8785.CanonicalizationError) as exc:
        return _fail(ProofStep.CANONICALIZATION, str(getattr(exc, "message", exc)), proof)
    except CredentialDataError as exc:
        return _fail(ProofStep.DOCUMENT, exc.message, proof)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, forms.hash_data())
    except InvalidSignature:
        return _fail(ProofStep.SIGNATURE, "The signature does not match the document and proof.", proof)
    return ProofResult(
        ok=True,
        step=None,
        reason="The proof verifies.",
        cryptosuite=suite,
        verification_method=method,
        created=_str_or_none(proof.get("created")),
    )
