"""A practical task in a real browser: the brief, a draft that names its author (flagged before it
can go), an attachment, submission, and the reviewer's blind page. Every page checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from assay.core.roles import Role
from assay.services import accounts, panel, roles, standards
from tests.browser.test_accounts_and_organisations import assert_accessible, sign_up
from tests.certifying import GOOD_ANSWER, grant
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_task_from_brief_to_blind_review(
    browser: Any, page: Any, live_server: str, rt: Any, sessions: Any, tmp_path: Any
) -> None:
    with sessions() as db:
        standards.import_standard(db, rt)
        for email, name, role in (
            ("jonas@example.org", "Jonas Weber", Role.REVIEWER),
            ("priya@example.org", "Priya Raman", Role.REGISTRAR),
        ):
            accounts.sign_up(db, rt, email=email, display_name=name, password=PASSWORD)
            roles.grant(db, rt, actor=None, email=email, role=role)
        db.commit()
    base = live_server
    sign_up(page, base, "Kim Okafor", "kim@example.org")
    with sessions() as db:
        grant(db, rt, "kim@example.org", "certified-ai-integrator")
        priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
        panel.seat_founding(
            db,
            rt,
            registrar=priya,
            email="jonas@example.org",
            programme_id="specialist-retrieval-governance",
            reason="Founding panel for this specialism.",
        )
        db.commit()
    page.goto(base + "/certification")
    assert_accessible(page)
    page.goto(base + "/certification/specialist-retrieval-governance/tasks/rag-access-controls")
    assert_accessible(page)
    page.get_by_role("button", name="Start this task").click()
    page.wait_for_url("**/submissions/*")
    assert_accessible(page)
    page.get_by_label("Your answer (Markdown)").fill(GOOD_ANSWER + "\nPrepared by Kim Okafor for the review.")
    csv = tmp_path / "sources.csv"
    csv.write_text("source,classification\nmatter files,privileged\n", encoding="utf-8")
    page.get_by_role("button", name="Save draft").click()
    page.set_input_files("#file", str(csv))
    page.get_by_role("button", name="Attach").click()
    page.wait_for_load_state()
    assert page.get_by_text("sources.csv").is_visible()
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("Review is blind")
    assert page.get_by_text("These could identify you").is_visible()
    assert_accessible(page)
    page.get_by_label("Your answer (Markdown)").fill(GOOD_ANSWER)
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_load_state()
    assert page.get_by_text("What you submitted").is_visible()

    reviewer = browser.new_page()
    reviewer.goto(base + "/account/signin")
    reviewer.get_by_label("Email address").fill("jonas@example.org")
    reviewer.get_by_label("Password").fill(PASSWORD)
    reviewer.get_by_role("button", name="Sign in").click()
    reviewer.wait_for_load_state()
    reviewer.goto(base + "/review")
    assert_accessible(reviewer)
    reviewer.locator("a[href^='/review/S-']").first.click()
    reviewer.wait_for_load_state()
    assert_accessible(reviewer)
    content = reviewer.content()
    assert "Retrieval design" in content and "Kim" not in content and "Okafor" not in content and "kim@" not in content
    assert reviewer.get_by_role("link", name="sources.csv").is_visible()
    reviewer.close()
