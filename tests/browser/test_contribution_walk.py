"""A contributed question in a real browser: a credential holder proposes it, two holders of a
credential that assesses its domain accept it, and the editor finds it among the pilot items."""

from __future__ import annotations

from typing import Any

import pytest

from assay.services import accounts
from tests.browser.helpers import sign_in
from tests.browser.test_accounts_and_organisations import assert_accessible
from tests.certifying import PASSWORD, grant, make_cast
from tests.services.test_contributions import OPTIONS, STEM

pytestmark = pytest.mark.browser


def test_a_contribution_from_proposal_to_pilot_item(browser: Any, live_server: str, rt: Any, sessions: Any) -> None:
    with sessions() as db:
        make_cast(db, rt)
        grant(db, rt, "kim@example.org", "foundation")
        for name in ("rhea", "omar"):
            accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD)
            grant(db, rt, f"{name}@example.org", "certified-ai-integrator")
        db.commit()
    base = live_server
    kim = sign_in(browser, base, "kim@example.org")
    kim.goto(base + "/contribute")
    assert_accessible(kim)
    kim.get_by_label("The control it measures").select_option("RD-02")
    kim.get_by_label("Title").fill("Rates leak after re-index")
    kim.get_by_label("Scenario and question").fill(STEM)
    for letter, (text, why) in zip("abcd", OPTIONS, strict=True):
        kim.locator(f"#option-{letter}").fill(text)
        kim.locator(f"#why-{letter}").fill(why)
    kim.get_by_label("Option a is the best answer").check()
    kim.get_by_role("button", name="Propose").click()
    kim.wait_for_url("**/contribute?sent=1")
    assert kim.get_by_text("RD: submitted").is_visible()
    for name in ("rhea", "omar"):
        reviewer = sign_in(browser, base, f"{name}@example.org")
        reviewer.goto(base + "/contributions/review")
        assert_accessible(reviewer)
        assert "Kim" not in reviewer.content()
        reviewer.get_by_label("Your comments").fill("Defensible key, plausible distractors, measures RD-02.")
        reviewer.get_by_role("button", name="Accept").click()
        reviewer.wait_for_url("**/contributions/review?done=1")
        reviewer.close()
    kim.reload()
    assert kim.get_by_text("RD: accepted (pilot item RD-S-901@1)").is_visible()
    editor = sign_in(browser, base, "eve@example.org")
    editor.goto(base + "/admin/pilots")
    assert editor.get_by_text("RD-S-901@1").is_visible()
    assert editor.get_by_text("0 responses; at least 100 needed").first.is_visible()
