"""People and the advisory loop in the demo: public profiles in the directory (one private), shipped
work claimed and reviewer-verified, feedback from holders at different stages of triage, the
triggers behind version 1.1's changes, and case studies, one published and one awaiting review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assay.core.roles import Principal
from assay.db.models import User
from assay.db.repositories import credentials as credential_repo
from assay.db.repositories import organisations as org_repo
from assay.services import accounts, case_studies, contributions, drafts, feedback, issuance, practice, profiles, wallet
from assay.services.runtime import Runtime

PROFILES = (
    (
        "sam@northwind.example",
        "sam-achebe",
        "ML engineer: retrieval with access control, audit trails",
        "Europe: UK and Ireland",
        "limited",
        ["RD", "IA", "OV"],
        "public",
    ),
    (
        "lee@northwind.example",
        "lee-park",
        "Platform engineer: release gates and observability for LLM services",
        "Europe: UK and Ireland",
        "open",
        ["DR", "OBS"],
        "public",
    ),
    (
        "dana@harbourlight.example",
        "dana-mensah",
        "Consultant: AI vendor risk and incident readiness for MSP clients",
        "Europe: EU and EEA",
        "open",
        ["VD", "IA", "SR"],
        "public",
    ),
    (
        "maria@northwind.example",
        "maria-castell",
        "Engineering manager",
        "Europe: UK and Ireland",
        "unavailable",
        ["HO"],
        "private",
    ),
)


def load(db: Session, rt: Runtime, *, users: dict[str, User], principals: dict[str, Principal]) -> list[str]:
    base = rt.settings.base_url.rstrip("/")
    for email, handle, headline, region, availability, focus, visibility in PROFILES:
        user = users[email]
        profiles.save_profile(
            db,
            rt,
            user=user,
            handle=handle,
            headline=headline,
            bio="",
            region=region,
            availability=availability,
            focus=focus,
            visibility=visibility,
        )
        for c in credential_repo.credentials_of_user(db, user.id):
            if c.state == "active" and visibility == "public":
                wallet.set_visibility(db, rt, user_id=user.id, public_id=c.public_id, visibility="public")
    sam, lee = users["sam@northwind.example"], users["lee@northwind.example"]
    shipped = profiles.add_artifact(
        db,
        rt,
        user=sam,
        title="Entitlement-aware retrieval for a claims assistant",
        url="https://example.org/northwind/claims-retrieval",
        summary="Designed the retriever's entitlement filter from token claims and the cross-tenant probe suite that gates each release.",
    )
    profiles.verify_artifact(
        db,
        rt,
        reviewer=principals["reviewer@assay.example"],
        artifact_id=shipped.id,
        note="Read the design record and the release gate's probe results with the team's lead.",
    )
    profiles.add_artifact(
        db,
        rt,
        user=lee,
        title="Behavioural baseline gate for prompt releases",
        url="https://example.org/northwind/release-gate",
        summary="A release gate comparing each candidate prompt bundle against the last release on 400 pinned cases.",
    )

    editor = principals["editor@assay.example"]
    sam_credential = next(c for c in credential_repo.credentials_of_user(db, sam.id) if c.state == "active")
    cache = feedback.submit(
        db,
        rt,
        user=sam,
        credential=sam_credential.public_id,
        target="RD-02",
        kind="gap",
        text="Entitlements are enforced in the retriever, but nothing covers semantic caches: a cached answer built from one user's documents was served to another user with a near-identical question.",
    )
    feedback.triage(db, rt, editor=editor, feedback_id=cache.id, state="triaged")
    feedback.triage(
        db,
        rt,
        editor=editor,
        feedback_id=cache.id,
        state="accepted",
        resolution="Accepted for the next version: RD-02 will require caches keyed by the caller's entitlements.",
    )
    lee_credential = next(c for c in credential_repo.credentials_of_user(db, lee.id) if c.state == "active")
    feedback.submit(
        db,
        rt,
        user=lee,
        credential=lee_credential.public_id,
        target="DR-03",
        kind="outdated",
        text="Behavioural baselines per release assume one model; with routing across three models by cost, the baseline needs to be per route, not per release.",
    )
    for target, kind, note in (
        (
            "OBS-06",
            "case-study",
            "Two production accounts of runaway agent loops noticed on the invoice, not the dashboards, led to the cost-anomaly control.",
        ),
        (
            "HO-02",
            "exam-statistics",
            "Practice items on HO-02 had a low item–rest correlation: candidates read 'irreversible' too narrowly. The statement was reworded.",
        ),
        (
            "IA-06",
            "editorial",
            "IA-03 mixed two obligations with different owners; it was split into the system card (IA-06) and data lineage (IA-07).",
        ),
    ):
        feedback.record_trigger(db, rt, editor=editor, version="1.1", target=target, kind=kind, note=note)

    dana = users["dana@harbourlight.example"]
    published = case_studies.submit(
        db,
        rt,
        user=dana,
        parts={
            "title": "A silent model update at a vendor broke a client's claims triage",
            "worked": "The nightly regression suite pinned to the model version caught the change within a day; the fallback route to the previous model was documented and had been rehearsed in March.",
            "failed": "The vendor's changelog said nothing. Dana Mensah (dana@harbourlight.example) only learnt of it from the drift alert; our contact at the vendor, Peter Lund, confirmed it a week later.",
            "missed": "VD-02 asks us to detect silent upstream changes but says nothing about contract terms that oblige the vendor to give notice.",
        },
        domains=["VD", "DR"],
    )
    case_studies.decide(db, rt, editor=editor, case_id=published.id, publish=True)
    case_studies.submit(
        db,
        rt,
        user=lee,
        parts={
            "title": "Token costs tripled after a retrieval change",
            "worked": "Per-route cost dashboards showed the jump the morning after the release, and the change was rolled back in forty minutes.",
            "failed": "No alert fired: the budget alarm was monthly. Lee Park noticed it in a finance report; the API key sk-live-4f9a8b7c6d5e4f3a2b1c0d9e was in the screenshot he shared.",
            "missed": "OBS-06 sets cost anomaly monitoring but no rule on how fast an alert must reach the owning team.",
        },
        domains=["OBS"],
    )
    # Lee proposes a scenario question; Sam and Maria, who hold credentials assessing RD (and are not
    # his colleagues: his Northwind invitation is still pending), accept it: it joins the pool as a pilot.
    question = contributions.propose(
        db,
        rt,
        user=lee,
        control="RD-03",
        title="A deletion request and the nightly index",
        stem=(
            "A bank's assistant answers from an index rebuilt nightly from the document store. A customer's "
            "right-to-erasure request is honoured in the store at 10:00, but the assistant quotes the customer's "
            "letters until the rebuild at 02:00. Which change meets the retention and deletion control?"
        ),
        options=[
            (
                "Propagate deletions to the index, embeddings and caches within a stated, monitored time.",
                "RD-03: deletion reaches every derived store, and the lag is measured.",
            ),
            (
                "Rebuild the index every hour instead of every night.",
                "Shortens the window but still serves deleted text, and nothing checks it.",
            ),
            (
                "Add an instruction that the assistant must not quote deleted letters.",
                "The model cannot know what was deleted; retrieval still returns it.",
            ),
            (
                "Keep deleted documents out of answers by lowering their retrieval score.",
                "Deleted data must not be retrievable at all, not merely ranked lower.",
            ),
        ],
        correct="a",
    )
    for email in ("sam@northwind.example", "maria@northwind.example"):
        contributions.review(
            db,
            rt,
            user=users[email],
            contribution_id=question.id,
            accept=True,
            comments="One defensible answer; the distractors are what teams actually try.",
        )
    # Sam, who also holds the AI assurance specialism, reviews a draft of version 1.2 of the standard.
    assurance = issuance.create_decision(
        db,
        rt,
        programme_id="specialist-ai-assurance",
        subjects=[
            issuance.SubjectInput(sam.email, results=[{"description": "practical-outcome", "status": "Completed"}])
        ],
        graded_by_email="reviewer@assay.example",
        rationale="Both assurance tasks passed at panel review in the spring sitting.",
    )
    issuance.approve(db, rt, registrar=principals["registrar@assay.example"], decision_id=assurance.id)
    issuance.issue(db, rt, decision_id=assurance.id)
    drafts.set_opt_in(db, rt, user=sam, opted_in=True)
    draft = drafts.open_draft(
        db,
        rt,
        editor=editor,
        version="1.2",
        summary="The system card names the evaluation evidence behind each release claim.",
        rationale="Auditors asked for the evidence behind claims in system cards, not only the claims.",
        programmes=["specialist-ai-assurance"],
        changes=[
            (
                "IA-06",
                "The organisation shall maintain, for every release, a system card that states intended use, known limitations, "
                "and each performance or safety claim together with the evaluation evidence and data it rests on.",
                "Audit requests asked for the evidence behind system-card claims; the control did not say so.",
            )
        ],
    )
    change_id = drafts.view(db, draft)["changes"][0]["id"]
    drafts.comment(
        db,
        rt,
        user=sam,
        draft_id=draft.id,
        change_id=change_id,
        text="Say how long the evidence must be kept: auditors ask about releases two years back.",
    )
    # Harbourlight (Dana's consultancy) has written up its method; it cannot apply until three of its
    # people hold a current Integrator credential, and the page says so.
    harbourlight = org_repo.by_slug(db, "harbourlight")
    if harbourlight is not None:
        practice.save_evidence(
            db,
            rt,
            principal=accounts.principal_for(db, users["dana@harbourlight.example"]),
            organisation=harbourlight,
            evidence={
                k: f"Harbourlight's {label.split(':')[0].lower()} are kept in the delivery handbook, versioned with each engagement, and reviewed by the practice lead every quarter."
                for k, label in practice.REQUIREMENTS.items()
            },
        )
    return [
        f"The directory of practitioners: {base}/directory (Sam, Lee and Dana are public; Maria's profile is private and appears nowhere)",
        f"  how the standard evolves, with the triggers of version 1.1's changes: {base}/standard/evolution",
        f"  feedback triage and case studies awaiting review (editor@assay.example): {base}/admin/feedback and {base}/admin/case-studies",
        f"  a question Lee contributed, accepted by two holders, now a pilot item ({question.item_id}): {base}/admin/pilots",
        f"  Harbourlight's practice certification, method written up, waiting for three certified people (dana@harbourlight.example): {base}/orgs/harbourlight/practice",
        f"  a draft of version 1.2 reviewed by specialist holders (Sam commented; editor@ resolves and publishes): {base}/drafts/{draft.id}",
    ]
