"""Granting roles: validation, idempotence, scoping, audit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from assay.core.errors import NotFound, PermissionDenied, ValidationFailed
from assay.core.roles import Permission, Role, decide
from assay.services import organisations, roles
from assay.services.runtime import Runtime
from tests.services.conftest import People


def test_grant_global_role_is_idempotent(db: Session, rt: Runtime, people: People) -> None:
    jonas = people.make("Jonas")
    _, created = roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    _, again = roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    assert created and not again
    assert decide(people.principal(jonas), Permission.SUBMISSION_REVIEW).allowed


def test_grant_org_role_needs_membership_and_org(db: Session, rt: Runtime, people: People) -> None:
    maria = people.make("Maria")
    people.make("Sam")
    organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    with pytest.raises(ValidationFailed, match="--org"):
        roles.grant(db, rt, actor=None, email="sam@example.org", role=Role.ORG_MANAGER)
    with pytest.raises(ValidationFailed, match="not a member"):
        roles.grant(db, rt, actor=None, email="sam@example.org", role=Role.ORG_MANAGER, organisation_slug="northwind")
    with pytest.raises(NotFound):
        roles.grant(db, rt, actor=None, email="sam@example.org", role=Role.ORG_MANAGER, organisation_slug="nope")
    with pytest.raises(ValidationFailed, match="leave out --org"):
        roles.grant(db, rt, actor=None, email="sam@example.org", role=Role.REVIEWER, organisation_slug="northwind")


def test_unknown_role_and_account(db: Session, rt: Runtime) -> None:
    with pytest.raises(ValidationFailed, match="Unknown role"):
        roles.parse_role("superuser")
    assert roles.parse_role("Standards-Editor") is Role.STANDARDS_EDITOR
    with pytest.raises(NotFound):
        roles.grant(db, rt, actor=None, email="ghost@example.org", role=Role.REVIEWER)


def test_only_admins_grant_in_the_app(db: Session, rt: Runtime, people: People) -> None:
    sam, ada = people.make("Sam"), people.make("Ada")
    people.make("Jonas")
    with pytest.raises(PermissionDenied):
        roles.grant(db, rt, actor=people.principal(sam), email="jonas@example.org", role=Role.REVIEWER)
    roles.grant(db, rt, actor=None, email="ada@example.org", role=Role.ADMIN)
    roles.grant(db, rt, actor=people.principal(ada), email="jonas@example.org", role=Role.REVIEWER)


def test_revoke(db: Session, rt: Runtime, people: People) -> None:
    jonas = people.make("Jonas")
    roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    roles.revoke(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    assert not decide(people.principal(jonas), Permission.SUBMISSION_REVIEW).allowed
    with pytest.raises(NotFound):
        roles.revoke(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
