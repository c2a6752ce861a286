"""A team campaign in a real browser: the manager opens it, a member joins by the link and takes the
assessment, and once the minimum group has submitted the manager sees the team profile and heatmap."""

from __future__ import annotations

from typing import Any

import pytest

from assay.db.repositories import organisations as org_repo
from assay.services import accounts, assessments, campaigns, organisations, standards
from tests.browser.test_accounts_and_organisations import PASSWORD, assert_accessible
from tests.services.conftest import answer_all

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/account/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")


def test_campaign_from_invite_link_to_team_profile(
    browser: Any, page: Any, live_server: str, rt: Any, sessions: Any
) -> None:
    base = live_server
    with sessions() as db:
        standards.import_standard(db, rt)
        maria = accounts.sign_up(db, rt, email="maria@example.org", display_name="Maria Castell", password=PASSWORD)
        org = organisations.create(db, rt, principal=accounts.principal_for(db, maria), name="Northwind")
        for email, name in (
            ("sam@example.org", "Sam Achebe"),
            ("ines@example.org", "Inês Duarte"),
            ("kofi@example.org", "Kofi Boateng"),
        ):
            person = accounts.sign_up(db, rt, email=email, display_name=name, password=PASSWORD)
            _, invite = organisations.invite(
                db, rt, principal=accounts.principal_for(db, maria), organisation=org, email=email, role="member"
            )
            organisations.accept(db, rt, user=person, token=invite)
        db.commit()

    # Maria opens the campaign from her organisation's page.
    _sign_in(page, base, "maria@example.org")
    page.goto(base + "/orgs/northwind")
    page.get_by_label("Campaign name").fill("Q1 readiness baseline")
    page.get_by_label("Measure against the target for").select_option("reviewer")
    page.get_by_label("Smallest group to break down").fill("3")
    page.get_by_role("button", name="Open campaign").click()
    page.wait_for_url("**/campaigns/*?notice=opened")
    assert_accessible(page)
    link = page.locator("#join-link").inner_text()
    assert page.get_by_text("0 of the 3 submissions needed").is_visible()

    # Sam follows the link in his own browser, signs in, joins and takes the whole assessment.
    sam = browser.new_context().new_page()
    sam.set_default_timeout(10_000)
    sam.goto(link)
    assert_accessible(sam)
    sam.get_by_role("link", name="Sign in to join").click()
    sam.get_by_label("Email address").fill("sam@example.org")
    sam.get_by_label("Password").fill(PASSWORD)
    sam.get_by_role("button", name="Sign in").click()
    sam.wait_for_url(link)
    sam.get_by_role("button", name="Join and start").click()
    sam.wait_for_url("**/self")
    for fieldset in sam.locator("fieldset").all():
        fieldset.get_by_label("1 Developing").check()
    sam.get_by_role("button", name="Continue to the questions").click()
    sam.wait_for_url("**/q/1")
    while "/q/" in sam.url:
        before = sam.url
        if sam.locator("input[name=choice]").count():  # ordering questions start with a valid order
            sam.locator("input[name=choice]").first.check()
        sam.get_by_role("button", name="Save and continue").click()
        sam.wait_for_url(lambda url, before=before: url != before)
    assert sam.url.endswith("/review")
    sam.get_by_role("button", name="Submit and see my report").click()
    sam.wait_for_url("**/report")

    # Two more members finish (through the service), which reaches the minimum group of three.
    with sessions() as db:
        campaign = campaigns.list_for(db, principal=None, organisation=org_repo.by_slug(db, "northwind"))[0].campaign  # type: ignore[arg-type]
        for email in ("ines@example.org", "kofi@example.org"):
            user = accounts.authenticate(db, rt, email=email, password=PASSWORD, client_ip="t").user
            assert user is not None
            _, token, _ = campaigns.join(db, rt, principal=accounts.principal_for(db, user), token=campaign.join_token)
            answer_all(db, rt, token, right=True, wrong_in=("HO",) if email.startswith("i") else ("OV", "HO"))
            assessments.submit(db, rt, token=token)
        db.commit()

    page.reload()
    assert page.get_by_role("table", name="How the team spreads over the levels, per domain").is_visible()
    heatmap = page.get_by_role("table", name="Members by domain")
    assert heatmap.is_visible()
    assert heatmap.locator("tbody tr").count() == 3
    assert heatmap.get_by_role("rowheader", name="Sam Achebe").is_visible()
    assert page.locator("img.chart").evaluate("img => img.naturalWidth > 0")
    assert_accessible(page)
    # Sam, a member, sees the team's spread but not the per-person heatmap.
    sam.goto(page.url.split("?")[0])
    assert sam.get_by_role("table", name="How the team spreads over the levels, per domain").is_visible()
    assert sam.get_by_role("table", name="Members by domain").count() == 0
