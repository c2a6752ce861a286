"""The readiness assessment in a real browser: self-rating, questions, a reload that resumes, the
report with its chart; every page checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from assay.services import assessments, standards
from tests.browser.test_accounts_and_organisations import assert_accessible

pytestmark = pytest.mark.browser


def test_take_the_assessment_with_a_reload_midway(page: Any, live_server: str, rt: Any, sessions: Any) -> None:
    with sessions() as db:
        standards.import_standard(db, rt)
        db.commit()
    base = live_server
    page.goto(base + "/")
    page.get_by_role("link", name="Readiness assessment").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/self")
    assert_accessible(page)
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("2 Ready").check()
    page.get_by_role("button", name="Continue to the questions").click()
    page.wait_for_url("**/q/1")
    assert_accessible(page)
    assert "rationale" not in page.content()

    def answer_current() -> None:
        url = page.url
        token = url.split("/assessment/")[1].split("/")[0]
        n = int(url.rsplit("/", 1)[1])
        with sessions() as db:
            q = assessments.state(db, assessments.get(db, token=token))["questions"][n - 1]
        if q["kind"] != "ordering":  # ordering questions start with a valid order already selected
            page.locator("input[name=choice]").first.check()
        page.get_by_label("75%").check()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state()

    for _ in range(3):
        answer_current()
    # Closing and reopening the link resumes at the first unanswered question.
    resume_url = page.url.split("/q/")[0]
    page.goto("about:blank")
    page.goto(resume_url)
    assert page.url.endswith("/q/4")
    assert page.get_by_text("3 answered").is_visible()
    while "/q/" in page.url:
        answer_current()
    assert page.url.endswith("/review")
    assert_accessible(page)
    page.get_by_label("Compare me with the target for").select_option("approver")
    page.get_by_role("button", name="Submit and see my report").click()
    page.wait_for_url("**/report")
    assert page.get_by_role("heading", name="Your readiness profile").is_visible()
    charts = page.locator("img.chart")
    assert charts.count() == 2  # the radar against the target, and the bars with intervals
    assert all(charts.nth(i).evaluate("img => img.naturalWidth > 0") for i in range(2))
    assert page.locator("tbody tr").count() == 10
    assert_accessible(page)

    # A share link, opened by someone else, then withdrawn.
    page.get_by_label("Who it is for (optional)").fill("My mentor")
    page.get_by_role("button", name="Create a share link").click()
    link = page.get_by_role("status").inner_text().split("New share link: ")[1].strip()
    assert "/shared/" in link
    assert_accessible(page)
    other = page.context.browser.new_context().new_page()
    other.goto(link)
    assert other.get_by_role("heading", name="Readiness profile").is_visible()
    assert other.get_by_text("Your answers, with the reasoning").count() == 0
    assert_accessible(other)
    page.get_by_role("button", name="Withdraw the link for My mentor").click()
    assert page.get_by_role("status").inner_text().startswith("The share link was withdrawn")
    assert other.goto(link).status == 404
