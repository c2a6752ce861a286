"""The W3C vc-di-eddsa test vectors, reproduced byte for byte for eddsa-rdfc-2022 and eddsa-jcs-2022.

Every intermediate the vectors publish is checked, in the order the algorithm produces it: the
canonical document, the canonical proof configuration, both hashes, their concatenation, the raw
signature and the base58btc proofValue, then the whole signed document.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest

from assay.core.credentials import multikey, suites
from assay.core.credentials.jsonld import DocumentLoader
from assay.core.credentials.suites import Ed25519Signer, ProofStep
from tests.core.credentials.conftest import read_json

CREATED = "2023-02-24T23:36:38Z"
# (cryptosuite, folder, file suffix)
SUITES = [
    pytest.param(suites.EDDSA_RDFC_2022, "eddsa-rdfc-2022", "DataInt", id="rdfc"),
    pytest.param(suites.EDDSA_JCS_2022, "eddsa-jcs-2022", "JCS", id="jcs"),
]
CANONICAL_DOCUMENT = {"DataInt": "canonDocDataInt.txt", "JCS": "canonDocJCS.txt"}
CANONICAL_PROOF = {"DataInt": "proofCanonDataInt.txt", "JCS": "proofCanonJCS.txt"}


def text(path: Path) -> str:
    return path.read_text("utf-8")


def options(cryptosuite: str, signer: Ed25519Signer) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": CREATED,
        "verificationMethod": multikey.did_key_verification_method(signer.public_key),
        "proofPurpose": "assertionMethod",
    }


@pytest.mark.parametrize(("cryptosuite", "folder", "suffix"), SUITES)
def test_every_intermediate_matches(
    vectors: Path,
    examples_loader: DocumentLoader,
    vector_signer: Ed25519Signer,
    cryptosuite: str,
    folder: str,
    suffix: str,
) -> None:
    unsigned = read_json(vectors / "unsigned.json")
    base = vectors / folder
    forms = suites.canonical_forms(
        unsigned, options(cryptosuite, vector_signer), cryptosuite=cryptosuite, loader=examples_loader
    )
    assert forms.document.decode() == text(base / CANONICAL_DOCUMENT[suffix])
    assert forms.proof_config.decode() == text(base / CANONICAL_PROOF[suffix])
    assert hashlib.sha256(forms.document).hexdigest() == text(base / f"docHash{suffix}.txt").strip()
    assert hashlib.sha256(forms.proof_config).hexdigest() == text(base / f"proofHash{suffix}.txt").strip()
    assert forms.hash_data().hex() == text(base / f"combinedHash{suffix}.txt").strip()
    signature = vector_signer.sign(forms.hash_data())
    assert signature.hex() == text(base / f"sigHex{suffix}.txt").strip()
    assert multikey.multibase_encode(signature) == text(base / f"sigBTC58{suffix}.txt").strip()


@pytest.mark.parametrize(("cryptosuite", "folder", "suffix"), SUITES)
def test_the_proof_configuration_is_the_published_one(
    vectors: Path, vector_signer: Ed25519Signer, cryptosuite: str, folder: str, suffix: str
) -> None:
    published = read_json(vectors / folder / f"proofConfig{suffix}.json")
    unsigned = read_json(vectors / "unsigned.json")
    assert published == {**options(cryptosuite, vector_signer), "@context": unsigned["@context"]}


@pytest.mark.parametrize(("cryptosuite", "folder", "suffix"), SUITES)
def test_sign_produces_the_signed_vector(
    vectors: Path,
    examples_loader: DocumentLoader,
    vector_signer: Ed25519Signer,
    cryptosuite: str,
    folder: str,
    suffix: str,
) -> None:
    signed = suites.sign(
        read_json(vectors / "unsigned.json"),
        signer=vector_signer,
        verification_method=multikey.did_key_verification_method(vector_signer.public_key),
        created=CREATED,
        cryptosuite=cryptosuite,
        loader=examples_loader,
    )
    expected = read_json(vectors / folder / f"signed{suffix}.json")
    assert signed == expected
    assert list(signed["proof"]) == list(expected["proof"])  # same key order, for people reading it


@pytest.mark.parametrize(("cryptosuite", "folder", "suffix"), SUITES)
def test_the_signed_vector_verifies(
    vectors: Path, examples_loader: DocumentLoader, cryptosuite: str, folder: str, suffix: str
) -> None:
    result = suites.verify_proof(
        read_json(vectors / folder / f"signed{suffix}.json"),
        resolve_key=multikey.key_resolver(),
        loader=examples_loader,
    )
    assert result.ok, result
    assert result.cryptosuite == cryptosuite
    assert result.created == CREATED


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every leaf of a JSON value, as a path of keys and indexes."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, (*path, i))]
    return [path]


def _tampered(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    holder: Any = changed
    for key in path[:-1]:
        holder = holder[key]
    old = holder[path[-1]]
    holder[path[-1]] = old + "x" if isinstance(old, str) else "tampered"
    return changed


@pytest.mark.parametrize(("cryptosuite", "folder", "suffix"), SUITES)
def test_changing_any_field_breaks_the_proof(
    vectors: Path, examples_loader: DocumentLoader, cryptosuite: str, folder: str, suffix: str
) -> None:
    signed = read_json(vectors / folder / f"signed{suffix}.json")
    leaves = [p for p in _paths(signed) if p != ("proof", "proofValue")]
    assert len(leaves) > 12
    for path in leaves:
        result = suites.verify_proof(
            _tampered(signed, path), resolve_key=multikey.key_resolver(), loader=examples_loader
        )
        assert not result.ok, path
        assert result.step is not None


@pytest.mark.parametrize(("cryptosuite", "folder", "suffix"), SUITES)
def test_a_changed_signature_fails_at_the_signature_step(
    vectors: Path, examples_loader: DocumentLoader, cryptosuite: str, folder: str, suffix: str
) -> None:
    signed = read_json(vectors / folder / f"signed{suffix}.json")
    signature = bytearray(multikey.multibase_decode(signed["proof"]["proofValue"]))
    signature[10] ^= 1
    signed["proof"]["proofValue"] = multikey.multibase_encode(bytes(signature))
    result = suites.verify_proof(signed, resolve_key=multikey.key_resolver(), loader=examples_loader)
    assert result.step is ProofStep.SIGNATURE


def test_the_employment_vector_signs_its_canonical_forms(vectors: Path, vector_signer: Ed25519Signer) -> None:
    """Its context (w3id.org/citizenship/v4rc1) is not shipped, so hashing and signing are checked from
    the published canonical forms, and the canonicalizer against them in test_rdfc."""
    base = vectors / "eddsa-rdfc-2022" / "employ"
    forms = suites.CanonicalForms(
        text(base / "proofCanonDataInt.txt").encode(), text(base / "canonDocDataInt.txt").encode()
    )
    assert forms.hash_data().hex() == text(base / "combinedHashDataInt.txt").strip()
    signature = vector_signer.sign(forms.hash_data())
    assert multikey.multibase_encode(signature) == text(base / "sigBTC58DataInt.txt").strip()
    assert read_json(base / "signedDataInt.json")["proof"]["proofValue"] == multikey.multibase_encode(signature)


def test_the_employment_vector_is_refused_offline(vectors: Path) -> None:
    result = suites.verify_proof(
        read_json(vectors / "eddsa-rdfc-2022" / "employ" / "signedDataInt.json"), resolve_key=multikey.key_resolver()
    )
    assert result.step is ProofStep.CONTEXT
    assert "https://w3id.org/citizenship/v4rc1" in result.reason
