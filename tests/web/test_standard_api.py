"""The standard's JSON API: standards, versions, controls, export, diff and crosswalks (JSON and CSV)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io

import pytest
import rfc8785
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assay.content import DEFAULT_STANDARD_ID
from assay.core.standard.diff import diff_to_dict
from assay.services import standards
from assay.services.runtime import Runtime

API = f"/api/v1/standards/{DEFAULT_STANDARD_ID}"


@pytest.fixture
def loaded(client: TestClient, sessions: sessionmaker[Session], rt: Runtime) -> TestClient:
    with sessions() as session:
        standards.import_standard(session, rt)
        session.commit()
    return client


@pytest.fixture
def hashes(loaded: TestClient, sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return {s.version.version: s.content_hash for s in standards.catalogue(session, DEFAULT_STANDARD_ID)}


def assert_json_error(response: object, status: int, *fragments: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["status"] == status
    for fragment in fragments:
        assert fragment in error["message"]


def test_nothing_loaded(client: TestClient) -> None:
    assert client.get("/api/v1/standards").json() == []
    assert_json_error(client.get(API), 404, "has not been loaded")
    assert_json_error(client.get(f"{API}/versions/1.1"), 404, "has not been loaded")


def test_list_and_detail(loaded: TestClient, hashes: dict[str, str]) -> None:
    listing = loaded.get("/api/v1/standards").json()
    assert [s["id"] for s in listing] == [DEFAULT_STANDARD_ID]
    assert listing[0]["latest"] == "1.1"
    assert [v["version"] for v in listing[0]["versions"]] == ["1.0", "1.1"]

    detail = loaded.get(API).json()
    assert detail["id"] == DEFAULT_STANDARD_ID
    assert detail["title"] == "Assay Production AI Engineering Standard"
    assert detail["publisher"] == "Assay Standards Board"
    assert detail["licence"] == "CC-BY-4.0"
    assert detail["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert detail["latest"] == "1.1"
    versions = {v["version"]: v for v in detail["versions"]}
    assert versions["1.0"]["status"] == "retired"
    assert versions["1.1"]["status"] == "published"
    assert versions["1.1"]["released"] == "2026-09-14"
    assert {n: v["content_hash"] for n, v in versions.items()} == hashes
    assert versions["1.0"]["controls"] == 50 and versions["1.1"]["controls"] == 51
    assert versions["1.1"]["url"] == f"{API}/versions/1.1"


def test_full_version(loaded: TestClient, hashes: dict[str, str]) -> None:
    response = loaded.get(f"{API}/versions/1.1")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.json()
    assert body["version"] == "1.1"
    assert body["standard_id"] == DEFAULT_STANDARD_ID
    assert body["content_hash"] == hashes["1.1"]
    assert body["status"] == "published"
    assert body["previous"] == "1.0"
    assert body["summary"].startswith("Version 1.1 is the first revision")
    assert body["rationale"]
    split = next(c for c in body["changes"] if c["kind"] == "split")
    assert split["from"] == ["IA-03"] and split["controls"] == ["IA-06", "IA-07"]
    assert len(body["domains"]) == 10
    assert sum(len(d["controls"]) for d in body["domains"]) == 51
    assert loaded.get(f"{API}/versions/latest").json()["version"] == "1.1"
    assert loaded.get(f"{API}/versions/1.1", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_control(loaded: TestClient) -> None:
    body = loaded.get(f"{API}/versions/1.1/controls/HO-02").json()
    assert body["id"] == "HO-02"
    assert body["title"] == "Human gates for irreversible actions"
    assert "bound to a hash of the action's final parameters" in body["statement"]
    assert [m["level"] for m in body["maturity"]] == [0, 1, 2, 3]
    assert body["domain"] == {"id": "HO", "title": "Human oversight architecture"}
    assert body["version"] == "1.1" and body["version_status"] == "published"
    assert body["lineage"]["derived_from"] == ["HO-02"]
    assert body["permalink"] == "/standard/1.1/controls/HO-02"
    assert {"framework": "nist-ai-rmf", "edition": "1.0", "ref": "GOVERN 3.2", "coverage": "partial"} in body[
        "crosswalk"
    ]


def test_unknown_things_are_404_json_with_a_clear_message(loaded: TestClient) -> None:
    assert_json_error(loaded.get(f"{API}/versions/1.1/controls/IA-03"), 404, "IA-06, IA-07")
    assert_json_error(loaded.get(f"{API}/versions/1.1/controls/ZZ-01"), 404, "no control ZZ-01")
    assert_json_error(loaded.get(f"{API}/versions/9.9"), 404, "no version 9.9", "1.0, 1.1")
    assert_json_error(loaded.get("/api/v1/standards/no-such-standard"), 404, "no-such-standard")
    assert_json_error(loaded.get(f"{API}/versions/1.1/crosswalk/no-such-framework"), 404, "Known:")
    malformed = loaded.get(f"{API}/versions/one/controls/ho 2")
    assert malformed.status_code == 422
    assert malformed.json()["error"]["fields"] == ["cid", "v"]


def test_export_is_the_hashed_document(loaded: TestClient, hashes: dict[str, str]) -> None:
    response = loaded.get(f"{API}/versions/1.1/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    digest = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    assert digest == hashes["1.1"]
    assert response.content == rfc8785.dumps(body)  # served as the canonical bytes themselves
    assert response.headers["etag"] == f'"{digest}"'
    assert response.headers["digest"] == "sha-256=" + base64.b64encode(bytes.fromhex(digest)).decode()
    with_hash = loaded.get(f"{API}/versions/1.1/export", headers={"If-None-Match": f'"{digest}"'})
    assert with_hash.status_code == 304
    assert body["format"] == "assay-standard-version/1"
    assert body["standard"]["id"] == DEFAULT_STANDARD_ID and body["version"]["version"] == "1.1"
    old = loaded.get(f"{API}/versions/1.0/export")
    assert hashlib.sha256(old.content).hexdigest() == hashes["1.0"]


def test_diff(loaded: TestClient, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        expected = diff_to_dict(standards.diff(session, DEFAULT_STANDARD_ID, "1.0", "1.1"))
    default = loaded.get(f"{API}/diff").json()
    assert default == expected
    assert loaded.get(f"{API}/diff", params={"from": "1.0", "to": "1.1"}).json() == expected
    assert default["added"] == ["OBS-06"]
    assert default["retired"] == ["OBS-05"]
    assert default["split"] == [{"from": "IA-03", "into": ["IA-06", "IA-07"]}]
    changed = {c["control"]: c for c in default["changed"]}
    assert "statement" in [f["field"] for f in changed["HO-02"]["fields"]]
    same = loaded.get(f"{API}/diff", params={"from": "1.1", "to": "1.1"}).json()
    assert same["added"] == same["retired"] == same["changed"] == same["split"] == []
    assert len(same["unchanged"]) == 51
    assert_json_error(loaded.get(f"{API}/diff", params={"from": "1.0", "to": "2.0"}), 404, "no version 2.0")


def test_crosswalk_json(loaded: TestClient) -> None:
    response = loaded.get(f"{API}/versions/1.1/crosswalk/nist-ai-rmf")
    body = response.json()
    assert (body["framework"], body["edition"], body["version"]) == ("nist-ai-rmf", "1.0", "1.1")
    assert len(body["rows"]) == 72
    assert sum(body["counts"].values()) == 72
    assert set(body["counts"]) == {"covered", "partly", "not covered"}
    assert {r["status"] for r in body["rows"]} <= {"covered", "partly", "not covered"}
    for row in body["rows"]:
        if row["status"] == "not covered":
            assert row["controls"] == []
        if row["status"] == "covered":
            assert row["controls"][0]["coverage"] == "full"
    one = loaded.get(f"{API}/versions/1.1/crosswalk/nist-ai-rmf", params={"ref": "GOVERN 3.2"}).json()
    assert [r["ref"] for r in one["rows"]] == ["GOVERN 3.2"]
    assert "HO-02" in [c["id"] for c in one["rows"][0]["controls"]]
    assert_json_error(
        loaded.get(f"{API}/versions/1.1/crosswalk/nist-ai-rmf", params={"ref": "GOVERN 99.9"}), 404, "GOVERN 99.9"
    )
    download = loaded.get(f"{API}/versions/1.1/crosswalk/nist-ai-rmf.json")
    assert download.headers["content-disposition"] == 'attachment; filename="assay-pae-1.1-nist-ai-rmf-1.0.json"'
    assert download.json() == body


@pytest.mark.parametrize(("framework", "size"), [("nist-ai-rmf", 72), ("iso-iec-42001", 38), ("owasp-llm-top10", 10)])
def test_crosswalk_csv_has_one_row_per_reference(loaded: TestClient, framework: str, size: int) -> None:
    response = loaded.get(f"{API}/versions/1.1/crosswalk/{framework}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == size
    assert [r["ref"] for r in rows] == [e.id for e in standards.reference_list(framework).entries]
    assert set(rows[0]) == {"framework", "edition", "ref", "title", "status", "controls"}
    assert {r["framework"] for r in rows} == {framework}
    json_rows = loaded.get(f"{API}/versions/1.1/crosswalk/{framework}").json()["rows"]
    assert [r["status"] for r in rows] == [r["status"] for r in json_rows]
    filtered = loaded.get(f"{API}/versions/1.1/crosswalk/{framework}.csv", params={"ref": rows[0]["ref"]})
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 1


def test_api_is_public_and_shareable(loaded: TestClient) -> None:
    response = loaded.get(f"{API}/versions/1.1/controls/HO-02")
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "public, max-age=300"


def test_openapi_describes_the_standard_api(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in [
        "/api/v1/standards",
        "/api/v1/standards/{sid}",
        "/api/v1/standards/{sid}/versions/{v}",
        "/api/v1/standards/{sid}/versions/{v}/controls/{cid}",
        "/api/v1/standards/{sid}/versions/{v}/export",
        "/api/v1/standards/{sid}/diff",
        "/api/v1/standards/{sid}/versions/{v}/crosswalk/{framework}",
        "/api/v1/standards/{sid}/versions/{v}/crosswalk/{framework}.csv",
    ]:
        assert path in paths, path
    assert not any(p.startswith("/standard") for p in paths)
