"""The directory, public profiles, one's own profile, export and deletion, feedback, case studies and
the evolution page over HTTP: private stays private, bad input is a page with a reason."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.db.models import IssuedCredential
from assay.services import profiles, wallet
from tests.certifying import grant, make_cast
from tests.web.conftest import PASSWORD, csrf_from, post_form


def _sign_in(client: TestClient, email: str) -> None:
    assert post_form(client, "/account/signin", {"email": email, "password": PASSWORD}).status_code == 303  # type: ignore[attr-defined]


def _setup(client: TestClient, rt: Any) -> None:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        cast = make_cast(db, rt)
        grant(db, rt, "kim@example.org", "foundation")
        credential = db.scalars(select(IssuedCredential)).one()
        wallet.set_visibility(db, rt, user_id=cast["kim"].id, public_id=credential.public_id, visibility="public")
        for user, handle, visibility in ((cast["kim"], "kim-okafor", "public"), (cast["ada"], "ada-l", "private")):
            profiles.save_profile(
                db,
                rt,
                user=user,
                handle=handle,
                headline="Retrieval and audit",
                bio="",
                region="Europe: UK and Ireland",
                availability="open",
                focus=["RD"],
                visibility=visibility,
            )
        db.commit()


def test_the_directory_and_profiles_keep_private_profiles_private(client: TestClient, rt: Any) -> None:
    _setup(client, rt)
    page = client.get("/directory?credential=foundation&domain=RD")
    assert page.status_code == 200 and "Kim Okafor" in page.text and "Ada Lindqvist" not in page.text
    assert "Kim Okafor" not in client.get("/directory?region=Europe: EU and EEA").text
    assert client.get("/people/kim-okafor").status_code == 200
    assert client.get("/people/ada-l").status_code == 404
    api = client.get("/api/v1/directory?q=kim").json()
    assert api["total"] == 1 and api["entries"][0]["handle"] == "kim-okafor"
    assert client.get("/api/v1/people/ada-l").status_code == 404
    assert client.get("/directory?availability=whenever").status_code == 400
    assert client.get("/directory?credential=nope").status_code == 404


def test_own_profile_export_and_deletion(client: TestClient, rt: Any) -> None:
    _setup(client, rt)
    _sign_in(client, "kim@example.org")
    bad = client.post(
        "/account/profile",
        data={
            "csrf_token": csrf_from(client, "/account/profile"),
            "handle": "ada-l",
            "availability": "open",
            "visibility": "public",
        },
    )
    assert bad.status_code == 400 and "taken" in bad.text
    internal = client.post(
        "/account/profile/domains", data={"csrf_token": csrf_from(client, "/account/profile"), "domain": "not a domain"}
    )
    assert internal.status_code == 400 and "not a domain name" in internal.text
    data = client.get("/account/data.json")
    assert data.status_code == 200 and data.json()["profile"]["handle"] == "kim-okafor"
    wrong = client.post(
        "/account/delete", data={"csrf_token": csrf_from(client, "/account/delete"), "confirm": "x@example.org"}
    )
    assert wrong.status_code == 400 and "confirm" in wrong.text
    gone = client.post(
        "/account/delete",
        data={"csrf_token": csrf_from(client, "/account/delete"), "confirm": "kim@example.org"},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert client.get("/people/kim-okafor").status_code == 404
    assert post_form(client, "/account/signin", {"email": "kim@example.org", "password": PASSWORD}).status_code != 303  # type: ignore[attr-defined]


def test_feedback_case_studies_and_the_evolution_page(client: TestClient, other_client: TestClient, rt: Any) -> None:
    _setup(client, rt)
    _sign_in(client, "kim@example.org")
    form = client.get("/feedback")
    assert form.status_code == 200 and "RD-02" in form.text
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        public_id = db.scalars(select(IssuedCredential)).one().public_id
    short = client.post(
        "/feedback",
        data={
            "csrf_token": csrf_from(client, "/feedback"),
            "credential": public_id,
            "target": "RD-02",
            "kind": "gap",
            "text": "too short",
        },
    )
    assert short.status_code == 400 and "40 to 4,000" in short.text
    sent = client.post(
        "/feedback",
        data={
            "csrf_token": csrf_from(client, "/feedback"),
            "credential": public_id,
            "target": "RD-02",
            "kind": "gap",
            "text": "Semantic caches serve one user's cached answer to another; the control is silent on them.",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    preview = client.post(
        "/case-studies/new",
        data={
            "csrf_token": csrf_from(client, "/case-studies/new"),
            "then": "preview",
            "title": "Refunds at Kim Okafor's firm",
            "worked": "w" * 50,
            "failed": "Call me on +44 20 7946 0958 about the leak of " + "x" * 20,
            "missed": "m" * 50,
        },
    )
    assert (
        preview.status_code == 200
        and "[phone]" in preview.text
        and "7946" not in preview.text.split("What will be stored")[1].split("</section>")[0]
    )
    _sign_in(other_client, "eve@example.org")
    triage = other_client.get("/admin/feedback")
    assert triage.status_code == 200 and "Semantic caches" in triage.text and "Kim" not in triage.text
    assert other_client.get("/standard/evolution").status_code == 200
    assert client.get("/admin/feedback").status_code == 403


def test_a_reviewer_verifies_shipped_work_on_the_profile(client: TestClient, rt: Any) -> None:
    _setup(client, rt)
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        kim = db.scalars(select(IssuedCredential)).one().user_id
        from assay.db.models import User

        profiles.add_artifact(
            db,
            rt,
            user=db.get_one(User, kim),
            title="Claims retriever",
            url="https://example.org/claims",
            summary="Built the entitlement filter and its probes.",
        )
        db.commit()
    page = client.get("/people/kim-okafor").text
    assert "claimed" in page and "Mark reviewer-verified" not in page  # visitors see no form
    _sign_in(client, "jonas@example.org")
    url = "/people/kim-okafor"
    action = re.search(r'action="(/people/kim-okafor/artifacts/[^"]+/verify)"', client.get(url).text)
    assert action is not None
    done = client.post(
        action.group(1),
        data={"csrf_token": csrf_from(client, url), "note": "Read the design record and the release gate's results."},
        follow_redirects=True,
    )
    assert "reviewer-verified" in done.text and "What the reviewer checked" in done.text
