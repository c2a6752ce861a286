"""Granting and revoking roles: operators through the CLI, administrators through the app."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.core.accounts import normalise_email
from assay.core.errors import NotFound, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, Role, require
from assay.db.models import RoleGrant
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import organisations as org_repo
from assay.services import audit
from assay.services.runtime import Runtime

OPERATOR = None  # the actor recorded when an operator acts from the command line


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower().replace("-", "_"))
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValidationFailed(f"Unknown role “{raw}”. Roles are: {names}.", {"role": "Unknown role."}) from None


def grant(
    db: Session,
    rt: Runtime,
    *,
    actor: Principal | None,
    email: str,
    role: Role,
    organisation_slug: str | None = None,
) -> tuple[RoleGrant, bool]:
    """Grant a role (actor None means an operator at the command line). Returns (grant, newly_created)."""
    if actor is not None:
        require(actor, Permission.ROLES_GRANT)
    user = account_repo.user_by_email(db, normalise_email(email))
    if user is None:
        raise NotFound(f"No account uses {email}.")
    scope = "global"
    organisation_id = None
    if role.scoped_to_organisation:
        if not organisation_slug:
            raise ValidationFailed(f"The {role.label} role belongs to an organisation: name one with --org.")
        org = org_repo.by_slug(db, organisation_slug)
        if org is None:
            raise NotFound(f"No organisation has the address “{organisation_slug}”.")
        if org_repo.membership(db, org.id, user.id) is None:
            raise ValidationFailed(f"{user.email} is not a member of {org.name}; invite them first.")
        scope = organisation_id = org.id
    elif organisation_slug:
        raise ValidationFailed(f"The {role.label} role is held across the platform; leave out --org.")
    if role is Role.CANDIDATE:
        raise ValidationFailed("Every account is a candidate already.")
    existing = account_repo.grant(db, user.id, role.value, scope)
    if existing is not None:
        return existing, False
    now = rt.clock.now()
    row = RoleGrant(
        id=new_id(now),
        user_id=user.id,
        role=role.value,
        scope=scope,
        granted_by=actor.user_id if actor else None,
        granted_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor.user_id if actor else OPERATOR,
        action="role.granted",
        subject_type="user",
        subject_id=user.id,
        organisation_id=organisation_id,
        details={"role": role.value, "scope": scope, "via": "app" if actor else "cli"},
    )
    return row, True


def revoke(
    db: Session, rt: Runtime, *, actor: Principal | None, email: str, role: Role, organisation_slug: str | None = None
) -> None:
    if actor is not None:
        require(actor, Permission.ROLES_GRANT)
    user = account_repo.user_by_email(db, normalise_email(email))
    if user is None:
        raise NotFound(f"No account uses {email}.")
    scope = "global"
    if role.scoped_to_organisation:
        org = org_repo.by_slug(db, organisation_slug or "")
        if org is None:
            raise NotFound(f"No organisation has the address “{organisation_slug}”.")
        scope = org.id
    existing = account_repo.grant(db, user.id, role.value, scope)
    if existing is None:
        raise NotFound(f"{user.email} does not hold {role.label} there.")
    db.delete(existing)
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor.user_id if actor else OPERATOR,
        action="role.revoked",
        subject_type="user",
        subject_id=user.id,
        organisation_id=None if scope == "global" else scope,
        details={"role": role.value, "scope": scope, "via": "app" if actor else "cli"},
    )
    db.flush()
