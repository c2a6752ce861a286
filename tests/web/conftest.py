"""A TestClient over the real app on the test database, and a way to sign people up through the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.services.runtime import Runtime
from assay.web.app import create_app

PASSWORD = "lantern-orbit-cedar-71"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: TestClient, path: str) -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str], *, token_from: str | None = None) -> object:
    token = csrf_from(client, token_from or path)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def sign_up(client: TestClient, name: str, email: str | None = None) -> None:
    email = email or f"{name.lower()}@example.org"
    response = post_form(client, "/account/signup", {"email": email, "display_name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt.settings, runtime=rt), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def other_client(rt: Runtime, client: TestClient) -> Iterator[TestClient]:
    """A second browser on the same server (its own cookies)."""
    with TestClient(client.app, raise_server_exceptions=False) as c:
        yield c
