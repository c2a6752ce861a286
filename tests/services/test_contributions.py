"""Scenario questions from credential holders: proposal, two reviews by holders of a credential
that assesses the domain, acceptance into the pilot pool, and the exam forms that then carry it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.errors import Conflict, PermissionDenied, ValidationFailed
from assay.core.items.model import ItemStatus
from assay.db.models import AuditEntry, User
from assay.services import accounts, contributions, exams
from assay.services import programmes as content
from assay.services.runtime import Runtime
from tests.certifying import PASSWORD, grant, make_cast

STEM = (
    "A logistics firm's support assistant answers from a shared index of carrier contracts. After a "
    "re-index, customers of one carrier began seeing rates negotiated by another. What should the team have had in place?"
)
OPTIONS = [
    (
        "Entitlement filters built into the retriever's query from the caller's claims.",
        "RD-02 at Managed: the index returns only what the caller may see.",
    ),
    (
        "A prompt instruction telling the model not to reveal other carriers' rates.",
        "Instructions are not access control; retrieval already leaked the text.",
    ),
    (
        "A weekly manual review of answers mentioning rates.",
        "Finds the leak after customers have seen it; prevents nothing.",
    ),
    (
        "Encrypting the index at rest with a per-carrier key.",
        "Protects the disk, not what the retriever returns to a caller.",
    ),
]


def propose(db: Session, rt: Runtime, user: User):  # type: ignore[no-untyped-def]
    return contributions.propose(
        db, rt, user=user, control="RD-02", title="Rates leak after re-index", stem=STEM, options=OPTIONS, correct="a"
    )


def test_a_contribution_becomes_a_pilot_item(db: Session, rt: Runtime) -> None:
    cast = make_cast(db, rt)
    kim = cast["kim"]
    with pytest.raises(PermissionDenied, match="credential holders"):
        propose(db, rt, kim)
    grant(db, rt, "kim@example.org", "foundation")
    with pytest.raises(ValidationFailed, match="at least 80"):
        contributions.propose(
            db, rt, user=kim, control="RD-02", title="Short", stem="Too short.", options=OPTIONS, correct="a"
        )
    with pytest.raises(ValidationFailed, match="control"):
        contributions.propose(
            db, rt, user=kim, control="ZZ-01", title="Rates leak", stem=STEM, options=OPTIONS, correct="a"
        )
    row = propose(db, rt, kim)
    reviewers = []
    for name in ("rhea", "omar", "lena"):
        user = accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name.title(), password=PASSWORD)
        reviewers.append(user)
    grant(db, rt, "rhea@example.org", "certified-ai-integrator")  # assesses RD
    grant(db, rt, "omar@example.org", "foundation")
    with pytest.raises(PermissionDenied, match="own contribution"):
        contributions.review(
            db, rt, user=kim, contribution_id=row.id, accept=True, comments="I think my own question is great."
        )
    with pytest.raises(PermissionDenied, match="assesses RD"):
        contributions.review(
            db, rt, user=reviewers[2], contribution_id=row.id, accept=True, comments="Looks right to me, ship it now."
        )
    assert [q["id"] for q in contributions.queue(db, rt, user=reviewers[0])] == [row.id]
    contributions.review(
        db,
        rt,
        user=reviewers[0],
        contribution_id=row.id,
        accept=True,
        comments="Defensible key; distractors are plausible.",
    )
    with pytest.raises(Conflict, match="already reviewed"):
        contributions.review(
            db,
            rt,
            user=reviewers[0],
            contribution_id=row.id,
            accept=True,
            comments="Defensible key; distractors are plausible.",
        )
    assert row.state == "submitted"
    contributions.review(
        db,
        rt,
        user=reviewers[1],
        contribution_id=row.id,
        accept=True,
        comments="Clear scenario, and it measures RD-02, not RD-01.",
    )
    assert row.state == "accepted" and row.item_id == "RD-S-901@1"
    item = content.secure_item("RD-S-901@1")
    assert item.status is ItemStatus.PILOT and item.controls == ("RD-02",)
    assert any(e.action == "contribution.accepted_as_pilot" for e in db.scalars(select(AuditEntry)))
    # The new pilot item is in the pool forms are drawn from: with every form carrying all the
    # pool's pilots (31 of them), some form of the Integrator exam (6 pilots each) may carry it;
    # the pool itself certainly holds it as a pilot.
    assert "RD-S-901" in {i.id for i in content.secure_items(db) if i.status is ItemStatus.PILOT}
    forms = exams.assemble(db, rt, programme_id="foundation", seed="contributed")
    carried = [f for f in forms if "RD-S-901@1" in json.loads(f.pilot_refs)]
    assert all("RD-S-901@1" not in json.loads(f.scored_refs) for f in forms)  # a pilot is never scored
    assert carried or len(forms) * 5 < 31


def test_a_rejection_closes_it(db: Session, rt: Runtime) -> None:
    cast = make_cast(db, rt)
    grant(db, rt, "kim@example.org", "foundation")
    row = propose(db, rt, cast["kim"])
    user = accounts.sign_up(db, rt, email="rhea@example.org", display_name="Rhea", password=PASSWORD)
    grant(db, rt, "rhea@example.org", "foundation")
    contributions.review(
        db,
        rt,
        user=user,
        contribution_id=row.id,
        accept=False,
        comments="Option d is also defensible for a small team.",
    )
    assert row.state == "rejected"


def test_contributions_are_rate_limited(db: Session, rt: Runtime) -> None:
    from assay.core.errors import RateLimited

    cast = make_cast(db, rt)
    grant(db, rt, "kim@example.org", "foundation")
    for _ in range(contributions.LIMIT_PER_DAY):
        propose(db, rt, cast["kim"])
    with pytest.raises(RateLimited, match="a day"):
        propose(db, rt, cast["kim"])
