"""Organisations, invitations and tenant isolation."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock
from assay.core.errors import NotFound, PermissionDenied, ValidationFailed
from assay.services import organisations
from assay.services.runtime import Runtime
from tests.services.conftest import People


def test_creator_becomes_manager(db: Session, rt: Runtime, people: People) -> None:
    maria = people.make("Maria")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind Analytics")
    assert org.slug == "northwind-analytics"
    members = organisations.members(db, principal=people.principal(maria), organisation=org)
    assert [(m.display_name, m.roles) for m in members] == [("Maria", ("Organisation manager",))]


def test_invite_and_accept(db: Session, rt: Runtime, people: People) -> None:
    maria, sam = people.make("Maria"), people.make("Sam")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    _, token = organisations.invite(
        db, rt, principal=people.principal(maria), organisation=org, email="sam@example.org", role="member"
    )
    organisations.accept(db, rt, user=sam, token=token)
    names = {
        m.display_name: m.roles for m in organisations.members(db, principal=people.principal(sam), organisation=org)
    }
    assert names == {"Maria": ("Organisation manager",), "Sam": ("Member",)}
    with pytest.raises(ValidationFailed, match="already accepted"):
        organisations.accept(db, rt, user=sam, token=token)


def test_invitation_as_manager_grants_the_scoped_role(db: Session, rt: Runtime, people: People) -> None:
    maria, lee = people.make("Maria"), people.make("Lee")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    _, token = organisations.invite(
        db, rt, principal=people.principal(maria), organisation=org, email="lee@example.org", role="org_manager"
    )
    organisations.accept(db, rt, user=lee, token=token)
    other = organisations.create(db, rt, principal=people.principal(people.make("Dana")), name="Harbourlight")
    lee_p = people.principal(lee)
    organisations.invite(db, rt, principal=lee_p, organisation=org, email="x@example.org", role="member")
    with pytest.raises(NotFound):
        organisations.visible(db, principal=lee_p, slug=other.slug)


def test_only_the_invited_address_may_accept(db: Session, rt: Runtime, people: People) -> None:
    maria, mallory = people.make("Maria"), people.make("Mallory")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    _, token = organisations.invite(
        db, rt, principal=people.principal(maria), organisation=org, email="sam@example.org", role="member"
    )
    with pytest.raises(PermissionDenied, match=r"sam@example\.org"):
        organisations.accept(db, rt, user=mallory, token=token)


def test_invitations_expire(db: Session, rt: Runtime, people: People, clock: FrozenClock) -> None:
    maria, sam = people.make("Maria"), people.make("Sam")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    _, token = organisations.invite(
        db, rt, principal=people.principal(maria), organisation=org, email="sam@example.org", role="member"
    )
    clock.advance(organisations.INVITATION_VALID_FOR)
    with pytest.raises(ValidationFailed, match="expired"):
        organisations.accept(db, rt, user=sam, token=token)


def test_members_cannot_invite_and_outsiders_cannot_see(db: Session, rt: Runtime, people: People) -> None:
    maria, sam, eve = people.make("Maria"), people.make("Sam"), people.make("Eve")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    _, token = organisations.invite(
        db, rt, principal=people.principal(maria), organisation=org, email="sam@example.org", role="member"
    )
    organisations.accept(db, rt, user=sam, token=token)
    with pytest.raises(PermissionDenied):
        organisations.invite(
            db, rt, principal=people.principal(sam), organisation=org, email="z@example.org", role="member"
        )
    with pytest.raises(NotFound):
        organisations.visible(db, principal=people.principal(eve), slug=org.slug)
    with pytest.raises(PermissionDenied):
        organisations.members(db, principal=people.principal(eve), organisation=org)


def test_bad_invitation_input(db: Session, rt: Runtime, people: People) -> None:
    maria = people.make("Maria")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    p = people.principal(maria)
    with pytest.raises(ValidationFailed, match="Choose member"):
        organisations.invite(db, rt, principal=p, organisation=org, email="a@example.org", role="admin")
    with pytest.raises(ValidationFailed):
        organisations.invite(db, rt, principal=p, organisation=org, email="not-an-email", role="member")
    with pytest.raises(ValidationFailed, match="already a member"):
        organisations.invite(db, rt, principal=p, organisation=org, email="maria@example.org", role="member")
    organisations.invite(db, rt, principal=p, organisation=org, email="a@example.org", role="member")
    with pytest.raises(ValidationFailed, match="pending"):
        organisations.invite(db, rt, principal=p, organisation=org, email="a@example.org", role="member")
