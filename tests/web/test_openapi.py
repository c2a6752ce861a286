"""The API description is served and names the JSON endpoints."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_openapi_lists_api_routes(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/health" in spec["paths"]
    assert "/api/v1/organisations/{slug}" in spec["paths"]
