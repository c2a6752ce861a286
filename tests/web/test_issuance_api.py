"""Issuance through the JSON API: a batch decision, the registrar's approval, idempotent issuance."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from assay.core.roles import Role
from assay.services import accounts, roles, standards
from tests.web.conftest import PASSWORD, post_form


def sign_in(client: TestClient, email: str) -> str:
    response = post_form(client, "/account/signin", {"email": email, "password": PASSWORD})
    assert response.status_code == 303  # type: ignore[attr-defined]
    token: str = client.get("/api/v1/session").json()["csrf_token"]
    return token


def setup(client: TestClient, rt: Any) -> None:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)
        for name in ("jonas", "priya", "sam", "lee"):
            accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD)
        roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
        roles.grant(db, rt, actor=None, email="priya@example.org", role=Role.REGISTRAR)
        db.commit()


BATCH = {
    "programme": "foundation",
    "grader_email": "jonas@example.org",
    "rationale": "Cohort of the November sitting.",
    "subjects": [
        {"email": "sam@example.org", "results": [{"description": "exam-score", "value": "71"}]},
        {
            "email": "lee@example.org",
            "results": [{"description": "exam-score", "value": "90"}],
            "evidence": [{"id": "https://assay.example/e/7", "name": "Exam record"}],
        },
    ],
}


def test_batch_decision_approval_and_issue(client: TestClient, other_client: TestClient, rt: Any) -> None:
    setup(client, rt)
    token = sign_in(client, "jonas@example.org")
    assert client.post("/api/v1/issuance/decisions", json=BATCH).status_code == 403  # no CSRF header
    created = client.post("/api/v1/issuance/decisions", json=BATCH, headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    decision = created.json()
    assert decision["status"] == "pending" and decision["subjects"] == 2
    refused = client.post(f"/api/v1/issuance/decisions/{decision['id']}/approve", headers={"X-CSRF-Token": token})
    assert refused.status_code == 403

    registrar = sign_in(other_client, "priya@example.org")
    headers = {"X-CSRF-Token": registrar}
    approved = other_client.post(f"/api/v1/issuance/decisions/{decision['id']}/approve", headers=headers)
    assert approved.json()["status"] == "approved"
    issued = other_client.post(f"/api/v1/issuance/decisions/{decision['id']}/issue", headers=headers).json()
    assert issued["status"] == "issued" and len(issued["credentials"]) == 2
    again = other_client.post(f"/api/v1/issuance/decisions/{decision['id']}/issue", headers=headers).json()
    assert again["credentials"] == issued["credentials"]


def test_bad_decisions_are_422_or_400(client: TestClient, rt: Any) -> None:
    setup(client, rt)
    headers = {"X-CSRF-Token": sign_in(client, "jonas@example.org")}
    assert client.post("/api/v1/issuance/decisions", json={**BATCH, "subjects": []}, headers=headers).status_code == 422
    assert client.post("/api/v1/issuance/decisions", json={**BATCH, "extra": 1}, headers=headers).status_code == 422
    bad_evidence = {**BATCH, "subjects": [{"email": "sam@example.org", "evidence": [{"id": "ftp://x"}]}]}
    assert client.post("/api/v1/issuance/decisions", json=bad_evidence, headers=headers).status_code == 422
    unknown = client.post("/api/v1/issuance/decisions", json={**BATCH, "programme": "wizardry"}, headers=headers)
    assert unknown.status_code == 400 and "Unknown programme" in unknown.json()["error"]["message"]
    assert client.get("/api/v1/issuance/decisions/NOPE").status_code == 404
    # A batch with bad rows: every row's problem in one answer, and nothing recorded.
    rows = [
        {"email": "sam@example.org"},
        {"email": "nobody@example.org"},
        {"email": "lee@example.org", "results": [{"description": "shoe-size", "value": "44"}]},
        {"email": "jonas@example.org"},
    ]
    report = client.post("/api/v1/issuance/decisions", json={**BATCH, "subjects": rows}, headers=headers)
    assert report.status_code == 400
    error = report.json()["error"]
    assert error["message"].startswith("3 of 4 subjects need fixing")
    assert set(error["fields"]) == {"subjects[1]", "subjects[2]", "subjects[3]"}
    assert "graded by themselves" in error["fields"]["subjects[3]"]


def test_candidates_cannot_record_decisions(client: TestClient, rt: Any) -> None:
    setup(client, rt)
    headers = {"X-CSRF-Token": sign_in(client, "sam@example.org")}
    assert client.post("/api/v1/issuance/decisions", json=BATCH, headers=headers).status_code == 403
