"""Verification in a real browser: by ID, by uploaded file and by the QR code's link; a revoked
credential's page; every page checked with axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assay.services import accounts, issuance
from assay.services.runtime import Runtime
from tests.browser.test_accounts_and_organisations import PASSWORD, assert_accessible
from tests.issuing import issue_foundation

pytestmark = pytest.mark.browser


def test_verify_by_id_file_and_qr_link_then_revoked(
    page: Any, live_server: str, rt: Any, sessions: Any, tmp_path: Path
) -> None:
    # Issue as the live server would: its base URL is its issuer's did:web.
    rt = Runtime(**{**rt.__dict__, "settings": rt.settings.model_copy(update={"base_url": live_server})})
    with sessions() as db:
        credential = issue_foundation(db, rt, password=PASSWORD, holder_name="Sam")
        db.commit()
        public_id, document = credential.public_id, json.loads(credential.document)

    base = live_server
    page.goto(base + "/")
    page.get_by_role("link", name="Verify a credential").click()
    assert_accessible(page)
    page.get_by_label("The credential's ID or verification link").fill(public_id)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**/credentials/{public_id}")
    assert page.get_by_role("status").inner_text().startswith("Valid")
    assert page.get_by_text("Sam", exact=True).is_visible()
    assert page.locator("img.qr").evaluate("img => img.naturalWidth > 0")
    assert_accessible(page)

    # The QR code's link is the page's own address: following it lands on the same check.
    qr_link = (
        page.locator("section", has=page.get_by_role("heading", name="Link to this page")).locator("code").inner_text()
    )
    other = page.context.browser.new_context().new_page()
    assert qr_link == f"{base}/credentials/{public_id}"
    other.goto(qr_link)
    assert other.get_by_role("heading", name="Foundation", exact=False).is_visible()

    # By file, as the holder would hand it over.
    file = tmp_path / "sam.json"
    file.write_text(json.dumps(document))
    page.goto(base + "/verify")
    page.get_by_label("Or its file").set_input_files(str(file))
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("status").inner_text().startswith("Valid: this file checks out")
    assert_accessible(page)

    with sessions() as db:
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        issuance.change_state(db, rt, registrar=priya, public_id=public_id, action="revoke", reason="Exam misconduct")
        db.commit()
    page.goto(f"{base}/credentials/{public_id}")
    assert page.get_by_role("status").inner_text().startswith("Revoked by the registry: Exam misconduct")
    assert_accessible(page)
