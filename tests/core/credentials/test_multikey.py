"""base58btc, Ed25519 Multikey, did:key resolution and the did:web document with key states."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.core.credentials import multikey
from assay.core.credentials.multikey import KeyState, MultikeyError, PublishedKey
from assay.core.credentials.suites import Ed25519Signer
from tests.core.credentials.conftest import read_json

SEED_1 = bytes.fromhex("00" * 31 + "01")
# From `node did.mjs 00…01` in shared/interop (Digital Bazaar's did-method-key 5.3.0).
DID_1 = "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"
VM_1 = f"{DID_1}#z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
        (bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"), "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
    ],
)
def test_base58_known_values(raw: bytes, encoded: str) -> None:
    assert multikey.base58_encode(raw) == encoded
    assert multikey.base58_decode(encoded) == raw


@given(st.binary(max_size=80))
def test_base58_round_trips(data: bytes) -> None:
    assert multikey.base58_decode(multikey.base58_encode(data)) == data


def test_base58_refuses_characters_outside_the_alphabet() -> None:
    for bad in ("0", "O", "I", "l", "+"):
        with pytest.raises(MultikeyError):
            multikey.base58_decode("abc" + bad)


def test_multibase_refuses_other_bases_and_absurd_lengths() -> None:
    with pytest.raises(MultikeyError, match="base58btc"):
        multikey.multibase_decode("uAAAA")
    with pytest.raises(MultikeyError, match="longer"):
        multikey.multibase_decode("z" + "2" * 10_000)


def test_the_vector_key_pair_decodes(vectors: Path) -> None:
    pair = read_json(vectors / "keyPair.json")
    seed = multikey.decode_secret_key_multibase(pair["privateKeyMultibase"])
    assert multikey.secret_key_multibase(seed) == pair["privateKeyMultibase"]
    public = Ed25519Signer(seed).public_key
    assert multikey.public_key_multibase(public) == pair["publicKeyMultibase"]
    assert multikey.decode_public_key_multibase(pair["publicKeyMultibase"]) == public
    assert pair["publicKeyMultibase"].startswith("z6Mk")


def test_headers_are_not_interchangeable(vectors: Path) -> None:
    pair = read_json(vectors / "keyPair.json")
    with pytest.raises(MultikeyError, match="0xed01"):
        multikey.decode_public_key_multibase(pair["privateKeyMultibase"])
    with pytest.raises(MultikeyError, match="0x8026"):
        multikey.decode_secret_key_multibase(pair["publicKeyMultibase"])
    with pytest.raises(MultikeyError, match="32 bytes"):
        multikey.public_key_multibase(b"short")


def test_did_key_matches_the_node_implementation() -> None:
    public = Ed25519Signer(SEED_1).public_key
    assert multikey.did_key(public) == DID_1
    assert multikey.did_key_verification_method(public) == VM_1
    assert multikey.resolve_did_key(DID_1) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID_1,
        "verificationMethod": [
            {"id": VM_1, "type": "Multikey", "controller": DID_1, "publicKeyMultibase": VM_1.split("#")[1]}
        ],
        "authentication": [VM_1],
        "assertionMethod": [VM_1],
        "capabilityDelegation": [VM_1],
        "capabilityInvocation": [VM_1],
    }
    assert multikey.did_key_public_key(VM_1) == public


def test_did_key_urls_that_are_not_its_one_method() -> None:
    assert multikey.did_key_public_key(DID_1) is None  # a DID, not a verification method
    assert multikey.did_key_public_key(f"{DID_1}#other") is None
    assert multikey.did_key_public_key("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc#x") is None
    with pytest.raises(MultikeyError):
        multikey.resolve_did_key("did:web:example.org")


def _key(fragment: str, seed: int, state: KeyState, revoked: str | None = None) -> PublishedKey:
    public = Ed25519Signer(bytes([seed]) * 32).public_key
    return PublishedKey(fragment, multikey.public_key_multibase(public), state, revoked)


def test_did_web_document_keeps_every_key_with_its_state() -> None:
    did = "did:web:certs.example.org"
    keys = [
        _key("key-1", 1, KeyState.RETIRED),
        _key("key-2", 2, KeyState.COMPROMISED, "2025-03-01T00:00:00Z"),
        _key("key-3", 3, KeyState.ACTIVE),
    ]
    document = multikey.did_web_document(did, keys)
    assert [m["id"] for m in document["verificationMethod"]] == [f"{did}#key-1", f"{did}#key-2", f"{did}#key-3"]
    assert document["assertionMethod"] == [f"{did}#key-1", f"{did}#key-3"]
    assert document["verificationMethod"][1]["revoked"] == "2025-03-01T00:00:00Z"
    resolve = multikey.key_resolver([document])
    assert resolve(f"{did}#key-1") == Ed25519Signer(bytes([1]) * 32).public_key  # retired: old credentials verify
    assert resolve(f"{did}#key-2") is None  # compromised: nothing it signed is accepted
    assert resolve(f"{did}#key-3") == Ed25519Signer(bytes([3]) * 32).public_key
    assert resolve(f"{did}#key-4") is None
    assert resolve("did:web:other.example#key-1") is None
    assert resolve(VM_1) == Ed25519Signer(SEED_1).public_key


def test_did_web_document_refuses_nonsense() -> None:
    with pytest.raises(MultikeyError, match="did:web"):
        multikey.did_web_document("did:key:z6Mk", [])
    with pytest.raises(MultikeyError, match="unique"):
        multikey.did_web_document("did:web:a", [_key("k", 1, KeyState.ACTIVE), _key("k", 2, KeyState.RETIRED)])
    with pytest.raises(MultikeyError, match="revoked"):
        multikey.did_web_document("did:web:a", [_key("k", 1, KeyState.COMPROMISED)])
    with pytest.raises(MultikeyError, match="fragment"):
        multikey.did_web_document("did:web:a", [_key("k#1", 1, KeyState.ACTIVE)])


def test_assertion_key_reads_relative_ids_and_checks_the_controller() -> None:
    public = multikey.public_key_multibase(Ed25519Signer(SEED_1).public_key)
    method = {"id": "#k", "type": "Multikey", "publicKeyMultibase": public}
    document = {"id": "did:web:a", "verificationMethod": [method], "assertionMethod": ["#k"]}
    assert multikey.assertion_key(document, "did:web:a#k") == Ed25519Signer(SEED_1).public_key
    foreign = {**document, "verificationMethod": [{**method, "controller": "did:web:b"}]}
    assert multikey.assertion_key(foreign, "did:web:a#k") is None
    not_listed = {**document, "assertionMethod": []}
    assert multikey.assertion_key(not_listed, "did:web:a#k") is None
