"""Shared fixtures for the credential core: the W3C vc-di-eddsa vectors and their key and contexts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from assay.core.credentials import multikey
from assay.core.credentials.jsonld import DocumentLoader
from assay.core.credentials.suites import Ed25519Signer

HERE = Path(__file__).resolve().parent
#: Needed only by the W3C vectors, so shipped with the tests and never with the package.
EXAMPLES_CONTEXT_URL = "https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES_CONTEXT = json.loads((HERE / "contexts" / "credentials-examples-v2.json").read_text("utf-8"))


def interop_dir() -> Path:
    """shared/interop beside the project, or ASSAY_INTEROP_DIR."""
    configured = os.environ.get("ASSAY_INTEROP_DIR")
    return Path(configured) if configured else HERE.parents[3] / "shared" / "interop"


VECTORS = interop_dir() / "vectors" / "w3c-vc-di-eddsa"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="session")
def vectors() -> Path:
    if not VECTORS.is_dir():
        pytest.fail(f"the W3C vc-di-eddsa vectors are missing: {VECTORS}", pytrace=False)
    return VECTORS


@pytest.fixture(scope="session")
def examples_loader() -> DocumentLoader:
    """The shipped contexts plus the W3C examples context the vectors use."""
    return DocumentLoader({EXAMPLES_CONTEXT_URL: EXAMPLES_CONTEXT})


@pytest.fixture(scope="session")
def vector_signer(vectors: Path) -> Ed25519Signer:
    key_pair = read_json(vectors / "keyPair.json")
    signer = Ed25519Signer(multikey.decode_secret_key_multibase(key_pair["privateKeyMultibase"]))
    assert multikey.public_key_multibase(signer.public_key) == key_pair["publicKeyMultibase"]
    return signer
