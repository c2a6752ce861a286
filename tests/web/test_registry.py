"""The registry endpoints verifiers use: DID document, status lists, and POST /credentials/verify."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from assay.core.roles import Role
from assay.services import accounts, issuance, roles, standards, statuslists
from tests.web.conftest import PASSWORD


def issue_one(client: TestClient, rt: Any) -> dict[str, Any]:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)
        for name, role in (("jonas", Role.REVIEWER), ("priya", Role.REGISTRAR), ("sam", None)):
            accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name, password=PASSWORD)
            if role:
                roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=role)
        decision = issuance.create_decision(
            db,
            rt,
            programme_id="foundation",
            subjects=[issuance.SubjectInput("sam@example.org")],
            graded_by_email="jonas@example.org",
            rationale="Passed.",
        )
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        issuance.approve(db, rt, registrar=priya, decision_id=decision.id)
        [credential] = issuance.issue(db, rt, decision_id=decision.id)
        statuslists.publish(db, rt)
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
