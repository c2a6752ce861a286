"""Organisations: create, invite by email, accept, list members with their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy.orm import Session

from assay.core.accounts import check_slug, normalise_email, slugify
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id, new_token, token_digest
from assay.core.roles import INVITABLE_ROLES, Permission, Principal, Role, decide, require
from assay.db.models import Invitation, Membership, Organisation, RoleGrant, User
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import organisations as repo
from assay.services import audit, mail
from assay.services.runtime import Runtime

INVITATION_VALID_FOR = timedelta(days=14)


def create(db: Session, rt: Runtime, *, principal: Principal, name: str, slug: str | None = None) -> Organisation:
    require(principal, Permission.ORG_CREATE)
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > 200:
        raise ValidationFailed("Give the organisation a name of 1–200 characters.", {"name": "Enter a name."})
    chosen = check_slug(slug) if slug else slugify(clean_name)
    if repo.by_slug(db, chosen) is not None:
        message = f"The address “{chosen}” is taken; choose another."
        raise Conflict(message) if slug else ValidationFailed(message, {"slug": message})
    now = rt.clock.now()
    org = Organisation(id=new_id(now), slug=chosen, name=clean_name, created_at=now, created_by=principal.user_id)
    db.add(org)
    db.flush()
    _add_member(db, rt, organisation=org, user_id=principal.user_id, role=Role.ORG_MANAGER.value, by=principal.user_id)
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="organisation.created",
        subject_type="organisation",
        subject_id=org.id,
        organisation_id=org.id,
        details={"slug": org.slug, "name": org.name},
    )
    return org


def _add_member(
    db: Session, rt: Runtime, *, organisation: Organisation, user_id: str, role: str, by: str | None
) -> None:
    now = rt.clock.now()
    if repo.membership(db, organisation.id, user_id) is None:
        db.add(Membership(id=new_id(now), organisation_id=organisation.id, user_id=user_id, joined_at=now))
    if role == Role.ORG_MANAGER.value and account_repo.grant(db, user_id, role, organisation.id) is None:
        db.add(
            RoleGrant(id=new_id(now), user_id=user_id, role=role, scope=organisation.id, granted_by=by, granted_at=now)
        )
    db.flush()


def visible(db: Session, *, principal: Principal, slug: str) -> Organisation:
    """The organisation, if the principal may see it. Outsiders get NotFound: its existence is not theirs to learn."""
    org = repo.by_slug(db, slug)
    if org is None or not decide(principal, Permission.ORG_VIEW, org.id).allowed:
        raise NotFound("There is no organisation at this address, or you are not a member of it.")
    return org


def mine(db: Session, *, principal: Principal) -> list[Organisation]:
    return repo.organisations_of_user(db, principal.user_id)


@dataclass(frozen=True)
class MemberView:
    user_id: str
    display_name: str
    email: str
    roles: tuple[str, ...]


def members(db: Session, *, principal: Principal, organisation: Organisation) -> list[MemberView]:
    require(principal, Permission.ORG_VIEW, organisation.id)
    rows = repo.members(db, organisation.id)
    users = account_repo.users_by_ids(db, [m.user_id for m in rows])
    managers = {g.user_id for g in account_repo.grants_in_scope(db, organisation.id) if g.role == Role.ORG_MANAGER}
    views = []
    for m in rows:
        user = users[m.user_id]
        roles = ("Organisation manager",) if m.user_id in managers else ("Member",)
        views.append(MemberView(user.id, user.display_name, user.email, roles))
    return views


def invite(
    db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite an address to join; returns the invitation and the token that goes in its link."""
    require(principal, Permission.ORG_MANAGE, organisation.id)
    address = normalise_email(email)
    if role not in INVITABLE_ROLES:
        raise ValidationFailed("Choose member or organisation manager.", {"role": "Choose a role."})
    existing = account_repo.user_by_email(db, address)
    if existing is not None and repo.membership(db, organisation.id, existing.id) is not None:
        raise ValidationFailed(f"{address} is already a member.", {"email": "Already a member."})
    for pending in repo.open_invitations(db, organisation.id):
        if pending.email == address and pending.expires_at > rt.clock.now():
            raise ValidationFailed(f"{address} already has a pending invitation.", {"email": "Already invited."})
    now = rt.clock.now()
    token = new_token()
    invitation = Invitation(
        id=new_id(now),
        organisation_id=organisation.id,
        email=address,
        role=role,
        token_digest=token_digest(token),
        invited_by=principal.user_id,
        created_at=now,
        expires_at=now + INVITATION_VALID_FOR,
    )
    db.add(invitation)
    db.flush()
    role_label = "an organisation manager" if role == Role.ORG_MANAGER else "a member"
    mail.queue(
        db,
        rt,
        to=address,
        subject=f"You are invited to join {organisation.name} on Assay",
        text=(
            f"You have been invited to join {organisation.name} on Assay as {role_label}.\n\n"
            f"Accept within 14 days here (sign in or create an account with this email address first):\n\n"
            f"{rt.settings.base_url}/invitations/{quote(token)}\n"
        ),
    )
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="organisation.member_invited",
        subject_type="invitation",
        subject_id=invitation.id,
        organisation_id=organisation.id,
        details={"email_sha256": token_digest(address), "role": role},
    )
    return invitation, token


def pending_invitations(db: Session, *, principal: Principal, organisation: Organisation) -> list[Invitation]:
    require(principal, Permission.ORG_MANAGE, organisation.id)
    return repo.open_invitations(db, organisation.id)


def invitation_for_token(db: Session, rt: Runtime, *, token: str) -> tuple[Invitation, Organisation]:
    invitation = repo.invitation_by_digest(db, token_digest(token))
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("This invitation does not exist or was withdrawn.")
    if invitation.accepted_at is not None:
        raise ValidationFailed("This invitation was already accepted.")
    if invitation.expires_at <= rt.clock.now():
        raise ValidationFailed("This invitation has expired. Ask the organisation for a new one.")
    org = repo.by_id(db, invitation.organisation_id)
    if org is None:
        raise NotFound("This invitation does not exist or was withdrawn.")
    return invitation, org


def accept(db: Session, rt: Runtime, *, user: User, token: str) -> Organisation:
    invitation, org = invitation_for_token(db, rt, token=token)
    # Links get forwarded: only the invited address may accept.
    if user.email != invitation.email:
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."
        )
    now = rt.clock.now()
    _add_member(db, rt, organisation=org, user_id=user.id, role=invitation.role, by=invitation.invited_by)
    invitation.accepted_at = now
    invitation.accepted_by = user.id
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="organisation.member_joined",
        subject_type="user",
        subject_id=user.id,
        organisation_id=org.id,
        details={"invitation_id": invitation.id, "role": invitation.role},
    )
    db.flush()
    return org


def revoke_invitation(
    db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation, invitation_id: str
) -> None:
    require(principal, Permission.ORG_MANAGE, organisation.id)
    invitation = repo.invitation_by_id(db, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound("No such invitation in this organisation.")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationFailed("This invitation is no longer pending.")
    invitation.revoked_at = rt.clock.now()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="organisation.invitation_revoked",
        subject_type="invitation",
        subject_id=invitation.id,
        organisation_id=organisation.id,
    )
    db.flush()
