"""Sign-up, sign-in with rate limiting, sessions, password reset: on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.clock import FrozenClock
from assay.core.errors import Conflict, ValidationFailed
from assay.db.models import User
from assay.infra.email import MemoryMailer
from assay.services import accounts, jobs
from assay.services import job_handlers as _handlers  # noqa: F401 - registers the email handler
from assay.services.runtime import Runtime
from tests.services.conftest import PASSWORD, People


def test_sign_up_stores_an_argon2id_hash_never_the_password(db: Session, rt: Runtime) -> None:
    user = accounts.sign_up(db, rt, email="Ada@Example.org", display_name="Ada", password=PASSWORD)
    db.commit()
    stored = db.scalars(select(User)).one()
    assert stored.email == "ada@example.org"
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert user.id == stored.id


def test_duplicate_email_is_a_conflict(db: Session, rt: Runtime) -> None:
    accounts.sign_up(db, rt, email="ada@example.org", display_name="Ada", password=PASSWORD)
    with pytest.raises(Conflict):
        accounts.sign_up(db, rt, email="ADA@example.org", display_name="Ada Two", password=PASSWORD)


def test_bad_sign_up_writes_nothing(db: Session, rt: Runtime) -> None:
    with pytest.raises(ValidationFailed):
        accounts.sign_up(db, rt, email="ada@example.org", display_name="Ada", password="short")
    db.commit()
    assert db.scalars(select(User)).all() == []


def test_sign_in_and_session_lifecycle(db: Session, rt: Runtime, people: People, clock: FrozenClock) -> None:
    people.make("Ada")
    result = accounts.authenticate(db, rt, email="ada@example.org", password=PASSWORD, client_ip="203.0.113.5")
    assert result.user is not None
    token = accounts.start_session(db, rt, user=result.user)
    assert accounts.resolve_session(db, rt, token=token) == result.user
    assert accounts.resolve_session(db, rt, token=token + "x") is None
    clock.advance(days=rt.settings.session_days, seconds=1)
    assert accounts.resolve_session(db, rt, token=token) is None


def test_sign_out_ends_the_session(db: Session, rt: Runtime, people: People) -> None:
    user = people.make("Ada")
    token = accounts.start_session(db, rt, user=user)
    accounts.end_session(db, token=token)
    assert accounts.resolve_session(db, rt, token=token) is None


def test_wrong_password_and_unknown_account_look_the_same(db: Session, rt: Runtime, people: People) -> None:
    people.make("Ada")
    wrong = accounts.authenticate(db, rt, email="ada@example.org", password="not-the-password", client_ip="1.2.3.4")
    unknown = accounts.authenticate(db, rt, email="nobody@example.org", password=PASSWORD, client_ip="1.2.3.4")
    assert wrong.user is None and unknown.user is None
    assert wrong.error == unknown.error


def test_account_locks_after_repeated_failures_then_recovers(
    db: Session, rt: Runtime, people: People, clock: FrozenClock
) -> None:
    people.make("Ada")
    limit = rt.settings.login_max_failures_per_account
    for _ in range(limit):
        assert (
            accounts.authenticate(db, rt, email="ada@example.org", password="wrong-password!", client_ip="1.1.1.1").user
            is None
        )
    db.commit()
    # Even the right password is refused while locked, from any address.
    locked = accounts.authenticate(db, rt, email="ada@example.org", password=PASSWORD, client_ip="9.9.9.9")
    assert locked.user is None
    assert locked.retry_after is not None
    assert "Too many failed attempts" in (locked.error or "")
    clock.advance(seconds=rt.settings.login_window_seconds)
    assert (
        accounts.authenticate(db, rt, email="ada@example.org", password=PASSWORD, client_ip="9.9.9.9").user is not None
    )


def test_one_address_is_limited_across_accounts(db: Session, rt: Runtime, people: People) -> None:
    for i in range(rt.settings.login_max_attempts_per_ip):
        accounts.authenticate(db, rt, email=f"user{i}@example.org", password="whatever-pass", client_ip="5.5.5.5")
    result = accounts.authenticate(db, rt, email="x@example.org", password="whatever-pass", client_ip="5.5.5.5")
    assert result.retry_after is not None
    assert "network" in (result.error or "")


def test_password_reset_by_email(
    db: Session, sessions: object, rt: Runtime, people: People, mailer: MemoryMailer, clock: FrozenClock
) -> None:
    user = people.make("Ada")
    old_session = accounts.start_session(db, rt, user=user)
    accounts.request_password_reset(db, rt, email="ada@example.org")
    db.commit()
    assert mailer.sent == []  # queued, not sent inline
    summary = jobs.run_pending(sessions, rt, worker="test")  # type: ignore[arg-type]
    assert summary.done == 1
    message = mailer.sent[-1]
    assert message.to == "ada@example.org"
    link = next(line for line in message.text.splitlines() if "/account/reset/" in line).strip()
    token = link.rsplit("/", 1)[1]
    accounts.reset_password(db, rt, token=token, new_password="new-lantern-orbit-99")
    db.commit()
    assert accounts.resolve_session(db, rt, token=old_session) is None  # every session ended
    assert accounts.authenticate(
        db, rt, email="ada@example.org", password="new-lantern-orbit-99", client_ip="1.1.1.1"
    ).user
    with pytest.raises(ValidationFailed, match="expired or was already used"):
        accounts.reset_password(db, rt, token=token, new_password="another-lantern-42")


def test_reset_link_expires(
    db: Session, rt: Runtime, people: People, sessions: object, mailer: MemoryMailer, clock: FrozenClock
) -> None:
    people.make("Ada")
    accounts.request_password_reset(db, rt, email="ada@example.org")
    db.commit()
    jobs.run_pending(sessions, rt, worker="test")  # type: ignore[arg-type]
    token = mailer.sent[-1].text.split("/account/reset/")[1].split()[0]
    clock.advance(accounts.RESET_VALID_FOR + timedelta(seconds=1))
    with pytest.raises(ValidationFailed):
        accounts.reset_password(db, rt, token=token, new_password="new-lantern-orbit-99")


def test_reset_for_unknown_address_sends_nothing(
    db: Session, rt: Runtime, sessions: object, mailer: MemoryMailer
) -> None:
    accounts.request_password_reset(db, rt, email="nobody@example.org")
    db.commit()
    jobs.run_pending(sessions, rt, worker="test")  # type: ignore[arg-type]
    assert mailer.sent == []
