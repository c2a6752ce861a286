"""Shared by browser tests: a new page signed in as someone."""

from __future__ import annotations

from typing import Any

from tests.certifying import PASSWORD


def sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_page()
    page.goto(base + "/account/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page
