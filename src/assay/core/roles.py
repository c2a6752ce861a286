"""Roles and permissions, and the one function that decides whether a principal may do something."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from assay.core.errors import PermissionDenied


class Role(StrEnum):
    CANDIDATE = "candidate"
    REVIEWER = "reviewer"
    ORG_MANAGER = "org_manager"
    STANDARDS_EDITOR = "standards_editor"
    REGISTRAR = "registrar"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def scoped_to_organisation(self) -> bool:
        return self in ORGANISATION_ROLES


ROLE_LABELS: Mapping[Role, str] = {
    Role.CANDIDATE: "Candidate",
    Role.REVIEWER: "Reviewer",
    Role.ORG_MANAGER: "Organisation manager",
    Role.STANDARDS_EDITOR: "Standards editor",
    Role.REGISTRAR: "Registrar",
    Role.ADMIN: "Administrator",
}

#: Roles that only mean something inside one organisation.
ORGANISATION_ROLES = frozenset({Role.ORG_MANAGER})
#: Roles held across the whole platform.
GLOBAL_ROLES = frozenset(Role) - ORGANISATION_ROLES
#: Roles an organisation manager may hand out through an invitation ("member" is plain membership).
INVITABLE_ROLES = ("member", Role.ORG_MANAGER.value)


class Permission(StrEnum):
    TAKE_ASSESSMENT = "assessment.take"
    ORG_VIEW = "organisation.view"
    ORG_MANAGE = "organisation.manage"
    ORG_CREATE = "organisation.create"
    ROLES_GRANT = "roles.grant"
    AUDIT_READ = "audit.read"
    STANDARD_EDIT = "standard.edit"
    SUBMISSION_REVIEW = "submission.review"
    CREDENTIAL_APPROVE = "credential.approve"
    CREDENTIAL_REVOKE = "credential.revoke"
    KEYS_ROTATE = "keys.rotate"


GLOBAL_GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.CANDIDATE: frozenset({Permission.TAKE_ASSESSMENT, Permission.ORG_CREATE}),
    Role.REVIEWER: frozenset({Permission.SUBMISSION_REVIEW}),
    Role.STANDARDS_EDITOR: frozenset({Permission.STANDARD_EDIT}),
    Role.REGISTRAR: frozenset(
        {Permission.CREDENTIAL_APPROVE, Permission.CREDENTIAL_REVOKE, Permission.KEYS_ROTATE, Permission.AUDIT_READ}
    ),
    Role.ADMIN: frozenset(Permission),
}

#: What membership alone allows inside an organisation, and what its managers add.
MEMBER_GRANTS = frozenset({Permission.ORG_VIEW})
ORG_GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.ORG_MANAGER: frozenset({Permission.ORG_VIEW, Permission.ORG_MANAGE}),
}

#: Permissions that only make sense with an organisation named.
ORGANISATION_PERMISSIONS = frozenset({Permission.ORG_VIEW, Permission.ORG_MANAGE})


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user with their global roles, memberships and organisation roles."""

    user_id: str
    global_roles: frozenset[Role] = frozenset({Role.CANDIDATE})
    memberships: frozenset[str] = frozenset()
    organisation_roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    def holds(self, role: Role, organisation_id: str | None = None) -> bool:
        if organisation_id is None:
            return role in self.global_roles
        return role in self.organisation_roles.get(organisation_id, frozenset())


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def decide(principal: Principal | None, permission: Permission, organisation_id: str | None = None) -> Decision:
    """The single place where access is decided. Pure: the caller supplies everything it needs."""
    if principal is None:
        return Decision(False, "sign in first")
    for role in principal.global_roles:
        if permission in GLOBAL_GRANTS.get(role, frozenset()):
            return Decision(True, f"global role {role.value}")
    if permission in ORGANISATION_PERMISSIONS:
        if organisation_id is None:
            return Decision(False, "this permission needs an organisation")
        if organisation_id not in principal.memberships:
            return Decision(False, "not a member of this organisation")
        for role in principal.organisation_roles.get(organisation_id, frozenset()):
            if permission in ORG_GRANTS.get(role, frozenset()):
                return Decision(True, f"organisation role {role.value}")
        if permission in MEMBER_GRANTS:
            return Decision(True, "member of this organisation")
    return Decision(False, f"no role grants {permission.value}")


def require(principal: Principal | None, permission: Permission, organisation_id: str | None = None) -> Principal:
    decision = decide(principal, permission, organisation_id)
    if not decision.allowed or principal is None:
        raise PermissionDenied("You do not have permission to do that.")
    return principal
