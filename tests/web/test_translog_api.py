"""The transparency log over HTTP, and the holder's download that carries its proof."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi.testclient import TestClient

from assay.core.credentials.multikey import key_resolver
from assay.core.translog import merkle
from assay.core.translog.heads import canonical, head_from_dict, head_signature_valid
from tests.web.conftest import PASSWORD, post_form
from tests.web.test_registry import issue_one


def test_heads_proofs_and_entries(client: TestClient, rt: Any) -> None:
    assert client.get("/log/heads/latest").status_code == 404  # nothing logged yet: a clear answer
    document = issue_one(client, rt)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()
    latest = client.get("/log/heads/latest")
    assert latest.status_code == 200 and "max-age" in latest.headers["cache-control"]
    head = head_from_dict(latest.json())
    did = client.get("/.well-known/did.json").json()
    assert head_signature_valid(head, key_resolver([did])(head.key))  # type: ignore[arg-type]

    bundle = client.get(f"/log/credentials/{digest}").json()
    leaf = merkle.leaf_hash(canonical(bundle["leaf"]))
    proof = client.get("/log/proof/inclusion", params={"index": bundle["leaf_index"], "size": head.tree_size}).json()
    assert proof["proof"] == bundle["inclusion_proof"]
    assert merkle.verify_inclusion(
        leaf,
        bundle["leaf_index"],
        head.tree_size,
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(head.root_hash),
    )
    entries = client.get("/log/entries", params={"start": 0, "end": head.tree_size}).json()
    assert [e["index"] for e in entries] == list(range(head.tree_size))
    assert all(hashlib.sha256(b"\x00" + e["data"].encode()).hexdigest() == e["leaf_hash"] for e in entries)
    consistency = client.get("/log/proof/consistency", params={"from": 1, "to": head.tree_size})
    assert consistency.status_code == 200

    # Bad questions get clear answers, never a crash.
    assert client.get("/log/proof/inclusion", params={"index": 5, "size": 10_000}).status_code == 400
    assert (
        client.get("/log/proof/inclusion", params={"index": head.tree_size, "size": head.tree_size}).status_code == 400
    )
    assert client.get("/log/proof/inclusion", params={"index": -1, "size": 1}).status_code == 400
    assert client.get("/log/proof/consistency", params={"from": 0, "to": 1}).status_code == 400
    assert client.get("/log/entries", params={"start": 0, "end": 5000}).status_code == 400
    assert client.get(f"/log/credentials/{'0' * 64}").status_code == 404


def test_the_holder_downloads_the_credential_with_its_proof(client: TestClient, rt: Any) -> None:
    document = issue_one(client, rt)
    post = post_form(client, "/account/signin", {"email": "sam@example.org", "password": PASSWORD})
    assert post.status_code == 303  # type: ignore[attr-defined]
    public_id = document["id"].rsplit("/", 1)[-1]
    page = client.get("/account")
    assert f"/account/credentials/{public_id}.proof.json" in page.text
    kept = client.get(f"/account/credentials/{public_id}.proof.json").json()
    assert kept["credential"] == document
    assert kept["transparency"]["leaf"]["event"] == "credential.issued"
    assert kept["transparency"]["tree_head"]["tree_size"] > kept["transparency"]["leaf_index"]
