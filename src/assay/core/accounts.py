"""Account rules that hold wherever accounts are created: email shape, names, password policy."""

from __future__ import annotations

import re

from assay.core.errors import ValidationFailed

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if not email:
        raise ValidationFailed("Enter an email address.", {"email": "Enter an email address."})
    if len(email) > 320 or not _EMAIL.match(email):
        raise ValidationFailed(
            "Enter an email address like name@example.org.", {"email": "Enter an email address like name@example.org."}
        )
    return email


def check_display_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise ValidationFailed("Enter your name.", {"display_name": "Enter your name."})
    if len(name) > 120:
        raise ValidationFailed("Names are limited to 120 characters.", {"display_name": "Use at most 120 characters."})
    if any(ord(ch) < 32 for ch in name):
        raise ValidationFailed(
            "Names cannot contain control characters.", {"display_name": "Remove control characters."}
        )
    return name


def check_password(password: str, *, email: str | None = None) -> None:
    """Length over composition rules (NIST SP 800-63B): long passphrases, no trivial choices."""
    message = None
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"Use at least {MIN_PASSWORD_LENGTH} characters; a passphrase of a few words works well."
    elif len(password) > MAX_PASSWORD_LENGTH:
        message = f"Use at most {MAX_PASSWORD_LENGTH} characters."
    elif len(set(password)) < 4:
        message = "That password repeats too few characters; choose something less predictable."
    elif email and len(email.split("@")[0]) >= 4 and email.split("@")[0].lower() in password.lower():
        message = "Do not include your email name in your password."
    if message:
        raise ValidationFailed(message, {"password": message})


def check_slug(raw: str) -> str:
    slug = raw.strip().lower()
    if not _SLUG.match(slug):
        message = "Use 1–63 lower-case letters, digits and hyphens, not starting or ending with a hyphen."
        raise ValidationFailed(message, {"slug": message})
    return slug


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return slug or "organisation"
