"""Blind panel review on both databases: eligibility and founding seats, conflicts, two reviewers and
adjudication, due dates and reminders, calibration drift, agreement over the panel's history."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.certification.stats import krippendorff_alpha_ordinal
from assay.core.certification.tasks import DIMENSIONS
from assay.core.errors import Conflict, PermissionDenied, ValidationFailed
from assay.core.roles import Role
from assay.db.models import AuditEntry, PanelSeat, ReviewAssignment, TaskSubmission, User
from assay.db.repositories import panel as panel_repo
from assay.services import accounts, calibration, organisations, panel, roles, tasks
from assay.services.runtime import Runtime
from tests.certifying import GOOD_ANSWER, PASSWORD, grant, make_cast, principal

PROGRAMME, TASK = "specialist-retrieval-governance", "rag-access-controls"


@pytest.fixture
def cast(db: Session, rt: Runtime) -> dict[str, User]:
    people = make_cast(db, rt)
    for name in ("rhea", "omar", "lena"):
        people[name] = accounts.sign_up(
            db, rt, email=f"{name}@example.org", display_name=name.title() + " Reviewer", password=PASSWORD
        )
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
    grant(db, rt, "kim@example.org", "certified-ai-integrator")
    return people


def seat(db: Session, rt: Runtime, cast: dict[str, User], *names: str) -> None:
    for name in names:
        panel.seat_founding(
            db,
            rt,
            registrar=principal(db, cast["priya"]),
            email=f"{name}@example.org",
            programme_id=PROGRAMME,
            reason="Founding panel for the first sittings.",
        )


def submit(db: Session, rt: Runtime, user: User) -> TaskSubmission:
    s = tasks.open_task(db, rt, user=user, programme_id=PROGRAMME, task_id=TASK)
    tasks.save_draft(db, rt, user_id=user.id, submission_id=s.id, body=GOOD_ANSWER)
    return tasks.submit(db, rt, user_id=user.id, submission_id=s.id)


def assigned(db: Session, s: TaskSubmission) -> dict[str, str]:
    return {a.role: a.reviewer_id for a in panel_repo.assignments_of(db, s.id) if a.state != "expired"}


def scores(**overrides: int) -> dict[str, tuple[int, str]]:
    return {
        d: (overrides.get(d.replace("-", "_"), 3), "The design enforces entitlements in the retriever and says why.")
        for d in DIMENSIONS
    }


def test_only_eligible_reviewers_are_assigned_and_founding_seats_lapse(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    s = submit(db, rt, cast["kim"])
    assert assigned(db, s) == {}  # nobody holds the credential and nobody is seated: the work waits
    with pytest.raises(PermissionDenied):
        panel.seat_founding(
            db,
            rt,
            registrar=principal(db, cast["jonas"]),
            email="rhea@example.org",
            programme_id=PROGRAMME,
            reason="Not a registrar doing this.",
        )
    seat(db, rt, cast, "rhea", "omar")
    panel.reminders(db, rt)  # the daily job fills waiting work
    assert set(assigned(db, s).values()) == {cast["rhea"].id, cast["omar"].id}
    assert set(assigned(db, s)) == {"first", "second"}
    # Five reviewers come to hold the credential: the founding seats lapse, recorded.
    for n in range(5):
        email = f"cred{n}@example.org"
        accounts.sign_up(db, rt, email=email, display_name=f"Credentialed {n}", password=PASSWORD)
        roles.grant(db, rt, actor=None, email=email, role=Role.REVIEWER)
        grant(db, rt, email, PROGRAMME)
    assert not panel.eligible(db, rt, cast["rhea"], PROGRAMME)
    assert all(seat.lapsed_at is not None for seat in db.scalars(select(PanelSeat)))
    assert sum(1 for e in db.scalars(select(AuditEntry)) if e.action == "panel.founding_seat_lapsed") == 2
    with pytest.raises(Conflict, match="no longer given"):
        seat(db, rt, cast, "lena")


def test_conflicts_are_never_assigned_and_are_refused(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim = cast["kim"]
    org = organisations.create(db, rt, principal=principal(db, kim), name="Kestrel Labs", slug="kestrel")
    _, token = organisations.invite(
        db, rt, principal=principal(db, kim), organisation=org, email="rhea@example.org", role="member"
    )
    organisations.accept(db, rt, user=cast["rhea"], token=token)
    panel.declare_conflict(
        db, rt, reviewer=principal(db, cast["omar"]), reason="Former manager of the candidate.", email="kim@example.org"
    )
    seat(db, rt, cast, "rhea", "omar", "lena")
    roles.grant(db, rt, actor=None, email="kim@example.org", role=Role.REVIEWER)
    seat(db, rt, cast, "kim")
    s = submit(db, rt, kim)
    who = assigned(db, s)
    assert who.get("first") == cast["lena"].id and "second" not in who  # Rhea is a colleague, Omar declared, Kim is Kim
    for name, message in (("rhea", "colleague"), ("omar", "declared a conflict"), ("kim", "your own")):
        with pytest.raises(PermissionDenied, match=message):
            panel.review(db, rt, reviewer=principal(db, cast[name]), blind_ref=s.blind_ref, scores=scores())
    panel.review(db, rt, reviewer=principal(db, cast["lena"]), blind_ref=s.blind_ref, scores=scores())
    with pytest.raises(Conflict, match="already reviewed"):
        panel.review(db, rt, reviewer=principal(db, cast["lena"]), blind_ref=s.blind_ref, scores=scores())


def test_two_reviewers_who_disagree_bring_in_an_adjudicator(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    seat(db, rt, cast, "rhea", "omar", "lena")
    s = submit(db, rt, cast["kim"])
    roles_ = assigned(db, s)
    by_id = {u.id: u for u in cast.values()}
    first, second = by_id[roles_["first"]], by_id[roles_["second"]]
    missing = {**scores(), "approval-logic": (3, "ok")}
    with pytest.raises(ValidationFailed, match="Justify the approval-logic"):
        panel.review(db, rt, reviewer=principal(db, first), blind_ref=s.blind_ref, scores=missing)
    panel.review(db, rt, reviewer=principal(db, first), blind_ref=s.blind_ref, scores=scores(approval_logic=4))
    assert panel.outcome(db, s) is None and panel.status(db, s) == "in review (1 of 2)"
    panel.review(db, rt, reviewer=principal(db, second), blind_ref=s.blind_ref, scores=scores(approval_logic=2))
    assert panel.outcome(db, s) is None and panel.status(db, s) == "awaiting adjudication"
    third = by_id[assigned(db, s)["adjudicator"]]
    assert third.id not in {first.id, second.id}
    panel.review(db, rt, reviewer=principal(db, third), blind_ref=s.blind_ref, scores=scores(approval_logic=2))
    result = panel.outcome(db, s)
    assert result is not None and result.adjudicated
    assert result.scores["approval-logic"] == 2.0  # the adjudicator's 2 with the nearer first score, 2
    assert result.scores["artifact-quality"] == 3.0 and result.total == 11.0 and result.passed


def test_due_dates_reminders_and_reassignment(db: Session, rt: Runtime, cast: dict[str, User], clock, mailer) -> None:  # type: ignore[no-untyped-def]
    seat(db, rt, cast, "rhea", "omar", "lena")
    s = submit(db, rt, cast["kim"])
    first_id = assigned(db, s)["first"]
    first = db.get_one(User, first_id)
    clock.advance(days=panel.REVIEW_DAYS - 1)
    reminded, expired = panel.reminders(db, rt)
    assert reminded == 2 and expired == 0
    clock.advance(days=2)
    with pytest.raises(ValidationFailed, match="was due on"):
        panel.review(db, rt, reviewer=principal(db, first), blind_ref=s.blind_ref, scores=scores())
    reminded, expired = panel.reminders(db, rt)
    assert expired == 2
    now_assigned = assigned(db, s)
    assert now_assigned == {"first": cast["lena"].id}  # the one reviewer left takes over; the second role waits
    states = [a.state for a in db.scalars(select(ReviewAssignment).where(ReviewAssignment.submission_id == s.id))]
    assert states.count("expired") == 2 and states.count("assigned") == 1  # only one reviewer left to take over


def test_calibration_shows_each_reviewers_drift(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    seat(db, rt, cast, "rhea", "omar")
    assert calibration.open_calibration(db, rt, principal=principal(db, cast["priya"]), task_id=TASK) == 2 * 3
    anchors = [q for q in panel.queue(db, rt, principal(db, cast["rhea"])) if q["calibration"]]
    assert len(anchors) == 3
    for q in anchors:
        s = db.scalars(select(TaskSubmission).where(TaskSubmission.blind_ref == q["ref"])).one()
        known = json.loads(s.anchor_scores)
        lenient = {
            d: (min(4, known[d] + 1), "Calibration scoring of the anchor, against the rubric.") for d in DIMENSIONS
        }
        panel.review(db, rt, reviewer=principal(db, cast["rhea"]), blind_ref=q["ref"], scores=lenient)
    drift = calibration.drift(db, cast["rhea"].id)
    assert drift["anchors"] == 3 and all(v is not None and v > 0 for v in drift["signed"].values())
    assert calibration.drift(db, cast["omar"].id)["anchors"] == 0
    assert calibration.agreement(db)["units"] == 0  # anchors are not candidates' work


def test_agreement_over_the_panels_history(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    seat(db, rt, cast, "rhea", "omar")
    by_id = {u.id: u for u in cast.values()}
    given = []
    for n, (a, b) in enumerate(((3, 3), (2, 3), (4, 4), (1, 2), (3, 2))):
        email = f"cand{n}@example.org"
        user = accounts.sign_up(db, rt, email=email, display_name=f"Candidate {n}", password=PASSWORD)
        grant(db, rt, email, "certified-ai-integrator")
        s = submit(db, rt, user)
        who = assigned(db, s)
        panel.review(
            db,
            rt,
            reviewer=principal(db, by_id[who["first"]]),
            blind_ref=s.blind_ref,
            scores=scores(artifact_quality=a),
        )
        panel.review(
            db,
            rt,
            reviewer=principal(db, by_id[who["second"]]),
            blind_ref=s.blind_ref,
            scores=scores(artifact_quality=b),
        )
        given.append([a, b])
    report = calibration.agreement(db, programme_id=PROGRAMME)
    assert report["units"] == 5 and report["reviews"] == 10
    assert report["alpha"]["artifact-quality"] == pytest.approx(krippendorff_alpha_ordinal(given))
    [pair] = report["pairs"]
    assert pair["shared"] == 5 and {pair["a"], pair["b"]} == {cast["rhea"].id, cast["omar"].id}


def test_the_integrator_end_to_end_with_an_adjudicated_task(db: Session, rt: Runtime) -> None:
    from assay.core.credentials.verification import Verdict
    from assay.services import credentials_public, statuslists
    from tests.certifying import integrator_path

    people, record, credential = integrator_path(db, rt)
    evidence = json.loads(record.evidence)
    assert evidence["exam"]["passed"] and all(t["outcome"]["passed"] for t in evidence["tasks"].values())
    assert evidence["tasks"]["rag-access-controls"]["outcome"]["adjudicated"] is True
    assert people["priya"].id not in json.loads(record.graders)
    statuslists.publish(db, rt)
    document = json.loads(credential.document)
    assert document["credentialSubject"]["achievement"]["name"] == "Certified AI Integrator"
    assert credentials_public.verify(db, rt, document).verdict is Verdict.VALID
