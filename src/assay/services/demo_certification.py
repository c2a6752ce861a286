"""The certification path in the demo: exams sat on the secure pool, a decision record approved into
a credential, a failed attempt rejected and under appeal, a flagged item, a practical task in blind
review, and an interview slot for the advanced credential."""

from __future__ import annotations

import json
import math
import random
from datetime import timedelta

from sqlalchemy.orm import Session

from assay.core.items.model import Item, ItemKind
from assay.core.roles import Principal
from assay.db.models import AngoffStudy, ExamAttempt, ExamFormRecord, User
from assay.db.repositories import certification as exam_repo
from assay.db.repositories import panel as panel_repo
from assay.services import accounts, angoff, calibration, cases, exams, interviews, panel, tasks
from assay.services import programmes as content
from assay.services.runtime import Runtime

FIRST_REVIEW = {
    "artifact-quality": (
        3,
        "Entitlements are enforced in the retriever from token claims, with deny-wins ethical walls; complete for the brief.",
    ),
    "reviewable-reasoning": (
        3,
        "Each choice is tied to the failure it prevents, and the cross-matter probes make the claim checkable.",
    ),
    "approval-logic": (
        3,
        "Entitlement mapping changes need the records manager and the engineering lead; exceptions expire after 30 days.",
    ),
    "handoff-quality": (
        2,
        "Reconciliation report and alerting are named, but who owns an orphaned-chunk alert is not stated.",
    ),
}
SECOND_REVIEW = {
    "artifact-quality": (
        3,
        "The retriever filter and the tombstone path are specified well enough to build from; the cache is not covered.",
    ),
    "reviewable-reasoning": (
        2,
        "Claims are stated more than argued: why a 24-hour deletion lag is acceptable for privileged matter is not shown.",
    ),
    "approval-logic": (
        1,
        "Only the mapping change is gated; nothing gates adding a new corpus to the index, the riskiest change here.",
    ),
    "handoff-quality": (
        2,
        "An operator would not know who acts on an orphan alert or how to verify a deletion request end to end.",
    ),
}

SAM_ANSWER = """## 1. Retrieval design

Every chunk carries the access-control list of its source matter, copied at ingestion from the
document management system's matter security, with the classification (public, client-confidential,
privileged) and the retention class. The retriever builds its filter from the caller's group claims
in the signed token, never from the prompt or from anything the model produces. Ethical walls are
modelled as deny entries that win over any allow.

## 2. Deletion and retention

A matter closure or a client's deletion request publishes a tombstone event. The indexer removes the
chunks and their embeddings within 24 hours, and a nightly reconciliation compares the index with
the document system and alerts on any orphan. The reconciliation report is kept as audit evidence.

## 3. Tests that must pass before release

Cross-matter probes: 200 queries written to reach another client's privileged material must return
nothing; a seeded canary document outside the caller's groups must never be cited. Both run in the
release pipeline and block the deployment on any hit.

## 4. Approval

Changes to the entitlement mapping need the records manager's approval as well as the engineering
lead's; an exception for a single matter expires after 30 days.
"""


def choice(item: Item, right: bool) -> list[str]:
    """The keyed answer, or a wrong one: how the demo (and the tests) answer a question."""
    if item.kind is ItemKind.ORDERING:
        key = list(item.key)
        return key if right else list(reversed(key))
    if item.kind is ItemKind.SINGLE:
        return sorted(item.key) if right else [next(o.id for o in item.options if not o.correct)]
    return sorted(item.key) if right else [o.id for o in item.options if not o.correct]


def _sit(
    db: Session, rt: Runtime, user: User, programme_id: str, right_share: float, *, flag: bool = False
) -> ExamAttempt:
    attempt = exams.start(
        db, rt, user=user, programme_id=programme_id, identity_name=user.display_name, honour_accepted=True
    )
    form = db.get_one(ExamFormRecord, attempt.form_id)
    scored = json.loads(form.scored_refs)
    right = set(scored[: round(right_share * len(scored))])
    for n, ref in enumerate(json.loads(form.order_refs)):
        item = content.secure_item(ref)
        exams.answer(
            db,
            rt,
            user_id=user.id,
            attempt_id=attempt.id,
            item_id=item.id,
            choice=choice(item, ref in right or ref not in scored),
        )
        if flag and n == 3:
            exams.flag(
                db,
                rt,
                user_id=user.id,
                attempt_id=attempt.id,
                item_id=item.id,
                reason="several-correct",
                comment="Options a and c both describe a defensible first step for a team this size.",
            )
    return exams.submit(db, rt, user_id=user.id, attempt_id=attempt.id)


def load(
    db: Session, rt: Runtime, *, users: dict[str, User], principals: dict[str, Principal], password: str
) -> list[str]:
    base = rt.settings.base_url.rstrip("/")
    users_by_id = {u.id: u for u in users.values()}
    for programme in ("foundation", "certified-ai-integrator"):
        exams.assemble(db, rt, programme_id=programme, seed="demo")
    jonas, priya = principals["reviewer@assay.example"], principals["registrar@assay.example"]

    # Lee sits the Foundation exam and passes; the record is recommended, approved and issued.
    lee = users["lee@northwind.example"]
    _sit(db, rt, lee, "foundation", 0.825)
    record = cases.recommend(
        db,
        rt,
        assessor=jonas,
        candidate_email=lee.email,
        programme_id="foundation",
        note="Exam passed at the first attempt.",
    )
    _, [lee_credential] = cases.approve(
        db,
        rt,
        registrar=priya,
        case_id=record.id,
        rationale="82.5% on the scored items against the 65% cut; identity and honour code confirmed.",
    )

    # Inês falls short, flags a question, is rejected and appeals: the appeal waits for another registrar.
    ines = users["ines@northwind.example"]
    _sit(db, rt, ines, "foundation", 0.55, flag=True)
    failed = cases.recommend(db, rt, assessor=jonas, candidate_email=ines.email, programme_id="foundation")
    cases.reject(db, rt, registrar=priya, case_id=failed.id, rationale="55% on the scored items, below the 65% cut.")
    cases.lodge_appeal(
        db,
        rt,
        user=ines,
        case_id=failed.id,
        grounds="I flagged question 4 during the exam: two options were defensible. If it is withdrawn my score changes; please review it before the decision stands.",
    )

    # Nobody holds the specialist credentials yet: Priya seats a founding panel, recorded.
    for email in ("reviewer@assay.example", "ana@assay.example", "ben@assay.example"):
        for programme in ("certified-ai-integrator", "specialist-retrieval-governance"):
            panel.seat_founding(
                db,
                rt,
                registrar=priya,
                email=email,
                programme_id=programme,
                reason="Founding panel: led production retrieval and agent deployments before the credential existed.",
            )

    # Sam, a Certified AI Integrator, submits the retrieval-governance task. Two blind reviewers are
    # assigned; they disagree by two points on approval logic, so a third is assigned to adjudicate.
    sam = users["sam@northwind.example"]
    submission = tasks.open_task(
        db, rt, user=sam, programme_id="specialist-retrieval-governance", task_id="rag-access-controls"
    )
    tasks.save_draft(db, rt, user_id=sam.id, submission_id=submission.id, body=SAM_ANSWER)
    tasks.submit(db, rt, user_id=sam.id, submission_id=submission.id)
    by_role = {a.role: a.reviewer_id for a in panel_repo.assignments_of(db, submission.id)}
    for role, scores in (("first", FIRST_REVIEW), ("second", SECOND_REVIEW)):
        panel.review(
            db, rt, reviewer=principals[users_by_id[by_role[role]].email], blind_ref=submission.blind_ref, scores=scores
        )
    calibration.open_calibration(db, rt, principal=priya, task_id="rag-access-controls")

    # An advanced-credential interview slot, open for booking, with a panel of three reviewers.
    starts = (rt.clock.now() + timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0)
    interviews.create_slot(
        db,
        rt,
        principal=priya,
        programme_id="advanced",
        starts_at=starts,
        location="Video call: the link is sent a day before",
        panel_emails=["reviewer@assay.example", "ana@assay.example", "ben@assay.example"],
    )
    form, study = _cohort_and_angoff(db, rt, principals=principals, password=password)
    return [
        f"Credential programmes: {base}/programmes  (assay programmes list)",
        f"Lee passed the Foundation exam; his credential, issued from the approved record: {base}/credentials/{lee_credential.public_id}",
        f"  the certification back office (sign in as registrar@assay.example): {base}/admin/certification",
        f"  Inês's appeal waits for a registrar other than Priya (admin@assay.example); flagged questions: {base}/admin/item-flags (editor@assay.example)",
        f"  Sam's task: two blind reviewers disagreed, a third adjudicates (reviewers' queues at {base}/review);",
        f"  rater agreement and calibration: {base}/panel (sign in as registrar@assay.example)",
        f"Item analysis of a Foundation form sat by a cohort of {COHORT}: {base}/admin/item-analysis/{form.id} (editor@assay.example)",
        f"  a modified-Angoff study in its second round (judges: reviewer@, ana@, ben@assay.example): {base}/angoff/{study.id}",
    ]


COHORT = 36


def _cohort_and_angoff(
    db: Session, rt: Runtime, *, principals: dict[str, Principal], password: str
) -> tuple[ExamFormRecord, AngoffStudy]:
    """A cohort on one Foundation form, from weak to strong, so the item analysis has data; then a
    standard-setting panel rates the form: round 1 closed, round 2 open with the statistics shown."""
    forms = sorted(exam_repo.active_forms(db, "foundation", content.secure_bank().standard_version), key=lambda f: f.id)
    form = forms[0]
    rng = random.Random(20261124)
    for k in range(COHORT):
        user = accounts.sign_up(
            db,
            rt,
            email=f"cohort{k + 1:02d}@candidates.example",
            display_name=f"Cohort Candidate {k + 1}",
            password=password,
        )
        attempt = exams.start(
            db, rt, user=user, programme_id="foundation", identity_name=user.display_name, honour_accepted=True
        )
        if attempt.form_id != form.id:  # the sitting is on one form
            attempt.form_id = form.id
            db.flush()
        ability = -1.5 + 3 * k / (COHORT - 1)
        for n, ref in enumerate(json.loads(form.order_refs)):
            item = content.secure_item(ref)
            # A two-parameter logistic model with a fixed seed: realistic, noisy, reproducible answers.
            difficulty = {"easy": -1.0, "medium": 0.0, "hard": 0.9}[item.difficulty.value] + ((n * 7) % 5 - 2) / 5
            p_right = 1 / (1 + math.exp(-1.3 * (ability - difficulty)))
            right = rng.random() < p_right
            exams.answer(db, rt, user_id=user.id, attempt_id=attempt.id, item_id=item.id, choice=choice(item, right))
        exams.submit(db, rt, user_id=user.id, attempt_id=attempt.id)
    editor = principals["editor@assay.example"]
    judges = ["reviewer@assay.example", "ana@assay.example", "ben@assay.example"]
    study = angoff.open_study(db, rt, editor=editor, form_id=form.id, judge_emails=judges)
    scored = json.loads(form.scored_refs)
    lean = {"reviewer@assay.example": 0.0, "ana@assay.example": 0.05, "ben@assay.example": -0.05}
    for email in judges:
        ratings = {
            ref: round(
                min(
                    0.95,
                    max(
                        0.2,
                        {"easy": 0.8, "medium": 0.62, "hard": 0.45}[content.secure_item(ref).difficulty.value]
                        + lean[email],
                    ),
                ),
                2,
            )
            for ref in scored
        }
        angoff.rate(db, rt, judge=principals[email], study_id=study.id, ratings=ratings)
    angoff.close_round(db, rt, editor=editor, study_id=study.id)
    return form, study
