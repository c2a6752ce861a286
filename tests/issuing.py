"""One issued credential, made the way the registry makes them, for tests that need one to look at."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.core.roles import Role
from assay.db.models import IssuedCredential
from assay.services import accounts, issuance, roles, standards, statuslists
from assay.services.runtime import Runtime


def issue_foundation(db: Session, rt: Runtime, *, password: str, holder_name: str = "sam") -> IssuedCredential:
    """Import the standard; sign up jonas (reviewer), priya (registrar) and sam (the holder, shown as
    `holder_name`); record, approve and issue Sam's Foundation credential; publish the status lists."""
    standards.import_standard(db, rt)
    for email, name, role in (
        ("jonas@example.org", "jonas", Role.REVIEWER),
        ("priya@example.org", "priya", Role.REGISTRAR),
        ("sam@example.org", holder_name, None),
    ):
        accounts.sign_up(db, rt, email=email, display_name=name, password=password)
        if role:
            roles.grant(db, rt, actor=None, email=email, role=role)
    decision = issuance.create_decision(
        db,
        rt,
        programme_id="foundation",
        subjects=[issuance.SubjectInput("sam@example.org")],
        graded_by_email="jonas@example.org",
        rationale="Passed the foundation exam.",
    )
    priya = accounts.principal_for(db, accounts.repo.user_by_email(db, "priya@example.org"))  # type: ignore[arg-type]
    issuance.approve(db, rt, registrar=priya, decision_id=decision.id)
    [credential] = issuance.issue(db, rt, decision_id=decision.id)
    statuslists.publish(db, rt)
    return credential
