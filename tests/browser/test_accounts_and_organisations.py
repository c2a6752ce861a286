"""A person's first steps in a real browser: sign up, sign in, create an organisation, invite, accept.
Every page on the way is checked with axe-core: no serious or critical violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from assay.infra.email import MemoryMailer
from assay.services import jobs
from assay.services.runtime import Runtime

pytestmark = pytest.mark.browser

PASSWORD = "lantern-orbit-cedar-71"
AXE = Axe()


def assert_accessible(page: Any) -> None:
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    assert bad == [], f"{page.url}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)


def sign_up(page: Any, base: str, name: str, email: str) -> None:
    page.goto(base + "/account/signup")
    assert_accessible(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account?welcome=1")


def test_sign_up_org_invite_accept_and_roles(
    browser: Any, page: Any, live_server: str, rt: Runtime, mailer: MemoryMailer, sessions: Any
) -> None:
    base = live_server
    page.goto(base + "/")
    assert_accessible(page)

    # Maria signs up, sees her account, and signs out and back in.
    sign_up(page, base, "Maria Castell", "maria@example.org")
    assert page.get_by_text("Signed in as").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/account/signin")
    assert_accessible(page)
    page.get_by_label("Email address").fill("maria@example.org")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That email address and password do not match")
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")

    # She creates an organisation and invites Sam.
    page.goto(base + "/orgs")
    assert_accessible(page)
    page.get_by_label("Organisation name").fill("Northwind Analytics")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_url("**/orgs/northwind-analytics?created=1")
    assert_accessible(page)
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Member", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_role("status").inner_text() == "Invitation sent."
    assert page.get_by_role("cell", name="sam@example.org", exact=True).is_visible()
    assert_accessible(page)

    # The invitation email goes out through the job queue.
    jobs.run_pending(sessions, rt, worker="browser-test")
    message = mailer.sent[-1]
    assert message.to == "sam@example.org"
    link = next(w for w in message.text.split() if "/invitations/" in w)
    assert link.startswith(base)

    # Sam, in another browser, follows the link, creates his account and accepts.
    sam_context = browser.new_context()
    sam = sam_context.new_page()
    sam.set_default_timeout(10_000)
    sam.goto(link)
    assert_accessible(sam)
    sam.get_by_role("link", name="Create an account").click()
    sam.get_by_label("Your name").fill("Sam Achebe")
    sam.get_by_label("Email address").fill("sam@example.org")
    sam.get_by_label("Password").fill(PASSWORD)
    sam.get_by_role("button", name="Create account").click()
    sam.wait_for_url(link)  # exactly the invitation (the sign-up URL also mentions it, in ?next=)
    sam.get_by_role("button", name="Accept invitation").click()
    sam.wait_for_url("**/orgs/northwind-analytics?notice=joined")
    assert_accessible(sam)

    # Both see the roles.
    expect(sam.locator("tbody tr")).to_have_count(2)
    rows = {
        r.locator("td").first.inner_text(): r.locator("td.role").inner_text() for r in sam.locator("tbody tr").all()
    }
    assert rows == {"Maria Castell": "Organisation manager", "Sam Achebe": "Member"}
    assert sam.get_by_role("heading", name="Invite a member").count() == 0
    page.reload()
    assert page.get_by_role("cell", name="Member", exact=True).is_visible()
    sam_context.close()


def test_error_pages_are_friendly_and_accessible(page: Any, live_server: str) -> None:
    response = page.goto(live_server + "/no/such/page")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_accessible(page)
