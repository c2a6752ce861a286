"""The holder's wallet in a real browser: the certificate download, the privacy setting the public
page follows, and what an expired credential's page says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from assay.services.runtime import Runtime
from tests.browser.test_accounts_and_organisations import PASSWORD, assert_accessible
from tests.issuing import issue_foundation

pytestmark = pytest.mark.browser


def test_wallet_privacy_and_expiry(
    browser: Any, page: Any, live_server: str, rt: Any, sessions: Any, clock: Any
) -> None:
    rt = Runtime(**{**rt.__dict__, "settings": rt.settings.model_copy(update={"base_url": live_server})})
    with sessions() as db:
        credential = issue_foundation(db, rt, password=PASSWORD, holder_name="Sam Example")
        db.commit()
        public_id = credential.public_id

    base = live_server
    page.goto(base + "/account/signin")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")
    page.get_by_role("link", name="Your wallet").click()
    page.wait_for_url("**/account/credentials")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Certificate (PDF, with QR code)", exact=False).click()
    assert download.value.suggested_filename == f"assay-certificate-{public_id}.pdf"

    # Hide the name; a visitor's view of the public page follows.
    page.get_by_label("Hide my name", exact=False).check()
    page.get_by_role("button", name="Save the setting for", exact=False).click()
    assert page.get_by_role("status").inner_text().startswith("Saved")
    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/credentials/{public_id}")
    assert visitor.get_by_text("(the holder's name is private)").is_visible()
    assert visitor.get_by_text("Sam Example").count() == 0
    assert_accessible(visitor)

    # Three years on, the page says plainly that it has expired, and that no renewal was issued.
    clock.advance(timedelta(days=3 * 365))
    visitor.goto(f"{base}/credentials/{public_id}")
    assert visitor.get_by_role("status").inner_text().startswith("Expired on")
    assert visitor.get_by_text("No renewal of it has been issued.").is_visible()
    assert_accessible(visitor)
