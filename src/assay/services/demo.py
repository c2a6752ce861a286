"""Demo data, created through the real services so it carries a real audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assay.core.roles import Role
from assay.db.repositories import accounts as account_repo
from assay.services import accounts, organisations, roles, standards
from assay.services.runtime import Runtime

DEMO_PASSWORD = "demo-passphrase-2026"  # noqa: S105 - published in the README; demo refuses production


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    about: str
    global_roles: tuple[Role, ...] = ()


PEOPLE = (
    Person("admin@assay.example", "Ada Okafor", "Platform administrator", (Role.ADMIN,)),
    Person("editor@assay.example", "Tomás Lindqvist", "Standards editor", (Role.STANDARDS_EDITOR,)),
    Person("registrar@assay.example", "Priya Raman", "Registrar (approves issuance)", (Role.REGISTRAR,)),
    Person("reviewer@assay.example", "Jonas Weber", "Panel reviewer", (Role.REVIEWER,)),
    Person("maria@northwind.example", "Maria Castell", "Organisation manager at Northwind Analytics"),
    Person("sam@northwind.example", "Sam Achebe", "ML engineer at Northwind Analytics"),
    Person("lee@northwind.example", "Lee Park", "Platform engineer at Northwind Analytics"),
    Person("dana@harbourlight.example", "Dana Mensah", "Consultant at Harbourlight Partners (an MSP)"),
)


def load(db: Session, rt: Runtime) -> bool:
    """Load once: returns False if the demo people already exist."""
    if account_repo.user_by_email(db, PEOPLE[0].email) is not None:
        return False
    standards.import_standard(db, rt)  # the default standard, versions 1.0 and 1.1
    users = {}
    for person in PEOPLE:
        users[person.email] = accounts.sign_up(
            db, rt, email=person.email, display_name=person.name, password=DEMO_PASSWORD
        )
        for role in person.global_roles:
            roles.grant(db, rt, actor=None, email=person.email, role=role)

    maria = accounts.principal_for(db, users["maria@northwind.example"])
    northwind = organisations.create(db, rt, principal=maria, name="Northwind Analytics", slug="northwind")
    maria = accounts.principal_for(db, users["maria@northwind.example"])
    _, sam_token = organisations.invite(
        db, rt, principal=maria, organisation=northwind, email="sam@northwind.example", role="member"
    )
    organisations.accept(db, rt, user=users["sam@northwind.example"], token=sam_token)
    # Lee's invitation stays pending, so the organisation page shows one.
    organisations.invite(db, rt, principal=maria, organisation=northwind, email="lee@northwind.example", role="member")

    dana = accounts.principal_for(db, users["dana@harbourlight.example"])
    organisations.create(db, rt, principal=dana, name="Harbourlight Partners", slug="harbourlight")
    return True
