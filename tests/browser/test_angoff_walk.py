"""A modified-Angoff round in a real browser: three judges rate a form's items on the study page, a
rating outside 0–1 is refused, the editor closes the round, and round two shows each item's
statistics and the panel's earlier ratings. Every page checked with axe-core."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from assay.core.roles import Role
from assay.db.models import ExamFormRecord
from assay.services import accounts, angoff, exams, roles
from tests.browser.helpers import sign_in
from tests.browser.test_accounts_and_organisations import assert_accessible
from tests.certifying import make_cast, take_exam
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_angoff_round_from_rating_to_the_next_round(browser: Any, live_server: str, rt: Any, sessions: Any) -> None:
    with sessions() as db:
        cast = make_cast(db, rt)
        for name in ("rhea", "omar"):
            accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD)
            roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
        [form, *_] = sorted(exams.assemble(db, rt, programme_id="foundation", seed="browser"), key=lambda f: f.id)
        for other in _:
            other.state = "retired"
        take_exam(db, rt, cast["kim"], "foundation", right_share=0.7)
        db.commit()
        form_id = form.id
        items = json.loads(db.get_one(ExamFormRecord, form_id).scored_refs)
    base = live_server
    editor = sign_in(browser, base, "eve@example.org")
    editor.goto(base + "/admin/item-analysis")
    assert_accessible(editor)
    editor.get_by_label("Form").select_option(form_id)
    editor.get_by_label("Judges' e-mails").fill("jonas@example.org, rhea@example.org, omar@example.org")
    editor.get_by_role("button", name="Open a study").click()
    editor.wait_for_url(re.compile(r".*/angoff/[0-9A-Z]+$"))
    study_url = editor.url
    study_id = study_url.rsplit("/", 1)[1]

    judge = sign_in(browser, base, "jonas@example.org")
    judge.goto(study_url)
    assert_accessible(judge)
    assert judge.get_by_text("(keyed)").first.is_visible()
    judge.locator("input[type=number]").first.fill("1.5")
    judge.evaluate("document.querySelector('form[action$=\"/ratings\"]').noValidate = true")
    judge.get_by_role("button", name="Save my ratings").click()
    judge.wait_for_load_state()
    assert "from 0 to 1" in judge.get_by_role("alert").inner_text()
    for box in judge.locator("input[type=number]").all():
        box.fill("0.6")
    judge.get_by_role("button", name="Save my ratings").click()
    judge.wait_for_url("**?saved=1")
    assert judge.locator("input[type=number]").first.input_value() == "0.6"
    with sessions() as db:  # the other two judges rate through the service
        for email, value in (("rhea@example.org", 0.7), ("omar@example.org", 0.65)):
            user = accounts.repo.user_by_email(db, email)
            angoff.rate(
                db, rt, judge=accounts.principal_for(db, user), study_id=study_id, ratings=dict.fromkeys(items, value)
            )  # type: ignore[arg-type]
        db.commit()

    editor.goto(study_url)
    editor.get_by_role("button", name="Close round 1 and open the next").click()
    editor.wait_for_load_state()
    assert editor.get_by_text("Round 1: panel cut 26.00 of 40 items (65.0%)").is_visible()
    assert_accessible(editor)
    judge.goto(study_url)
    assert judge.get_by_text("round 2").first.is_visible()
    assert judge.get_by_text("Last round: panel mean 0.65 (range 0.6–0.7)").first.is_visible()
    assert judge.get_by_text("facility").first.is_visible()
    assert_accessible(judge)
    editor.goto(study_url)
    editor.get_by_role("button", name="Adopt the last closed round's cut for the form").click()
    editor.wait_for_load_state()
    with sessions() as db:
        assert db.get_one(ExamFormRecord, form_id).cut_percent == 65.0
