"""CSRF on every unsafe route, and tenant isolation between organisations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assay.web.deps import CSRF_EXEMPT_PATHS
from tests.web.conftest import post_form, sign_up


def unsafe_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every state-changing route the app declares (from its OpenAPI description, which lists them all)."""
    found = []
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method in operations:
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"} and path not in CSRF_EXEMPT_PATHS:
                concrete = path.replace("{slug}", "northwind").replace("{token}", "t").replace("{invitation_id}", "i")
                found.append((method.upper(), concrete))
    return found


def test_there_are_unsafe_routes_to_check(client: TestClient) -> None:
    assert len(unsafe_routes(client)) >= 8


@pytest.mark.parametrize("with_session", [False, True])
def test_every_unsafe_route_refuses_a_missing_or_forged_token(client: TestClient, with_session: bool) -> None:
    if with_session:
        sign_up(client, "Ada")
    for method, path in unsafe_routes(client):
        for data in ({}, {"csrf_token": "forged"}):
            response = client.request(method, path, data=data, follow_redirects=False)
            assert response.status_code == 403, f"{method} {path} accepted {data}"
            assert "did not come from Assay" in response.text


def test_token_from_another_session_is_refused(client: TestClient, other_client: TestClient) -> None:
    sign_up(client, "Ada")
    sign_up(other_client, "Eve")
    eve_token = other_client.get("/orgs").text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/orgs", data={"name": "Forged Org", "csrf_token": eve_token}, follow_redirects=False)
    assert response.status_code == 403


def _org_with_member(client: TestClient) -> None:
    sign_up(client, "Maria")
    response = post_form(client, "/orgs", {"name": "Northwind", "slug": "northwind"})
    assert response.status_code == 303  # type: ignore[attr-defined]


def test_outsiders_cannot_read_or_change_another_organisation(client: TestClient, other_client: TestClient) -> None:
    _org_with_member(client)
    sign_up(other_client, "Eve")
    post_form(other_client, "/orgs", {"name": "Evil Corp", "slug": "evil"})
    page = other_client.get("/orgs/northwind")
    assert page.status_code == 404
    assert "Northwind" not in page.text
    assert other_client.get("/api/v1/organisations/northwind").status_code == 404
    invite = post_form(
        other_client,
        "/orgs/northwind/invitations",
        {"email": "eve2@example.org", "role": "org_manager"},
        token_from="/orgs",
    )
    assert invite.status_code == 404  # type: ignore[attr-defined]
    members = client.get("/api/v1/organisations/northwind").json()["members"]
    assert [m["display_name"] for m in members] == ["Maria"]


def test_members_cannot_manage(client: TestClient, other_client: TestClient, mailer: object, rt: object) -> None:
    from assay.services import jobs

    _org_with_member(client)
    post_form(
        client,
        "/orgs/northwind/invitations",
        {"email": "sam@example.org", "role": "member"},
        token_from="/orgs/northwind",
    )
    jobs.run_pending(client.app.state.session_factory, rt, worker="t")  # type: ignore[attr-defined,arg-type]
    link = mailer.sent[-1].text.split("http://testserver")[1].split()[0]  # type: ignore[attr-defined]
    sign_up(other_client, "Sam")
    accepted = post_form(other_client, link + "/accept", {}, token_from=link)
    assert accepted.status_code == 303  # type: ignore[attr-defined]
    page = other_client.get("/orgs/northwind")
    assert page.status_code == 200 and "Invite a member" not in page.text
    refused = post_form(
        other_client,
        "/orgs/northwind/invitations",
        {"email": "x@example.org", "role": "member"},
        token_from="/orgs/northwind",
    )
    assert refused.status_code == 403  # type: ignore[attr-defined]


def test_audit_page_needs_the_audit_permission(client: TestClient) -> None:
    sign_up(client, "Ada")
    assert client.get("/admin/audit").status_code == 403
