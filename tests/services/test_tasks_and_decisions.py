"""Practical tasks, interviews, decision records and appeals, on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assay.core.credentials.verification import Verdict
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.roles import Role
from assay.db.models import AuditEntry, IssuanceDecision, TaskAttachment, User
from assay.db.repositories import panel as panel_repo
from assay.db.session import unit_of_work
from assay.services import cases, credentials_public, interviews, panel, roles, statuslists, tasks
from assay.services import programmes as content
from assay.services.runtime import Runtime
from tests.certifying import GOOD_ANSWER, grant, make_cast, principal, review_scores, take_exam
from tests.infra.uploads_samples import png_with_metadata


@pytest.fixture
def cast(db: Session, rt: Runtime) -> dict[str, User]:
    return make_cast(db, rt)


def _submitted(
    db: Session,
    rt: Runtime,
    user: User,
    programme: str = "specialist-retrieval-governance",
    task: str = "rag-access-controls",
) -> str:
    s = tasks.open_task(db, rt, user=user, programme_id=programme, task_id=task)
    tasks.save_draft(db, rt, user_id=user.id, submission_id=s.id, body=GOOD_ANSWER)
    tasks.submit(db, rt, user_id=user.id, submission_id=s.id)
    return s.blind_ref


def test_the_foundation_from_exam_to_a_credential_that_verifies(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim, jonas, priya = cast["kim"], cast["jonas"], cast["priya"]
    attempt = take_exam(db, rt, kim, "foundation", right_share=0.8)
    assert attempt.passed and attempt.state == "released"
    case = cases.recommend(db, rt, assessor=principal(db, jonas), candidate_email=kim.email, programme_id="foundation")
    assert json.loads(case.verdict)["passed"] is True
    assert json.loads(case.evidence)["exam"]["percent"] == 80.0
    case, [credential] = cases.approve(
        db, rt, registrar=principal(db, priya), case_id=case.id, rationale="Exam passed at 80% against a 65% cut."
    )
    assert case.state == "approved" and credential.programme_id == "foundation" and credential.user_id == kim.id
    decision = db.get_one(IssuanceDecision, case.issuance_decision_id)
    assert decision.graded_by == jonas.id and decision.approved_by == priya.id
    document = json.loads(credential.document)
    assert document["credentialSubject"]["achievement"]["id"].endswith("/programmes/foundation")
    results = document["credentialSubject"]["result"]
    assert results[0]["value"] == "80"
    statuslists.publish(db, rt)
    verification = credentials_public.verify(db, rt, document)
    assert verification.verdict is Verdict.VALID, verification.as_dict()
    assert content.holds_current(db, kim.id, "foundation", rt.clock.now())


def test_a_failed_exam_cannot_be_approved_only_rejected_and_appealed(
    db: Session, rt: Runtime, cast: dict[str, User], clock
) -> None:  # type: ignore[no-untyped-def]
    kim, jonas, priya, ada = cast["kim"], cast["jonas"], cast["priya"], cast["ada"]
    take_exam(db, rt, kim, "foundation", right_share=0.5)
    case = cases.recommend(db, rt, assessor=principal(db, jonas), candidate_email=kim.email, programme_id="foundation")
    with pytest.raises(ValidationFailed, match="passing rule is not met"):
        cases.approve(db, rt, registrar=principal(db, priya), case_id=case.id, rationale="x")
    cases.reject(db, rt, registrar=principal(db, priya), case_id=case.id, rationale="Exam 50% against a 65% cut.")
    with pytest.raises(ValidationFailed, match="grounds"):
        cases.lodge_appeal(db, rt, user=kim, case_id=case.id, grounds="unfair")
    appeal = cases.lodge_appeal(
        db,
        rt,
        user=kim,
        case_id=case.id,
        grounds="Question 12 had two defensible answers; I flagged it during the exam and it was not reviewed before release.",
    )
    with pytest.raises(Conflict, match="already being considered"):
        cases.lodge_appeal(
            db,
            rt,
            user=kim,
            case_id=case.id,
            grounds="A second appeal with enough words in it to pass the length check, surely.",
        )
    with pytest.raises(PermissionDenied, match="decision under appeal"):
        cases.decide_appeal(db, rt, registrar=principal(db, priya), appeal_id=appeal.id, upheld=True, outcome="Upheld.")
    cases.decide_appeal(
        db,
        rt,
        registrar=principal(db, ada),
        appeal_id=appeal.id,
        upheld=True,
        outcome="The flagged item was withdrawn; the record is reopened for rescoring.",
    )
    assert case.state == "open" and appeal.state == "upheld"
    clock.advance(days=31)
    cases.recommend(db, rt, assessor=principal(db, jonas), candidate_email=kim.email, programme_id="foundation")
    cases.reject(
        db, rt, registrar=principal(db, ada), case_id=case.id, rationale="Still below the cut after rescoring."
    )
    clock.advance(days=31)
    with pytest.raises(ValidationFailed, match="within 30 days"):
        cases.lodge_appeal(
            db,
            rt,
            user=kim,
            case_id=case.id,
            grounds="Late appeal with enough words to pass the length check, but too late.",
        )


def test_separation_of_duties_on_the_decision(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim, jonas, priya = cast["kim"], cast["jonas"], cast["priya"]
    roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REGISTRAR)  # Jonas is both now
    take_exam(db, rt, kim, "foundation")
    with pytest.raises(PermissionDenied, match="permission"):
        cases.recommend(db, rt, assessor=principal(db, kim), candidate_email=kim.email, programme_id="foundation")
    roles.grant(db, rt, actor=None, email="kim@example.org", role=Role.REVIEWER)  # a reviewer who is also a candidate
    with pytest.raises(PermissionDenied, match="own certification"):
        cases.recommend(db, rt, assessor=principal(db, kim), candidate_email=kim.email, programme_id="foundation")
    case = cases.recommend(db, rt, assessor=principal(db, jonas), candidate_email=kim.email, programme_id="foundation")
    with pytest.raises(PermissionDenied, match="another registrar"):
        cases.approve(db, rt, registrar=principal(db, jonas), case_id=case.id, rationale="Self-approval attempt.")
    with pytest.raises(PermissionDenied, match="permission"):
        cases.approve(db, rt, registrar=principal(db, kim), case_id=case.id, rationale="Not a registrar.")
    cases.approve(db, rt, registrar=principal(db, priya), case_id=case.id, rationale="Passed.")
    with pytest.raises(Conflict):
        cases.approve(db, rt, registrar=principal(db, priya), case_id=case.id, rationale="Twice.")


def test_a_self_approval_refusal_is_recorded_and_nothing_else_kept(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    with unit_of_work(sessions) as db:
        cast = make_cast(db, rt)
        roles.grant(db, rt, actor=None, email="jonas@example.org", role=Role.REGISTRAR)
        take_exam(db, rt, cast["kim"], "foundation")
        case_id = cases.recommend(
            db, rt, assessor=principal(db, cast["jonas"]), candidate_email="kim@example.org", programme_id="foundation"
        ).id
    with pytest.raises(PermissionDenied), unit_of_work(sessions) as db:
        cases.approve(db, rt, registrar=principal(db, db.merge(cast["jonas"])), case_id=case_id, rationale="Mine.")
    with unit_of_work(sessions) as db:
        [entry] = [e for e in db.scalars(select(AuditEntry)) if e.action == "case.approve_refused"]
        assert "another registrar" in json.loads(entry.details)["reason"]
        assert db.scalars(select(IssuanceDecision)).all() == []


def test_a_task_from_draft_to_blind_review_to_a_specialist_credential(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim, jonas, priya, ada = cast["kim"], cast["jonas"], cast["priya"], cast["ada"]
    roles.grant(db, rt, actor=None, email="ada@example.org", role=Role.REVIEWER)
    for email in ("jonas@example.org", "ada@example.org"):  # nobody holds the credential yet: a founding panel
        panel.seat_founding(
            db,
            rt,
            registrar=principal(db, priya),
            email=email,
            programme_id="specialist-retrieval-governance",
            reason="Founding panel for the first sittings of this specialism.",
        )
    with pytest.raises(ValidationFailed, match="prerequisites"):
        tasks.open_task(db, rt, user=kim, programme_id="specialist-retrieval-governance", task_id="rag-access-controls")
    grant(db, rt, "kim@example.org", "certified-ai-integrator")
    s = tasks.open_task(db, rt, user=kim, programme_id="specialist-retrieval-governance", task_id="rag-access-controls")
    assert s.due_at - s.opened_at == timedelta(days=14)
    assert (
        tasks.open_task(
            db, rt, user=kim, programme_id="specialist-retrieval-governance", task_id="rag-access-controls"
        ).id
        == s.id
    )
    tasks.save_draft(
        db, rt, user_id=kim.id, submission_id=s.id, body=GOOD_ANSWER + "\nWritten by Kim Okafor (kim@example.org)."
    )
    with pytest.raises(ValidationFailed, match="Kim Okafor"):
        tasks.submit(db, rt, user_id=kim.id, submission_id=s.id)
    tasks.save_draft(db, rt, user_id=kim.id, submission_id=s.id, body=GOOD_ANSWER)
    tasks.submit(db, rt, user_id=kim.id, submission_id=s.id)
    with pytest.raises(Conflict, match="already submitted"):
        tasks.submit(db, rt, user_id=kim.id, submission_id=s.id)
    with pytest.raises(Conflict):
        tasks.save_draft(db, rt, user_id=kim.id, submission_id=s.id, body="changed")
    view = tasks.blind_view(db, s)
    assert "Kim" not in json.dumps(view) and "kim@" not in json.dumps(view)
    with pytest.raises(PermissionDenied):
        panel.review(db, rt, reviewer=principal(db, kim), blind_ref=s.blind_ref, scores=review_scores(4))
    short = {**review_scores(3), "approval-logic": (3, "fine")}
    with pytest.raises(ValidationFailed, match="Justify"):
        panel.review(db, rt, reviewer=principal(db, jonas), blind_ref=s.blind_ref, scores=short)
    assert {a.reviewer_id for a in panel_repo.assignments_of(db, s.id)} == {jonas.id, ada.id}
    panel.review(db, rt, reviewer=principal(db, jonas), blind_ref=s.blind_ref, scores=review_scores(3))
    with pytest.raises(Conflict, match="already reviewed"):
        panel.review(db, rt, reviewer=principal(db, jonas), blind_ref=s.blind_ref, scores=review_scores(3))
    panel.review(db, rt, reviewer=principal(db, ada), blind_ref=s.blind_ref, scores=review_scores(3))
    outcome = panel.outcome(db, s)
    assert outcome is not None and outcome.passed and outcome.total == 12
    case = cases.recommend(
        db, rt, assessor=principal(db, jonas), candidate_email=kim.email, programme_id="specialist-retrieval-governance"
    )
    with pytest.raises(PermissionDenied, match="graded part"):
        cases.approve(db, rt, registrar=principal(db, ada), case_id=case.id, rationale="Ada reviewed the task.")
    _, [credential] = cases.approve(
        db, rt, registrar=principal(db, priya), case_id=case.id, rationale="Task passed at 12 of 16."
    )
    assert credential.programme_id == "specialist-retrieval-governance"


def test_task_deadlines_and_attachments(db: Session, rt: Runtime, cast: dict[str, User], clock) -> None:  # type: ignore[no-untyped-def]
    kim = cast["kim"]
    grant(db, rt, "kim@example.org", "certified-ai-integrator")
    s = tasks.open_task(db, rt, user=kim, programme_id="specialist-retrieval-governance", task_id="rag-access-controls")
    row = tasks.attach(
        db,
        rt,
        user_id=kim.id,
        submission_id=s.id,
        data=png_with_metadata(),
        filename="diagram.png",
        declared_type="image/png",
    )
    assert row.media_type == "image/png" and b"Author" not in rt.files.open(row.storage_key)
    with pytest.raises(ValidationFailed, match="at most 5 MB"):
        tasks.attach(
            db,
            rt,
            user_id=kim.id,
            submission_id=s.id,
            data=b"a" * (5 * 1024 * 1024 + 1),
            filename="big.csv",
            declared_type="text/csv",
        )
    with pytest.raises(ValidationFailed):
        tasks.attach(
            db,
            rt,
            user_id=kim.id,
            submission_id=s.id,
            data=b"MZ\x90\x00\x03" + bytes(200),
            filename="tool.exe",
            declared_type="application/octet-stream",
        )
    for n in range(2):
        tasks.attach(
            db,
            rt,
            user_id=kim.id,
            submission_id=s.id,
            data=f"a,b\n{n},2\n".encode(),
            filename=f"t{n}.csv",
            declared_type="text/csv",
        )
    with pytest.raises(ValidationFailed, match="at most 3 attachments"):
        tasks.attach(
            db, rt, user_id=kim.id, submission_id=s.id, data=b"x,y\n1,2\n", filename="t9.csv", declared_type="text/csv"
        )
    assert len(db.scalars(select(TaskAttachment)).all()) == 3
    clock.advance(days=14)
    with pytest.raises(ValidationFailed, match="deadline"):
        tasks.save_draft(db, rt, user_id=kim.id, submission_id=s.id, body=GOOD_ANSWER)
    with pytest.raises(ValidationFailed, match="deadline"):
        tasks.submit(db, rt, user_id=kim.id, submission_id=s.id)
    with pytest.raises(NotFound):
        tasks.own(db, user_id=cast["jonas"].id, submission_id=s.id)


def test_the_advanced_interview_from_slot_to_outcome(db: Session, rt: Runtime, cast: dict[str, User], clock) -> None:  # type: ignore[no-untyped-def]
    kim, jonas, priya, ada = cast["kim"], cast["jonas"], cast["priya"], cast["ada"]
    for name in ("ada", "eve"):
        roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=Role.REVIEWER)
    starts = clock.now() + timedelta(days=10)
    panel = ["jonas@example.org", "ada@example.org", "eve@example.org"]
    with pytest.raises(ValidationFailed, match="panel of 3"):
        interviews.create_slot(
            db,
            rt,
            principal=principal(db, priya),
            programme_id="advanced",
            starts_at=starts,
            location="Video",
            panel_emails=panel[:2],
        )
    slot = interviews.create_slot(
        db,
        rt,
        principal=principal(db, priya),
        programme_id="advanced",
        starts_at=starts,
        location="Video call (link sent by e-mail)",
        panel_emails=panel,
    )
    with pytest.raises(ValidationFailed, match="needs a current credential"):
        interviews.book(db, rt, user=kim, slot_id=slot.id)
    grant(db, rt, "kim@example.org", "practitioner")
    interviews.book(db, rt, user=kim, slot_id=slot.id)
    guide = content.interview_guide("advanced")
    with pytest.raises(Conflict, match="not started"):
        interviews.score(
            db, rt, panellist=principal(db, jonas), slot_id=slot.id, domain="IG", value=3, justification="x" * 50
        )
    clock.set(starts + timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        interviews.score(
            db, rt, panellist=principal(db, priya), slot_id=slot.id, domain="IG", value=3, justification="x" * 50
        )
    why = "Described the trust boundary of the inbound channel with its own deployment's evidence."
    for member in ("jonas", "ada"):
        for d in guide.domains:
            interviews.score(
                db,
                rt,
                panellist=principal(db, cast[member]),
                slot_id=slot.id,
                domain=d.domain,
                value=3,
                justification=why,
            )
    with pytest.raises(ValidationFailed, match="missing"):
        interviews.record_outcome(db, rt, panellist=principal(db, jonas), slot_id=slot.id, note="")
    for d in guide.domains:
        interviews.score(
            db,
            rt,
            panellist=principal(db, cast["eve"]),
            slot_id=slot.id,
            domain=d.domain,
            value=2 if d.domain == "VD" else 4,
            justification=why,
        )
    interviews.record_outcome(db, rt, panellist=principal(db, ada), slot_id=slot.id, note="Strong on oversight.")
    assert slot.outcome == "pass"
    held = interviews.latest_outcome(db, user_id=kim.id, programme_id="advanced")
    assert held is not None and held[1].medians["VD"] == 3.0
