"""Helpers for service tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from assay.core.roles import Principal
from assay.db.models import User
from assay.services import accounts
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
