"""A reader walks the standard in a real browser by following links: home → Standard → a domain → a control →
history → diff → crosswalk. Every page on the way is checked with axe-core: no serious or critical violations."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assay.services import standards
from assay.services.runtime import Runtime
from tests.browser.test_accounts_and_organisations import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def loaded_server(live_server: str, sessions: sessionmaker[Session], rt: Runtime) -> str:
    with sessions() as session:
        standards.import_standard(session, rt)
        session.commit()
    return live_server


def test_walk_the_standard(page: Any, loaded_server: str) -> None:
    base = loaded_server
    page.goto(base + "/")
    assert_accessible(page)

    # Home → the standard's home, from the main navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Standard", exact=True).click()
    page.wait_for_url("**/standard")
    assert page.get_by_role("heading", level=1).inner_text() == "Assay Production AI Engineering Standard"
    assert "Assay Standards Board. Assay Production AI Engineering Standard, version 1.1." in (
        page.locator("blockquote").inner_text()
    )
    assert_accessible(page)

    # → the current version → a domain.
    page.get_by_role("link", name="Read version 1.1: its domains and controls").click()
    page.wait_for_url("**/standard/1.1")
    assert_accessible(page)
    page.get_by_role("link", name="HO Human oversight architecture").click()
    page.wait_for_url("**/standard/1.1/domains/HO")
    assert page.get_by_role("heading", level=1).inner_text() == "HO Human oversight architecture"
    assert_accessible(page)

    # → a control, with its maturity levels and crosswalk.
    page.get_by_role("link", name="HO-02 Human gates for irreversible actions").click()
    page.wait_for_url("**/standard/1.1/controls/HO-02")
    assert page.get_by_role("heading", level=1).inner_text() == "HO-02 Human gates for irreversible actions"
    maturity = page.get_by_role("table", name="Maturity levels 0 to 3 for HO-02")
    assert maturity.locator("tbody tr").count() == 4
    assert page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").count() == 5
    assert_accessible(page)

    # → the version history, by way of the breadcrumb.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Standard", exact=True).click()
    page.wait_for_url("**/standard")
    page.get_by_role("link", name="Version history, with the rationale for every change").click()
    page.wait_for_url("**/standard/history")
    assert page.get_by_role("heading", name="Version 1.1").is_visible()
    assert_accessible(page)

    # → the diff from the history, then changed with the form.
    page.get_by_role("link", name="compare 1.0 with 1.1").click()
    page.wait_for_url("**/standard/diff?from=1.0&to=1.1")
    assert page.get_by_role("heading", name="Added in 1.1").is_visible()
    assert page.get_by_role("heading", name="Split").is_visible()
    assert "IA-03" in page.locator("#split").locator("xpath=..").inner_text()
    assert_accessible(page)
    page.get_by_label("From version").select_option("1.1")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/standard/diff?from=1.1&to=1.1")
    assert page.get_by_role("status").inner_text().startswith("No differences")
    assert_accessible(page)

    # → the crosswalk for NIST AI RMF, then filtered to one reference by following its link.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Standard", exact=True).click()
    page.wait_for_url("**/standard")
    page.get_by_role("link", name="NIST AI Risk Management Framework (AI RMF 1.0)").click()
    page.wait_for_url("**/standard/1.1/crosswalk/nist-ai-rmf")
    table = page.get_by_role("table", name="All 72 references")
    assert table.locator("tbody tr").count() == 72
    assert_accessible(page)
    page.get_by_role("link", name="GOVERN 3.2", exact=True).click()
    page.wait_for_url("**/standard/1.1/crosswalk/nist-ai-rmf?ref=GOVERN%203.2")
    assert page.get_by_role("heading", name="Controls covering GOVERN 3.2").is_visible()
    assert page.get_by_role("link", name="HO-02 Human gates for irreversible actions").is_visible()
    assert_accessible(page)


def test_retired_version_and_moved_control_pages_are_accessible(page: Any, loaded_server: str) -> None:
    page.goto(loaded_server + "/standard/1.0/controls/IA-03")
    assert page.get_by_role("note").inner_text().startswith("Version 1.0 is retired.")
    assert_accessible(page)
    response = page.goto(loaded_server + "/standard/1.1/controls/IA-03")
    assert response.status == 404
    page.get_by_role("link", name="IA-06 System card maintained per release").click()
    page.wait_for_url("**/standard/1.1/controls/IA-06")
    assert_accessible(page)
    page.goto(loaded_server + "/standard/not-a-version")
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_accessible(page)
