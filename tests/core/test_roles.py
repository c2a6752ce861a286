"""Access decisions: global roles, organisation roles, membership, and their limits."""

from __future__ import annotations

import pytest

from assay.core.errors import PermissionDenied
from assay.core.roles import GLOBAL_ROLES, ORGANISATION_ROLES, Permission, Principal, Role, decide, require

ORG_A, ORG_B = "01ORGAAAAAAAAAAAAAAAAAAAAA", "01ORGBBBBBBBBBBBBBBBBBBBBB"


def test_every_role_is_either_global_or_organisational() -> None:
    assert set(Role) == GLOBAL_ROLES | ORGANISATION_ROLES
    assert not GLOBAL_ROLES & ORGANISATION_ROLES


def test_anonymous_is_refused_everything() -> None:
    for permission in Permission:
        assert not decide(None, permission, ORG_A).allowed


def test_member_sees_own_organisation_only() -> None:
    p = Principal("u1", memberships=frozenset({ORG_A}))
    assert decide(p, Permission.ORG_VIEW, ORG_A).allowed
    assert not decide(p, Permission.ORG_VIEW, ORG_B).allowed
    assert not decide(p, Permission.ORG_MANAGE, ORG_A).allowed


def test_manager_role_is_scoped_to_its_organisation() -> None:
    p = Principal(
        "u1", memberships=frozenset({ORG_A, ORG_B}), organisation_roles={ORG_A: frozenset({Role.ORG_MANAGER})}
    )
    assert decide(p, Permission.ORG_MANAGE, ORG_A).allowed
    assert not decide(p, Permission.ORG_MANAGE, ORG_B).allowed


def test_manager_grant_without_membership_grants_nothing() -> None:
    p = Principal("u1", organisation_roles={ORG_A: frozenset({Role.ORG_MANAGER})})
    assert not decide(p, Permission.ORG_MANAGE, ORG_A).allowed


def test_global_roles_grant_their_permissions_only() -> None:
    registrar = Principal("u", global_roles=frozenset({Role.CANDIDATE, Role.REGISTRAR}))
    assert decide(registrar, Permission.CREDENTIAL_APPROVE).allowed
    assert not decide(registrar, Permission.STANDARD_EDIT).allowed
    assert not decide(registrar, Permission.ROLES_GRANT).allowed
    editor = Principal("u", global_roles=frozenset({Role.STANDARDS_EDITOR}))
    assert decide(editor, Permission.STANDARD_EDIT).allowed
    assert not decide(editor, Permission.CREDENTIAL_APPROVE).allowed


def test_admin_may_do_everything() -> None:
    admin = Principal("u", global_roles=frozenset({Role.ADMIN}))
    assert all(decide(admin, p, ORG_B).allowed for p in Permission)


def test_require_raises_permission_denied() -> None:
    with pytest.raises(PermissionDenied):
        require(Principal("u"), Permission.AUDIT_READ)
