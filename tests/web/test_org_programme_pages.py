"""The team programme page for managers, members' consent, and the token-authenticated API."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from assay.services import organisations
from tests.certifying import grant, make_cast, principal
from tests.web.conftest import PASSWORD, csrf_from, post_form


def _sign_in(client: TestClient, email: str) -> None:
    assert post_form(client, "/account/signin", {"email": email, "password": PASSWORD}).status_code == 303  # type: ignore[attr-defined]


def test_programme_page_tokens_and_api(client: TestClient, other_client: TestClient, rt: Any) -> None:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        cast = make_cast(db, rt)
        org = organisations.create(db, rt, principal=principal(db, cast["ada"]), name="Kestrel Labs", slug="kestrel")
        _, token = organisations.invite(
            db, rt, principal=principal(db, cast["ada"]), organisation=org, email="kim@example.org", role="member"
        )
        organisations.accept(db, rt, user=cast["kim"], token=token)
        grant(db, rt, "kim@example.org", "foundation")
        db.commit()
    _sign_in(other_client, "kim@example.org")
    assert other_client.get("/orgs/kestrel/programme").status_code == 403
    consent = post_form(other_client, "/orgs/kestrel/consent", {"share": "yes"}, token_from="/orgs/kestrel")
    assert consent.status_code == 303  # type: ignore[attr-defined]
    _sign_in(client, "ada@example.org")
    page = client.get("/orgs/kestrel/programme")
    assert page.status_code == 200 and "Kim Okafor" in page.text and "consented" in page.text
    created = client.post(
        "/orgs/kestrel/tokens", data={"csrf_token": csrf_from(client, "/orgs/kestrel/programme"), "name": "HR system"}
    )
    token = re.search(r"<code>(assay_org_[^<]+)</code>", created.text)
    assert token is not None
    bad_hook = client.post(
        "/orgs/kestrel/webhooks",
        data={"csrf_token": csrf_from(client, "/orgs/kestrel/programme"), "url": "http://insecure.example/x"},
    )
    assert bad_hook.status_code == 400 and "https" in bad_hook.text
    api = TestClient(client.app)
    assert api.get("/api/v1/orgs/kestrel/programme").status_code == 401
    assert (
        api.get("/api/v1/orgs/kestrel/programme", headers={"Authorization": "Bearer assay_org_wrong"}).status_code
        == 401
    )
    data = api.get("/api/v1/orgs/kestrel/programme", headers={"Authorization": f"Bearer {token.group(1)}"}).json()
    assert data["current"] == 1 and {m["name"] for m in data["members"]} == {"Ada Lindqvist", "Kim Okafor"}
