"""A person's own data: everything Assay holds about them, as one JSON document; and deleting the
account in a way that keeps every credential it was issued verifiable.

Deletion removes what identifies the person and what they chose to publish: name and e-mail
(replaced by a tombstone nobody can sign in with), password, sessions, profile, domains, artifacts,
memberships, role grants, consent to status webhooks and invitations to review drafts; case studies they wrote keep their (already scrubbed) text but lose
the link to them. What is kept, because others rely on it: issued credentials, which name the holder
only by a salted hash of the e-mail and carry their status, so a verifier holding one still gets
an honest answer (the public page says the holder's account was deleted); the audit trail, whose
hash chain must not change; exam attempts and reviews, as anonymous statistics.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assay.core.errors import ValidationFailed
from assay.core.ids import new_token
from assay.db.models import (
    CaseStudyAuthor,
    DraftInvitation,
    Membership,
    Profile,
    ProfileArtifact,
    ProfileDomain,
    ReviewOptIn,
    RoleGrant,
    StatusConsent,
    User,
    WebSession,
)
from assay.db.repositories import certification as cert_repo
from assay.db.repositories import community as repo
from assay.db.repositories import credentials as credential_repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit, profiles
from assay.services.runtime import Runtime

DELETED_NAME = "Deleted account"


def export(db: Session, rt: Runtime, *, user: User) -> dict[str, Any]:
    profile = profiles.profile_of(db, user.id)
    return {
        "exported_at": rt.clock.now().isoformat(),
        "account": {"email": user.email, "display_name": user.display_name, "created_at": user.created_at.isoformat()},
        "profile": None
        if profile is None
        else {
            "handle": profile.handle,
            "headline": profile.headline,
            "bio": profile.bio,
            "region": profile.region,
            "availability": profile.availability,
            "focus": json.loads(profile.focus),
            "visibility": profile.visibility,
        },
        "domains": [{"domain": d.domain, "state": d.state, "method": d.method} for d in repo.domains_of(db, user.id)],
        "artifacts": [
            {"title": a.title, "url": a.url, "summary": a.summary, "state": a.state}
            for a in repo.artifacts_of(db, user.id)
        ],
        "memberships": [m.organisation_id for m in org_repo.memberships_of_user(db, user.id)],
        "credentials": [
            {
                "id": f"{rt.settings.base_url.rstrip('/')}/credentials/{c.public_id}",
                "programme": c.programme_id,
                "state": c.state,
                "issued_at": c.issued_at.isoformat(),
                "document": json.loads(c.document),
            }
            for c in credential_repo.credentials_of_user(db, user.id)
        ],
        "exam_attempts": [
            {
                "programme": a.programme_id,
                "started_at": a.started_at.isoformat(),
                "state": a.state,
                "percent": a.percent if a.state == "released" else None,
                "passed": a.passed if a.state == "released" else None,
            }
            for a in cert_repo.exam_attempts(db, user_id=user.id)
        ],
        "task_submissions": [
            {"task": s.task_id, "state": s.state, "body": s.body} for s in cert_repo.submissions(db, user_id=user.id)
        ],
        "feedback": [
            {"target": f.target, "kind": f.kind, "text": f.text, "state": f.state, "resolution": f.resolution}
            for f in repo.feedback(db, user_id=user.id)
        ],
        "case_studies": [{"title": c.title, "state": c.state} for c in repo.case_studies_by(db, user.id)],
    }


def delete_account(db: Session, rt: Runtime, *, user: User, confirm_email: str) -> None:
    if confirm_email.strip().lower() != user.email:
        raise ValidationFailed(
            "Type your account's e-mail address to confirm the deletion.", {"confirm": "Does not match."}
        )
    held = credential_repo.credentials_of_user(db, user.id)
    for model in (
        Profile,
        ProfileDomain,
        ProfileArtifact,
        WebSession,
        Membership,
        RoleGrant,
        CaseStudyAuthor,
        StatusConsent,
        ReviewOptIn,
        DraftInvitation,
    ):
        db.execute(delete(model).where(model.user_id == user.id))
    tombstone = new_token()[:16].lower()
    user.email = f"deleted-{tombstone}@deleted.invalid"
    user.display_name = DELETED_NAME
    user.password_hash = "!"  # noqa: S105 - not a hash of anything: no password matches it
    user.is_active = False
    for f in repo.feedback(db, user_id=user.id):
        f.user_id = None
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="account.deleted",
        subject_type="user",
        subject_id=user.id,
        details={"credentials_kept_verifiable": len(held)},
    )
