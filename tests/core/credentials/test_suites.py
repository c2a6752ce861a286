"""sign() and verify_proof(): both cryptosuites, every failure step, proof sets, did:web keys, Unicode."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.core.credentials import multikey, suites
from assay.core.credentials.jsonld import ContextNotAllowed, DocumentTooLarge, Limits, UnsafeDocument
from assay.core.credentials.multikey import KeyState, PublishedKey
from assay.core.credentials.suites import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    Ed25519Signer,
    ProofResult,
    ProofStep,
    SigningRefused,
)
from tests.core.credentials.conftest import interop_dir

SIGNER = Ed25519Signer(bytes(range(32)))
VM = multikey.did_key_verification_method(SIGNER.public_key)
CREATED = "2025-01-02T03:04:05Z"
BOTH = [EDDSA_RDFC_2022, EDDSA_JCS_2022]
RESOLVE = multikey.key_resolver()


def credential() -> dict[str, Any]:
    document = json.loads((interop_dir() / "samples" / "ob3-unsigned.json").read_text("utf-8"))
    document["issuer"]["id"] = multikey.did_key(SIGNER.public_key)
    return document


def signed(cryptosuite: str = EDDSA_RDFC_2022, document: dict[str, Any] | None = None) -> dict[str, Any]:
    return suites.sign(
        document or credential(), signer=SIGNER, verification_method=VM, created=CREATED, cryptosuite=cryptosuite
    )


def verify(document: Any, **kwargs: Any) -> ProofResult:
    return suites.verify_proof(document, resolve_key=kwargs.pop("resolve_key", RESOLVE), **kwargs)


# --- signing ---------------------------------------------------------------------------------


def test_rdfc_is_the_default_and_the_input_is_left_alone() -> None:
    document = credential()
    before = copy.deepcopy(document)
    result = suites.sign(document, signer=SIGNER, verification_method=VM, created=CREATED)
    assert document == before
    assert result["proof"]["cryptosuite"] == EDDSA_RDFC_2022
    assert "@context" not in result["proof"]
    assert {k: v for k, v in result.items() if k != "proof"} == before


@pytest.mark.parametrize("cryptosuite", BOTH)
def test_signing_is_deterministic_and_verifies(cryptosuite: str) -> None:
    first, second = signed(cryptosuite), signed(cryptosuite)
    assert first == second
    result = verify(first)
    assert result == ProofResult(True, None, "The proof verifies.", cryptosuite, VM, CREATED)


def test_a_jcs_proof_carries_the_document_context() -> None:
    assert signed(EDDSA_JCS_2022)["proof"]["@context"] == credential()["@context"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "Unsupported cryptosuite"),
        ({"created": "2025-01-02 03:04:05"}, "dateTimeStamp"),
        ({"created": "2025-01-02T03:04:05"}, "dateTimeStamp"),  # no time zone
        ({"verification_method": multikey.did_key_verification_method(bytes(32))}, "not the key"),
    ],
)
def test_signing_refuses_bad_arguments(change: dict[str, str], message: str) -> None:
    arguments: dict[str, Any] = {"signer": SIGNER, "verification_method": VM, "created": CREATED, **change}
    with pytest.raises(SigningRefused, match=message):
        suites.sign(credential(), **arguments)


@pytest.mark.parametrize("cryptosuite", BOTH)
@pytest.mark.parametrize("text", ["\ufffe", "a\uffffb", "\ud800"])
def test_noncharacters_are_refused_because_implementations_disagree(cryptosuite: str, text: str) -> None:
    document = credential()
    document["credentialSubject"]["achievement"]["name"] = text
    with pytest.raises(SigningRefused, match=r"U\+FFFE") as refused:
        signed(cryptosuite, document)
    assert list(refused.value.fields) == ["$.credentialSubject.achievement.name"]


@pytest.mark.parametrize("cryptosuite", BOTH)
def test_signing_refuses_what_would_not_be_signed(cryptosuite: str) -> None:
    document = credential()
    document["credentialSubject"]["grade"] = "A"
    with pytest.raises(UnsafeDocument) as refused:
        signed(cryptosuite, document)
    assert [p.path for p in refused.value.problems] == ["$.credentialSubject.grade"]
    document = credential()
    document["@context"].append("https://example.org/private-context")
    with pytest.raises(ContextNotAllowed):
        signed(cryptosuite, document)
    with pytest.raises(DocumentTooLarge):
        suites.sign(credential(), signer=SIGNER, verification_method=VM, created=CREATED, limits=Limits(max_bytes=100))


def test_signing_a_signed_document_makes_a_proof_set() -> None:
    both = signed(EDDSA_JCS_2022, signed(EDDSA_RDFC_2022))
    assert [p["cryptosuite"] for p in both["proof"]] == BOTH
    assert verify(both).ok
    broken = copy.deepcopy(both)
    broken["proof"][1]["proofValue"] = both["proof"][0]["proofValue"]
    assert verify(broken).step is ProofStep.SIGNATURE
    assert verify(both, accepted_cryptosuites=[EDDSA_RDFC_2022]).step is ProofStep.CRYPTOSUITE


# --- verification failures, one per step -----------------------------------------------------


def with_proof(**changes: Any) -> dict[str, Any]:
    document = signed()
    document["proof"].update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "step"),
    [
        ([], ProofStep.DOCUMENT),
        ({"a": float("inf")}, ProofStep.DOCUMENT),
        (credential(), ProofStep.PROOF),
        ({**credential(), "proof": []}, ProofStep.PROOF),
        ({**credential(), "proof": "z123"}, ProofStep.PROOF),
        (with_proof(type="Ed25519Signature2020"), ProofStep.PROOF_TYPE),
        (with_proof(cryptosuite="ecdsa-rdfc-2019"), ProofStep.CRYPTOSUITE),
        (with_proof(previousProof="urn:uuid:1"), ProofStep.PROOF),
        (with_proof(verificationMethod=None), ProofStep.PROOF),
        (with_proof(created="yesterday"), ProofStep.PROOF),
        (with_proof(expires="2030-01-01"), ProofStep.PROOF),
        (with_proof(proofPurpose="authentication"), ProofStep.PROOF_PURPOSE),
        (with_proof(proofValue="u" + "A" * 86), ProofStep.PROOF_VALUE),
        (with_proof(proofValue="z0OIl"), ProofStep.PROOF_VALUE),
        (with_proof(proofValue="z" + "2" * 10_000), ProofStep.PROOF_VALUE),
        (with_proof(proofValue=multikey.multibase_encode(bytes(63))), ProofStep.PROOF_VALUE),
        (with_proof(proofValue=42), ProofStep.PROOF_VALUE),
        (with_proof(verificationMethod="did:web:unknown.example#key-1"), ProofStep.VERIFICATION_METHOD),
        (with_proof(verificationMethod=multikey.did_key_verification_method(bytes(32))), ProofStep.SIGNATURE),
    ],
)
def test_each_failure_names_its_step(document: Any, step: ProofStep) -> None:
    result = verify(document)
    assert not result.ok
    assert result.step is step, result.reason


def test_an_added_unknown_context_fails_at_the_context_step() -> None:
    document = signed()
    document["@context"].append("https://example.org/ctx")
    result = verify(document)
    assert result.step is ProofStep.CONTEXT
    assert "https://example.org/ctx" in result.reason


def test_an_added_undefined_term_fails_safe_mode_with_its_path() -> None:
    document = signed()
    document["credentialSubject"]["achievement"]["level"] = "gold"
    result = verify(document)
    assert result.step is ProofStep.UNDEFINED_TERM
    assert [p.path for p in result.problems] == ["$.credentialSubject.achievement.level"]


def test_jcs_signs_every_byte_so_an_added_term_breaks_the_signature() -> None:
    document = signed(EDDSA_JCS_2022)
    document["credentialSubject"]["achievement"]["level"] = "gold"
    assert verify(document).step is ProofStep.SIGNATURE


def test_jcs_checks_the_document_context_starts_with_the_proof_context() -> None:
    document = signed(EDDSA_JCS_2022)
    document["@context"] = list(reversed(document["@context"]))
    assert verify(document).step is ProofStep.CONTEXT


def test_verification_does_not_modify_the_document() -> None:
    document = signed()
    before = copy.deepcopy(document)
    verify(document)
    assert document == before


# --- did:web issuer with key states ----------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "ok"), [(KeyState.ACTIVE, True), (KeyState.RETIRED, True), (KeyState.COMPROMISED, False)]
)
def test_did_web_keys_by_state(state: KeyState, ok: bool) -> None:
    did = "did:web:certs.example.org"
    document = credential()
    document["issuer"]["id"] = did
    proofed = suites.sign(document, signer=SIGNER, verification_method=f"{did}#key-1", created=CREATED)
    key = PublishedKey("key-1", multikey.public_key_multibase(SIGNER.public_key), state, "2025-06-01T00:00:00Z")
    result = verify(proofed, resolve_key=multikey.key_resolver([multikey.did_web_document(did, [key])]))
    assert result.ok is ok
    if not ok:
        assert result.step is ProofStep.VERIFICATION_METHOD


# --- arbitrary Unicode -----------------------------------------------------------------------

# Every code point except the three classes Assay refuses to sign (see the test above):
# lone surrogates (category Cs), U+FFFE and U+FFFF.
UNICODE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\ufffe\uffff"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(name=UNICODE, description=UNICODE, cryptosuite=st.sampled_from(BOTH))
def test_any_text_round_trips(name: str, description: str, cryptosuite: str) -> None:
    document = credential()
    document["name"] = name
    document["credentialSubject"]["achievement"]["description"] = description
    proofed = signed(cryptosuite, document)
    assert verify(proofed).ok
    proofed["name"] = name + "\x00"
    assert verify(proofed).step is ProofStep.SIGNATURE
