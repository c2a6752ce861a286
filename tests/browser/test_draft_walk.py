"""A draft of the standard in a real browser: an opted-in specialist holder is invited, comments on
a change, the editor answers and publishes, and the new version is on the standard's pages."""

from __future__ import annotations

from typing import Any

import pytest

from assay.services import accounts, drafts
from tests.browser.helpers import sign_in
from tests.browser.test_accounts_and_organisations import assert_accessible
from tests.certifying import PASSWORD, grant, make_cast, principal
from tests.services.test_drafts import NEW_RD02

pytestmark = pytest.mark.browser


def test_a_draft_from_invitation_to_published_change(browser: Any, live_server: str, rt: Any, sessions: Any) -> None:
    with sessions() as db:
        cast = make_cast(db, rt)
        holder = accounts.sign_up(db, rt, email="rhea@example.org", display_name="Rhea", password=PASSWORD)
        grant(db, rt, "rhea@example.org", "specialist-retrieval-governance")
        drafts.set_opt_in(db, rt, user=holder, opted_in=True)
        draft = drafts.open_draft(
            db,
            rt,
            editor=principal(db, cast["eve"]),
            version="1.2",
            summary="Caches come under the retrieval entitlement control.",
            rationale="Holders reported answers served from caches across entitlements.",
            programmes=["specialist-retrieval-governance"],
            changes=[("RD-02", NEW_RD02, "Semantic caches served one user's answer to another.")],
        )
        db.commit()
        draft_id = draft.id
    base = live_server
    reviewer = sign_in(browser, base, "rhea@example.org")
    reviewer.goto(base + "/drafts")
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="Version 1.2").click()
    reviewer.wait_for_url(f"**/drafts/{draft_id}")
    assert_accessible(reviewer)
    reviewer.get_by_label("Your comment on RD-02").fill("Name embedding caches explicitly; teams forget them.")
    reviewer.get_by_role("button", name="Comment").click()
    reviewer.wait_for_load_state()
    assert reviewer.get_by_text("Awaiting the editors' answer.").is_visible()

    editor = sign_in(browser, base, "eve@example.org")
    editor.goto(f"{base}/drafts/{draft_id}")
    editor.get_by_label("Resolution").select_option("noted")
    editor.get_by_label("Answer for the reviewer").fill("Covered by 'every cache of retrieved content'.")
    editor.get_by_role("button", name="Resolve").click()
    editor.wait_for_load_state()
    editor.get_by_role("button", name="Publish version 1.2").click()
    editor.wait_for_url("**/standard/1.2")
    assert editor.get_by_text("1.2").first.is_visible()
    editor.goto(base + "/standard/evolution")
    assert editor.get_by_text("draft-review").first.is_visible()
    reviewer.reload()
    assert reviewer.get_by_text("noted").first.is_visible()
