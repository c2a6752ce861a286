"""Practitioner profiles and the directory; verified domains; shipped artifacts; one's own data
exported; and account deletion that keeps issued credentials verifiable.

Privacy: a profile is private until its owner makes it public, and a private profile appears
nowhere: not in the directory, not at its address (which answers as if it did not exist), not in
any API. On a public profile, a credential is listed only when its holder set that credential's own
visibility to public; its status is read live.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assay.core.errors import ExternalServiceError, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id, new_token
from assay.core.roles import Permission, Principal, require
from assay.db.models import Profile, ProfileArtifact, ProfileDomain, User
from assay.db.repositories import community as repo
from assay.db.repositories import credentials as credential_repo
from assay.services import audit, outbound, standards
from assay.services import programmes as content
from assay.services.runtime import Runtime

REGIONS = (
    "Africa",
    "Asia",
    "Australia and New Zealand",
    "Europe: UK and Ireland",
    "Europe: EU and EEA",
    "Europe: other",
    "Latin America",
    "Middle East",
    "North America",
    "Remote only",
)
AVAILABILITY = {"open": "Open to work", "limited": "Limited availability", "unavailable": "Not available"}
PAGE_SIZE = 20
_HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
TXT_PREFIX = "assay-verification="
WELL_KNOWN = "/.well-known/assay-verification.txt"


def profile_of(db: Session, user_id: str) -> Profile | None:
    return db.get(Profile, user_id)


def save_profile(
    db: Session,
    rt: Runtime,
    *,
    user: User,
    handle: str,
    headline: str,
    bio: str,
    region: str,
    availability: str,
    focus: list[str],
    visibility: str,
) -> Profile:
    handle = handle.strip().lower()
    errors: dict[str, str] = {}
    if not _HANDLE.match(handle):
        errors["handle"] = "3 to 40 lower-case letters, digits or hyphens, not starting or ending with a hyphen."
    taken = repo.profile_by_handle(db, handle)
    if taken is not None and taken.user_id != user.id:
        errors["handle"] = "That address is taken."
    if len(headline.strip()) > 160:
        errors["headline"] = "At most 160 characters."
    if len(bio) > 4000:
        errors["bio"] = "At most 4,000 characters."
    if region and region not in REGIONS:
        errors["region"] = "Choose a region from the list."
    if availability not in AVAILABILITY:
        errors["availability"] = "Choose one."
    known = set(standards.latest_domain_ids())
    if any(d not in known for d in focus):
        errors["focus"] = "Choose domains of the standard."
    if visibility not in ("private", "public"):
        errors["visibility"] = "Private or public."
    if errors:
        raise ValidationFailed(
            "Some fields need attention: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors
        )
    now = rt.clock.now()
    row = db.get(Profile, user.id)
    if row is None:
        row = Profile(user_id=user.id, created_at=now)
        db.add(row)
    before = row.visibility
    row.handle, row.headline, row.bio, row.region, row.availability = (
        handle,
        headline.strip(),
        bio.strip(),
        region,
        availability,
    )
    row.focus, row.visibility, row.updated_at = json.dumps(sorted(set(focus))), visibility, now
    db.flush()
    if before != visibility:
        audit.record(
            db,
            clock=rt.clock,
            actor_id=user.id,
            action=f"profile.made_{visibility}",
            subject_type="profile",
            subject_id=user.id,
        )
    return row


# --- the public view and the directory -------------------------------------------------------------


def _public_credentials(db: Session, rt: Runtime, user_id: str) -> list[dict[str, Any]]:
    now = rt.clock.now()
    out = []
    for c in credential_repo.credentials_of_user(db, user_id):
        if c.visibility != "public":
            continue
        expired = c.valid_until is not None and c.valid_until <= now
        status = (
            "revoked"
            if c.state == "revoked"
            else "suspended"
            if c.state == "suspended"
            else "expired"
            if expired
            else "active"
        )
        out.append(
            {
                "public_id": c.public_id,
                "programme": c.programme_id,
                "name": content.programme(c.programme_id).name,
                "standard_version": c.standard_version,
                "status": status,
                "valid_until": c.valid_until,
            }
        )
    return out


def public_view(db: Session, rt: Runtime, handle: str) -> dict[str, Any]:
    row = repo.profile_by_handle(db, handle.lower())
    if row is None or row.visibility != "public":
        raise NotFound("There is no public profile at this address.")
    user = db.get_one(User, row.user_id)
    return {
        "handle": row.handle,
        "name": user.display_name,
        "headline": row.headline,
        "bio": row.bio,
        "region": row.region,
        "availability": row.availability,
        "availability_label": AVAILABILITY[row.availability],
        "focus": json.loads(row.focus),
        "credentials": _public_credentials(db, rt, row.user_id),
        "domains": [
            {"domain": d.domain, "method": d.method, "verified_at": d.verified_at}
            for d in repo.domains_of(db, row.user_id)
            if d.state == "verified"
        ],
        "artifacts": [
            {
                "id": a.id,
                "title": a.title,
                "url": a.url,
                "summary": a.summary,
                "state": a.state,
                "note": a.verification_note,
            }
            for a in repo.artifacts_of(db, row.user_id)
        ],
    }


@dataclass(frozen=True)
class DirectoryPage:
    entries: list[dict[str, Any]]
    page: int
    pages: int
    total: int


def directory(
    db: Session,
    rt: Runtime,
    *,
    q: str = "",
    credential: str = "",
    domain: str = "",
    region: str = "",
    availability: str = "",
    page: int = 1,
) -> DirectoryPage:
    """Public profiles only. `credential`: holds that programme's credential, current and public.
    `domain`: declares that domain of the standard as a focus. Free text matches name and headline."""
    if credential:
        content.programme(credential)  # unknown programme: a clear 404
    if availability and availability not in AVAILABILITY:
        raise ValidationFailed("Availability is open, limited or unavailable.")
    if region and region not in REGIONS:
        raise ValidationFailed("Choose a region from the list.")
    if page < 1:
        raise ValidationFailed("Pages start at 1.")
    rows = repo.public_profiles(db, q=q.strip()[:100], region=region, availability=availability)
    entries = []
    for row, user in rows:
        focus = json.loads(row.focus)
        if domain and domain not in focus:
            continue
        creds = [c for c in _public_credentials(db, rt, row.user_id) if c["status"] == "active"]
        if credential and not any(c["programme"] == credential for c in creds):
            continue
        entries.append(
            {
                "handle": row.handle,
                "name": user.display_name,
                "headline": row.headline,
                "region": row.region,
                "availability": AVAILABILITY[row.availability],
                "focus": focus,
                "credentials": [c["name"] for c in creds],
            }
        )
    total = len(entries)
    pages = max(1, -(-total // PAGE_SIZE))
    start = (page - 1) * PAGE_SIZE
    return DirectoryPage(entries[start : start + PAGE_SIZE], page, pages, total)


# --- verified domains ------------------------------------------------------------------------------


def add_domain(db: Session, rt: Runtime, *, user: User, domain: str) -> ProfileDomain:
    name = domain.strip().lower().rstrip(".")
    name = re.sub(r"^https?://", "", name).split("/")[0]
    if not _DOMAIN.match(name):
        raise ValidationFailed(
            f"“{domain}” is not a domain name (for example: example.com).", {"domain": "Not a domain."}
        )
    if any(d.domain == name for d in repo.domains_of(db, user.id)):
        raise ValidationFailed(f"You have already added {name}.")
    now = rt.clock.now()
    row = ProfileDomain(
        id=new_id(now), user_id=user.id, domain=name, token=new_token(), state="pending", created_at=now
    )
    db.add(row)
    db.flush()
    return row


def verify_domain(db: Session, rt: Runtime, *, user: User, domain_id: str) -> ProfileDomain:
    """Look for the token in a TXT record at the domain, then at https://<domain>/.well-known/…"""
    row = repo.domain(db, domain_id)
    if row is None or row.user_id != user.id:
        raise NotFound("No such domain on your profile.")
    now = rt.clock.now()
    row.checked_at = now
    expected = TXT_PREFIX + row.token
    try:
        outbound.refuse_internal(rt, row.domain, purpose="a domain proof")
        method = None
        if any(t.strip() == expected for t in rt.dns.txt(row.domain)):
            method = "dns"
        else:
            response = rt.http.get(f"https://{row.domain}{WELL_KNOWN}")
            if response.ok and expected in response.text().split():
                method = "well-known"
    except (ExternalServiceError, ValidationFailed) as exc:
        row.state, row.failure = "failed", exc.message
        db.flush()
        audit.record(
            db,
            clock=rt.clock,
            actor_id=user.id,
            action="profile.domain_refused",
            subject_type="profile_domain",
            subject_id=row.id,
            details={"domain": row.domain, "reason": exc.message},
        )
        return row
    if method is None:
        row.state, row.failure = (
            "failed",
            f"Neither a TXT record “{expected}” at {row.domain} nor the file https://{row.domain}{WELL_KNOWN} holding it was found.",
        )
    else:
        row.state, row.method, row.verified_at, row.failure = "verified", method, now, None
        audit.record(
            db,
            clock=rt.clock,
            actor_id=user.id,
            action="profile.domain_verified",
            subject_type="profile_domain",
            subject_id=row.id,
            details={"domain": row.domain, "method": method},
        )
    db.flush()
    return row


# --- shipped artifacts ----------------------------------------------------------------------------


def add_artifact(db: Session, rt: Runtime, *, user: User, title: str, url: str, summary: str) -> ProfileArtifact:
    if not title.strip() or len(title) > 160:
        raise ValidationFailed("Give the artifact a title of up to 160 characters.", {"title": "Required."})
    if not re.match(r"^https://[^\s]+$", url.strip()):
        raise ValidationFailed("Link to it with an https:// address.", {"url": "An https link."})
    if not 20 <= len(summary.strip()) <= 1500:
        raise ValidationFailed(
            "Summarise what you shipped and your part in it, in 20 to 1,500 characters.",
            {"summary": "20 to 1,500 characters."},
        )
    now = rt.clock.now()
    row = ProfileArtifact(
        id=new_id(now),
        user_id=user.id,
        title=title.strip(),
        url=url.strip(),
        summary=summary.strip(),
        state="claimed",
        created_at=now,
    )
    db.add(row)
    db.flush()
    return row


def verify_artifact(db: Session, rt: Runtime, *, reviewer: Principal, artifact_id: str, note: str) -> ProfileArtifact:
    """A reviewer who checked the artifact marks it reviewer-verified, with what they checked."""
    require(reviewer, Permission.SUBMISSION_REVIEW)
    row = repo.artifact(db, artifact_id)
    if row is None:
        raise NotFound("No such artifact.")
    if row.user_id == reviewer.user_id:
        raise PermissionDenied("You cannot verify your own artifact.")
    if len(note.strip()) < 20:
        raise ValidationFailed("Say what you checked (at least 20 characters).")
    row.state, row.verified_by, row.verified_at, row.verification_note = (
        "verified",
        reviewer.user_id,
        rt.clock.now(),
        note.strip(),
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=reviewer.user_id,
        action="profile.artifact_verified",
        subject_type="profile_artifact",
        subject_id=row.id,
    )
    return row
