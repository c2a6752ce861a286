"""Account input rules."""

from __future__ import annotations

import pytest

from assay.core.accounts import check_display_name, check_password, check_slug, normalise_email, slugify
from assay.core.errors import ValidationFailed


def test_email_is_normalised() -> None:
    assert normalise_email("  Ada@Example.ORG ") == "ada@example.org"


@pytest.mark.parametrize(
    "bad", ["", "ada", "ada@", "@example.org", "ada@example", "a b@example.org", "ada@exa mple.org"]
)
def test_bad_emails_are_refused_with_a_field_message(bad: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        normalise_email(bad)
    assert "email" in info.value.fields


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "repeats"),
        ("x" * 300, "at most"),
        ("adaokafor-is-me-1", "email name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed, match=fragment):
        check_password(password, email="adaokafor@example.org")


def test_good_passphrase_passes() -> None:
    check_password("lantern-orbit-cedar-71", email="ada@example.org")


def test_names_and_slugs() -> None:
    assert check_display_name("  Ada   Okafor ") == "Ada Okafor"
    with pytest.raises(ValidationFailed):
        check_display_name("\x00bad")
    assert slugify("Northwind Analytics, Ltd.") == "northwind-analytics-ltd"
    assert check_slug("northwind") == "northwind"
    with pytest.raises(ValidationFailed):
        check_slug("-bad-")
