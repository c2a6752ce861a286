"""The registry endpoints verifiers use: DID document, status lists, and POST /credentials/verify."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.issuing import issue_foundation
from tests.web.conftest import PASSWORD


def issue_one(client: TestClient, rt: Any) -> dict[str, Any]:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        credential = issue_foundation(db, rt, password=PASSWORD)
        db.commit()
        document: dict[str, Any] = json.loads(credential.document)
        return document


def test_did_document_and_status_lists_are_served(client: TestClient, rt: Any) -> None:
    credential = issue_one(client, rt)
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did.headers["content-type"].startswith("application/did+json")
    assert did.json()["id"] == "did:web:testserver"
    assert "public" in did.headers["cache-control"]
    for entry in credential["credentialStatus"]:
        path = entry["statusListCredential"].removeprefix("http://testserver")
        listed = client.get(path)
        assert listed.status_code == 200
        assert listed.json()["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
        assert listed.headers["cache-control"] == "public, max-age=300"
    assert client.get("/status/nope").status_code == 404


def test_verify_endpoint(client: TestClient, rt: Any) -> None:
    credential = issue_one(client, rt)
    ok = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert ok.status_code == 200, ok.text
    assert ok.json()["verified"] is True and ok.json()["verdict"] == "valid"
    credential["name"] = "Forged"
    bad = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert bad["verified"] is False and bad["verdict"] == "invalid"
    assert client.post("/credentials/verify", json={"credential": 1}).status_code == 400
    assert (
        client.post("/credentials/verify", content=b"{nope", headers={"content-type": "application/json"}).status_code
        == 422
    )
