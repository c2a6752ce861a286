"""The practice certification in a real browser: a manager writes up the method and applies, two
assessors record their findings, a registrar approves, and the organisation's credential verifies."""

from __future__ import annotations

from typing import Any

import pytest

from assay.core.roles import Role
from assay.services import accounts, organisations, roles
from tests.browser.helpers import sign_in
from tests.browser.test_accounts_and_organisations import assert_accessible
from tests.certifying import PASSWORD, grant, make_cast, principal
from tests.services.test_practice import EVIDENCE

pytestmark = pytest.mark.browser


def test_a_practice_from_application_to_issued_credential(
    browser: Any, live_server: str, rt: Any, sessions: Any
) -> None:
    with sessions() as db:
        cast = make_cast(db, rt)
        org = organisations.create(
            db, rt, principal=principal(db, cast["ada"]), name="Harbourlight Partners", slug="harbourlight"
        )
        for n in range(3):
            email = f"consultant{n}@example.org"
            user = accounts.sign_up(db, rt, email=email, display_name=f"Consultant {n}", password=PASSWORD)
            _, token = organisations.invite(
                db, rt, principal=principal(db, cast["ada"]), organisation=org, email=email, role="member"
            )
            organisations.accept(db, rt, user=user, token=token)
            grant(db, rt, email, "certified-ai-integrator")
        for name in ("rhea", "omar"):
            accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD)
            roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
        db.commit()
    base = live_server
    manager = sign_in(browser, base, "ada@example.org")
    manager.goto(base + "/orgs/harbourlight/practice")
    assert_accessible(manager)
    assert manager.get_by_text("has 3").is_visible()
    for key, text in EVIDENCE.items():
        manager.locator(f"#{key}").fill(text)
    manager.get_by_role("button", name="Save and apply").click()
    manager.wait_for_load_state()
    assert manager.get_by_text("submitted").first.is_visible()
    for name in ("rhea", "omar"):
        assessor = sign_in(browser, base, f"{name}@example.org")
        assessor.goto(base + "/admin/practice")
        assert_accessible(assessor)
        for box in assessor.locator("input[type=checkbox]").all():
            box.check()
        for note in assessor.locator("input[name^=note-]").all():
            note.fill("Seen in two recent engagements' records, consistently applied.")
        assessor.get_by_role("button", name="Record my assessment").click()
        assessor.wait_for_load_state()
        assessor.close()
    registrar = sign_in(browser, base, "priya@example.org")
    registrar.goto(base + "/admin/practice")
    registrar.get_by_label("Rationale").fill("Both assessors found every requirement met.")
    registrar.get_by_role("button", name="Approve and issue the practice credential").click()
    registrar.wait_for_url("**/credentials/*")
    assert registrar.get_by_text("Harbourlight Partners").first.is_visible()
    assert registrar.get_by_text("Assay Certified Practice").first.is_visible()
    public = browser.new_page()
    public.goto(base + "/practices/harbourlight")
    assert_accessible(public)
    assert public.get_by_text("active").first.is_visible()
