"""Verification for everyone: by ID, by link, by uploaded file; the credential's page and JSON; what an
expired, suspended or revoked credential says; bad input and enumeration."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from assay.services import accounts, issuance
from tests.web.conftest import csrf_from
from tests.web.test_registry import issue_one


def _public_id(document: dict[str, Any]) -> str:
    return str(document["id"]).rsplit("/", 1)[-1]


def _verify(client: TestClient, **data: Any) -> Any:
    files = data.pop("files", None)
    return client.post(
        "/verify", data={"csrf_token": csrf_from(client, "/verify"), **data}, files=files, follow_redirects=False
    )


def test_by_id_link_and_file(client: TestClient, rt: Any) -> None:
    document = issue_one(client, rt)
    public_id = _public_id(document)
    by_id = _verify(client, credential_id=public_id)
    assert by_id.status_code == 303 and by_id.headers["location"] == f"/credentials/{public_id}"
    by_link = _verify(client, credential_id=f"  {document['id']}  ")
    assert by_link.headers["location"] == f"/credentials/{public_id}"
    page = client.get(f"/credentials/{public_id}")
    assert page.status_code == 200
    assert "Valid: this credential checks out today." in page.text
    assert "sam" in page.text and "version 1.1" in page.text and "(the current version)" in page.text
    assert 'class="qr"' in page.text and "Transparency log" in page.text
    api = client.get(f"/api/v1/credentials/{public_id}").json()
    assert api["verification"]["verified"] and api["status"] == "active" and api["standard"]["is_current"]
    assert (
        client.get(f"/credentials/{public_id}", headers={"accept": "application/json"}).json()["public_id"] == public_id
    )
    uploaded = _verify(
        client, files={"credential_file": ("sam.json", json.dumps(document).encode(), "application/json")}
    )
    assert uploaded.status_code == 200 and "Valid: this file checks out today." in uploaded.text
    tampered = {**document, "name": "Grand Master of AI"}
    bad = _verify(client, files={"credential_file": ("x.json", json.dumps(tampered).encode(), "application/json")})
    assert bad.status_code == 200 and "Not valid" in bad.text


def test_bad_input_gets_a_clear_answer(client: TestClient, rt: Any) -> None:
    issue_one(client, rt)
    assert _verify(client, credential_id="").status_code == 400
    assert "not JSON" in _verify(client, files={"credential_file": ("x.json", b"\xff\xfe", "application/json")}).text
    assert "not a credential" in _verify(client, files={"credential_file": ("x.json", b"[1]", "application/json")}).text
    big = _verify(client, files={"credential_file": ("x.json", b" " * (300 * 1024), "application/json")})
    assert big.status_code == 400 and "256 KB" in big.text
    unknown = client.get("/credentials/" + "A" * 32)
    assert unknown.status_code == 404 and "keeps it private" in unknown.text
    assert client.get("/api/v1/credentials/" + "A" * 32).status_code == 404
    assert client.get("/api/v1/credentials/..%2F..%2Fetc").status_code == 404


def test_lookups_are_rate_limited_and_misses_count(client: TestClient, rt: Any) -> None:
    issue_one(client, rt)
    codes = [client.get(f"/api/v1/credentials/{'B' * 31}{n:02d}").status_code for n in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429


def test_expired_suspended_and_revoked_say_so(client: TestClient, rt: Any, clock: Any) -> None:
    document = issue_one(client, rt)
    public_id = _public_id(document)
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        issuance.change_state(
            db, rt, registrar=priya, public_id=public_id, action="suspend", reason="Complaint under review"
        )
        db.commit()
    assert (
        "Suspended while the registry reviews it (Complaint under review)"
        in client.get(f"/credentials/{public_id}").text
    )
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        issuance.change_state(db, rt, registrar=priya, public_id=public_id, action="revoke", reason="Exam misconduct")
        db.commit()
    revoked = client.get(f"/credentials/{public_id}")
    assert "Revoked by the registry: Exam misconduct" in revoked.text
    assert client.get(f"/api/v1/credentials/{public_id}").json()["verification"]["verified"] is False
    clock.advance(timedelta(days=365 * 3))
    later = client.get(f"/api/v1/credentials/{public_id}").json()
    assert later["status"] == "revoked"  # revocation outlasts expiry
