"""Helpers for service tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from assay.core.roles import Principal, Role
from assay.db.models import User
from assay.services import accounts, assessments, issuance, roles, standards
from assay.services.runtime import Runtime

PASSWORD = "lantern-orbit-cedar-71"


class People:
    def __init__(self, db: Session, rt: Runtime) -> None:
        self.db, self.rt = db, rt

    def make(self, name: str) -> User:
        email = f"{name.lower()}@example.org"
        return accounts.sign_up(self.db, self.rt, email=email, display_name=name, password=PASSWORD)

    def principal(self, user: User) -> Principal:
        return accounts.principal_for(self.db, user)


@pytest.fixture
def people(db: Session, rt: Runtime) -> People:
    return People(db, rt)


def answer_all(db: Session, rt: Runtime, token: str, *, right: bool, wrong_in: tuple[str, ...] = ()) -> None:
    """Answer every question: all right or all wrong, or right except in the `wrong_in` domains."""
    attempt = assessments.get(db, token=token)
    for ref in assessments.refs(attempt):
        item = assessments._item(ref)
        good = right and item.domain not in wrong_in
        if item.kind.value == "ordering":
            choice = list(item.key) if good else list(reversed(item.key))  # type: ignore[arg-type]
        elif item.kind.value == "single":
            choice = sorted(item.key) if good else [next(o.id for o in item.options if not o.correct)]  # type: ignore[arg-type]
        else:
            choice = sorted(item.key) if good else [o.id for o in item.options if not o.correct]  # type: ignore[arg-type]
        assessments.answer(db, rt, token=token, item_id=item.id, choice=choice, confidence=0.75)


@pytest.fixture
def cast(db: Session, rt: Runtime, people: People) -> dict[str, object]:
    standards.import_standard(db, rt)
    users = {name: people.make(name) for name in ("Jonas", "Priya", "Sam", "Lee", "Ada")}
    roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REVIEWER)
    roles.grant(db, rt, actor=None, email="priya@example.org", role=Role.REGISTRAR)
    roles.grant(db, rt, actor=None, email="ada@example.org", role=Role.REGISTRAR)
    roles.grant(db, rt, actor=None, email="ada@example.org", role=Role.REVIEWER)
    return {name: people.principal(user) for name, user in users.items()}


def decide(db: Session, rt: Runtime, *emails: str, grader: str = "jonas@example.org") -> str:
    decision = issuance.create_decision(
        db,
        rt,
        programme_id="certified-ai-integrator",
        subjects=[
            issuance.SubjectInput(
                e,
                results=[{"description": "exam-score", "value": "81"}],
                evidence=[{"id": "https://x.example/e/1", "name": "Task 1"}],
            )
            for e in emails
        ],
        graded_by_email=grader,
        rationale="Passed the scenario exam and both practical tasks.",
    )
    return decision.id
