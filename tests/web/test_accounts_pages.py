"""Account pages end to end through HTTP: forms, cookies, errors, redirects."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assay.web.security import SESSION_COOKIE
from tests.web.conftest import PASSWORD, post_form, sign_up


def test_sign_up_signs_in_and_shows_the_account(client: TestClient) -> None:
    sign_up(client, "Ada")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Signed in as" in page.text and "Ada" in page.text
    assert "Candidate" in page.text


def test_session_cookie_is_httponly_and_lax(client: TestClient) -> None:
    response = post_form(
        client, "/account/signup", {"email": "ada@example.org", "display_name": "Ada", "password": PASSWORD}
    )
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_sign_up_errors_keep_what_was_typed(client: TestClient) -> None:
    response = post_form(
        client, "/account/signup", {"email": "ada@example.org", "display_name": "Ada", "password": "short"}
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "at least 12 characters" in response.text  # type: ignore[attr-defined]
    assert 'value="ada@example.org"' in response.text  # type: ignore[attr-defined]
    assert 'aria-invalid="true"' in response.text  # type: ignore[attr-defined]


def test_sign_out_then_in(client: TestClient) -> None:
    sign_up(client, "Ada")
    response = post_form(client, "/account/signout", {}, token_from="/account")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert client.get("/account", follow_redirects=False).status_code == 303
    bad = post_form(client, "/account/signin", {"email": "ada@example.org", "password": "wrong-password"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "do not match" in bad.text  # type: ignore[attr-defined]
    good = post_form(client, "/account/signin", {"email": "ada@example.org", "password": PASSWORD, "next": "/orgs"})
    assert good.status_code == 303  # type: ignore[attr-defined]
    assert good.headers["location"] == "/orgs"  # type: ignore[attr-defined]


def test_sign_in_refuses_open_redirects(client: TestClient) -> None:
    sign_up(client, "Ada")
    post_form(client, "/account/signout", {}, token_from="/account")
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = post_form(
            client, "/account/signin", {"email": "ada@example.org", "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/account"  # type: ignore[attr-defined]
        post_form(client, "/account/signout", {}, token_from="/account")


def test_login_is_rate_limited(client: TestClient, rt: object) -> None:
    sign_up(client, "Ada")
    post_form(client, "/account/signout", {}, token_from="/account")
    for _ in range(5):
        post_form(client, "/account/signin", {"email": "ada@example.org", "password": "wrong-password"})
    locked = post_form(client, "/account/signin", {"email": "ada@example.org", "password": PASSWORD})
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "Retry-After" in locked.headers  # type: ignore[attr-defined]


def test_password_reset_through_the_pages(client: TestClient, rt: object, mailer: object) -> None:
    from assay.services import jobs

    sign_up(client, "Ada")
    post_form(client, "/account/signout", {}, token_from="/account")
    sent = post_form(client, "/account/forgot", {"email": "ada@example.org"})
    assert "If an account uses that address" in sent.text  # type: ignore[attr-defined]
    jobs.run_pending(client.app.state.session_factory, rt, worker="t")  # type: ignore[attr-defined,arg-type]
    link = mailer.sent[-1].text.split("http://testserver")[1].split()[0]  # type: ignore[attr-defined]
    changed = post_form(client, link, {"password": "brand-new-passphrase-7"})
    assert changed.status_code == 303  # type: ignore[attr-defined]
    ok = post_form(client, "/account/signin", {"email": "ada@example.org", "password": "brand-new-passphrase-7"})
    assert ok.status_code == 303  # type: ignore[attr-defined]
    assert client.get(link).status_code == 400


def test_friendly_404_and_no_stack_traces_on_500(client: TestClient) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    assert "Traceback" not in missing.text

    @client.app.get("/boom")  # type: ignore[attr-defined,untyped-decorator]
    def boom() -> None:
        raise RuntimeError("secret internals")

    crashed = client.get("/boom")
    assert crashed.status_code == 500
    assert "Something went wrong on our side" in crashed.text
    assert "secret internals" not in crashed.text and "Traceback" not in crashed.text


def test_security_headers(client: TestClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body == {"status": "ok", "schema": body["schema"], "schema_current": True}


def test_audit_link_only_for_those_who_may_read_it(client: TestClient, rt: object) -> None:
    from assay.core.roles import Role
    from assay.services import roles

    sign_up(client, "Ada")
    assert "/admin/audit" not in client.get("/account").text
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        roles.grant(db, rt, actor=None, email="ada@example.org", role=Role.REGISTRAR)  # type: ignore[arg-type]
        db.commit()
    assert 'href="/admin/audit"' in client.get("/account").text
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "link and hash correctly" in page.text


def test_holders_see_and_download_only_their_own_credentials(
    client: TestClient, other_client: TestClient, rt: object
) -> None:
    from assay.core.roles import Role
    from assay.services import accounts, issuance, roles, standards

    sign_up(client, "Sam")
    sign_up(other_client, "Eve")
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)  # type: ignore[arg-type]
        for name, role in (("Jonas", Role.REVIEWER), ("Priya", Role.REGISTRAR)):
            accounts.sign_up(db, rt, email=f"{name.lower()}@example.org", display_name=name, password=PASSWORD)  # type: ignore[arg-type]
            roles.grant(db, rt, actor=None, email=f"{name.lower()}@example.org", role=role)  # type: ignore[arg-type]
        decision = issuance.create_decision(
            db,
            rt,
            programme_id="foundation",
            subjects=[issuance.SubjectInput("sam@example.org")],  # type: ignore[arg-type]
            graded_by_email="jonas@example.org",
            rationale="Passed.",
        )
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        issuance.approve(db, rt, registrar=priya, decision_id=decision.id)  # type: ignore[arg-type]
        [credential] = issuance.issue(db, rt, decision_id=decision.id)  # type: ignore[arg-type]
        public_id = credential.public_id
        db.commit()
    page = client.get("/account")
    assert "Assay Foundation in Production AI Engineering" in page.text
    download = client.get(f"/account/credentials/{public_id}.json")
    assert download.status_code == 200 and download.json()["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "attachment" in download.headers["content-disposition"]
    assert other_client.get(f"/account/credentials/{public_id}.json").status_code == 404
