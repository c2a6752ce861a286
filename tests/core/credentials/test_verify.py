"""The core verifier: a result per check, a verdict that fails closed, precise failures for bad input."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assay.core.credentials import multikey
from assay.core.credentials.statuslist import Bitstring, status_entry, status_list_credential
from assay.core.credentials.suites import Ed25519Signer, sign
from assay.core.credentials.verification import Outcome, Verdict
from assay.core.credentials.verify import verify_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ISSUER = Ed25519Signer(bytes(range(32)))
OTHER = Ed25519Signer(bytes(range(1, 33)))
DID = multikey.did_key(ISSUER.public_key)
METHOD = multikey.did_key_verification_method(ISSUER.public_key)
LIST_URL = "https://assay.example/status/r1"


def credential(*, issuer: str = DID, status: bool = True, valid_until: str = "2027-01-01T00:00:00Z") -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:5f1c3a8e-0d7a-4c7e-9a40-1b2c3d4e5f60",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": valid_until,
        "credentialSubject": {"id": "did:example:holder", "name": "Ada"},
    }
    if status:
        doc["credentialStatus"] = status_entry(list_url=LIST_URL, purpose="revocation", index=42)
    return doc


def signed(doc: dict[str, Any], signer: Ed25519Signer = ISSUER, suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    return sign(
        doc,
        signer=signer,
        verification_method=multikey.did_key_verification_method(signer.public_key),
        created="2026-01-01T00:00:00Z",
        cryptosuite=suite,
    )


def status_list(
    *,
    revoked: bool = False,
    length: int = 131072,
    valid_until: str = "2026-06-03T00:00:00Z",
    signer: Ed25519Signer | None = ISSUER,
    issuer: str = DID,
    purpose: str = "revocation",
) -> dict[str, Any]:
    bits = Bitstring.zeros(length)
    if revoked:
        bits.set(42, True)
    doc = status_list_credential(
        list_url=LIST_URL,
        issuer=issuer,
        purpose=purpose,
        bitstring=bits,
        valid_from="2026-05-30T00:00:00Z",
        valid_until=valid_until,
        ttl_ms=300000,
    )
    return signed(doc, signer) if signer else doc


def outcome(result: Any, name: str) -> Outcome:
    return result.check(name).outcome


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_good_credential_is_valid(suite: str) -> None:
    result = verify_credential(signed(credential(), suite=suite), now=NOW, status_source={LIST_URL: status_list()})
    assert result.verdict is Verdict.VALID, result.as_dict()
    assert [c.name for c in result.checks] == ["document", "proof", "issuer", "key_state", "status", "validity"]
    assert Verdict.VALID.exit_code == 0


def test_status_that_cannot_be_had_is_could_not_check_never_valid() -> None:
    result = verify_credential(signed(credential()), now=NOW)
    assert result.verdict is Verdict.UNKNOWN and result.verdict.exit_code == 2
    assert outcome(result, "status") is Outcome.UNKNOWN


def test_revoked() -> None:
    result = verify_credential(signed(credential()), now=NOW, status_source={LIST_URL: status_list(revoked=True)})
    assert result.verdict is Verdict.INVALID and result.check("status").detail == "revoked"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("lst", "expected", "fragment"),
    [
        (status_list(length=8 * 1024), Outcome.FAILED, "at least 131072"),
        (status_list(signer=None), Outcome.FAILED, "not validly signed"),
        (
            status_list(signer=OTHER, issuer=multikey.did_key(OTHER.public_key)),
            Outcome.FAILED,
            "not by the credential's issuer",
        ),
        (status_list(valid_until="2026-05-31T00:00:00Z"), Outcome.UNKNOWN, "lapsed"),
        (status_list(purpose="suspension"), Outcome.FAILED, "another purpose"),
    ],
)
def test_bad_status_lists(lst: dict[str, Any], expected: Outcome, fragment: str) -> None:
    result = verify_credential(signed(credential()), now=NOW, status_source={LIST_URL: lst})
    check = result.check("status")
    assert check is not None and check.outcome is expected and fragment in check.detail, check
    assert result.verdict is not Verdict.VALID


def test_tampered_field() -> None:
    doc = signed(credential())
    doc["credentialSubject"]["name"] = "Mallory"
    result = verify_credential(doc, now=NOW, status_source={LIST_URL: status_list()})
    assert result.verdict is Verdict.INVALID and outcome(result, "proof") is Outcome.FAILED
    assert all(c.outcome is Outcome.NOT_RUN for c in result.checks[2:])


def test_issuer_that_does_not_control_the_key() -> None:
    doc = signed(credential(issuer="did:web:assay.example"))
    result = verify_credential(doc, now=NOW, status_source={LIST_URL: status_list()})
    assert outcome(result, "issuer") is Outcome.FAILED and result.verdict is Verdict.INVALID


def test_expired_and_not_yet_valid() -> None:
    expired = verify_credential(signed(credential(status=False, valid_until="2026-02-01T00:00:00Z")), now=NOW)
    assert outcome(expired, "validity") is Outcome.FAILED and "expired" in expired.check("validity").detail  # type: ignore[union-attr]
    early = verify_credential(signed(credential(status=False)), now=datetime(2025, 1, 1, tzinfo=UTC))
    assert outcome(early, "validity") is Outcome.FAILED


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d["proof"].update(cryptosuite="ecdsa-rdfc-2019"), "unsupported proof"),
        (lambda d: d["proof"].update(type="Ed25519Signature2020"), "unsupported proof"),
        (lambda d: d.pop("proof"), "there is no proof"),
        (lambda d: d["@context"].append("https://evil.example/context.json"), "evil.example"),
        (lambda d: d["proof"].update(proofValue="z111"), "proof"),
    ],
)
def test_bad_proofs_and_contexts_are_precise_failures(mutate: Any, fragment: str) -> None:
    doc = copy.deepcopy(signed(credential(status=False)))
    mutate(doc)
    result = verify_credential(doc, now=NOW)
    assert result.verdict is Verdict.INVALID
    failed = next(c for c in result.checks if c.outcome is Outcome.FAILED)
    assert fragment in failed.detail, failed


def test_did_web_needs_its_document_offline() -> None:
    web = "did:web:assay.example"
    doc = sign(
        credential(issuer=web, status=False),
        signer=ISSUER,
        verification_method=f"{web}#key-1",
        created="2026-01-01T00:00:00Z",
    )
    unknown = verify_credential(doc, now=NOW)
    assert unknown.verdict is Verdict.UNKNOWN and outcome(unknown, "proof") is Outcome.UNKNOWN
    did_doc = multikey.did_web_document(
        web,
        [multikey.PublishedKey("key-1", multikey.public_key_multibase(ISSUER.public_key), multikey.KeyState.RETIRED)],
    )
    assert verify_credential(doc, now=NOW, did_documents=[did_doc]).verdict is Verdict.VALID
    withdrawn = multikey.did_web_document(
        web,
        [
            multikey.PublishedKey(
                "key-1",
                multikey.public_key_multibase(ISSUER.public_key),
                multikey.KeyState.COMPROMISED,
                revoked="2026-03-01T00:00:00Z",
            )
        ],
    )
    assert verify_credential(doc, now=NOW, did_documents=[withdrawn]).verdict is Verdict.INVALID


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"null", b'"text"', b"[" * 3000 + b"]" * 3000, json.dumps({"a": "x" * (2 * 1024 * 1024)}).encode()],
)
def test_garbage_never_crashes(raw: bytes) -> None:
    result = verify_credential(raw, now=NOW)
    assert result.verdict is Verdict.INVALID and outcome(result, "document") is Outcome.FAILED


def test_created_in_the_future() -> None:
    result = verify_credential(
        signed(credential(status=False)), now=datetime(2026, 1, 1, tzinfo=UTC) - timedelta(seconds=1)
    )
    assert result.verdict is Verdict.INVALID
