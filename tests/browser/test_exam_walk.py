"""A timed exam in a real browser: the identity and honour-code step, the server's timer, a reload
mid-exam that resumes with the time the server says is left, and the clock running out with the
page open. Every page checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from assay.core.clock import FrozenClock
from assay.db.models import ExamAttempt
from assay.services import standards
from tests.browser.test_accounts_and_organisations import assert_accessible, sign_up

pytestmark = pytest.mark.browser


def _timer(page: Any) -> int:
    minutes, seconds = page.locator("#time-left").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_timed_exam_with_a_reload_and_the_clock_running_out(
    page: Any, live_server: str, rt: Any, sessions: Any, clock: FrozenClock
) -> None:
    with sessions() as db:
        standards.import_standard(db, rt)
        db.commit()
    base = live_server
    sign_up(page, base, "Kim Okafor", "kim@example.org")
    page.goto(base + "/programmes/foundation")
    assert_accessible(page)
    page.get_by_role("link", name="Take the exam").click()
    page.wait_for_url("**/certification/foundation/exam")
    assert_accessible(page)
    page.get_by_label("Confirm your identity").fill("Kim Okafor")
    page.get_by_label("I accept the honour code").check()
    page.get_by_role("button", name="Start the exam").click()
    page.wait_for_url(re.compile(r".*/exams/[0-9A-Z]+/q/1$"))
    assert_accessible(page)
    assert 75 * 60 - 3 <= _timer(page) <= 75 * 60
    attempt_id = page.url.split("/exams/")[1].split("/")[0]

    # Answer the first question (ordering questions start with a valid order selected).
    if page.locator("input[name=choice]").count():
        page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/q/2")

    # Half an hour later the candidate reloads: the same question, the server's time left.
    clock.advance(minutes=30)
    page.reload()
    assert page.url.endswith("/q/2")
    assert 45 * 60 - 3 <= _timer(page) <= 45 * 60
    page.goto(f"{base}/exams/{attempt_id}")  # the attempt's own address resumes at the first unanswered
    assert page.url.endswith("/q/2") and page.get_by_text("1 answered").is_visible()

    # Three seconds before the deadline: the page counts down, then goes to the closed attempt.
    with sessions() as db:
        deadline = db.get_one(ExamAttempt, attempt_id).deadline_at
    clock.set(deadline - timedelta(seconds=3))
    page.reload()
    assert _timer(page) <= 3
    clock.set(deadline + timedelta(seconds=1))  # the server's clock passes the deadline
    page.wait_for_url(re.compile(r".*/exams/[0-9A-Z]+/result$"), timeout=15_000)
    assert page.get_by_text("Time is up").is_visible()
    assert page.get_by_text("Not passed").is_visible()  # one answer saved of 40 scored
    assert_accessible(page)
    with sessions() as db:
        attempt = db.get_one(ExamAttempt, attempt_id)
        assert attempt.state == "released" and attempt.submitted_at is None
