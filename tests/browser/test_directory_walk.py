"""The directory in a real browser: search with filters, follow a profile, see a credential's live
status, and find that a private profile is nowhere. Checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from assay.db.models import IssuedCredential
from assay.services import accounts, profiles, wallet
from tests.browser.test_accounts_and_organisations import assert_accessible
from tests.certifying import PASSWORD, grant, make_cast

pytestmark = pytest.mark.browser


def test_search_the_directory_and_open_a_profile(page: Any, live_server: str, rt: Any, sessions: Any) -> None:
    with sessions() as db:
        cast = make_cast(db, rt)
        grant(db, rt, "kim@example.org", "foundation")
        credential = db.scalars(select(IssuedCredential)).one()
        wallet.set_visibility(db, rt, user_id=cast["kim"].id, public_id=credential.public_id, visibility="public")
        people = [
            (cast["kim"], "kim-okafor", "public", "Europe: UK and Ireland", ["RD", "IA"]),
            (cast["ada"], "ada-l", "private", "Europe: UK and Ireland", ["RD"]),
        ]
        for n in range(3):
            user = accounts.sign_up(
                db, rt, email=f"p{n}@example.org", display_name=f"Practitioner {n}", password=PASSWORD
            )
            people.append((user, f"practitioner-{n}", "public", "North America", ["OBS"]))
        for user, handle, visibility, region, focus in people:
            profiles.save_profile(
                db,
                rt,
                user=user,
                handle=handle,
                headline="Production AI engineer",
                bio="",
                region=region,
                availability="open",
                focus=focus,
                visibility=visibility,
            )
        db.commit()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Directory").click()
    page.wait_for_url("**/directory")
    assert_accessible(page)
    assert page.get_by_role("status").inner_text().startswith("4 people")
    page.get_by_label("Works on").select_option("RD")
    page.get_by_label("Holds").select_option("foundation")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/directory?**")
    assert page.get_by_role("status").inner_text().startswith("1 person")
    assert page.get_by_role("link", name="Kim Okafor").is_visible()
    assert page.get_by_text("Ada Lindqvist").count() == 0  # her profile is private
    page.get_by_role("link", name="Kim Okafor").click()
    page.wait_for_url("**/people/kim-okafor")
    assert_accessible(page)
    assert page.get_by_text("active").first.is_visible()
    page.get_by_role("link", name="Assay Foundation in Production AI Engineering").click()
    page.wait_for_url("**/credentials/*")
    assert page.get_by_text("Kim Okafor").first.is_visible()
    response = page.goto(live_server + "/people/ada-l")
    assert response is not None and response.status == 404
