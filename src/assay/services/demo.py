"""Demo data, created through the real services so it carries a real audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assay.core.roles import Principal, Role
from assay.db.models import Attempt, Campaign, Organisation, User
from assay.db.repositories import accounts as account_repo
from assay.services import (
    accounts,
    assessments,
    campaigns,
    demo_certification,
    demo_community,
    issuance,
    organisations,
    roles,
    standards,
    statuslists,
    wallet,
)
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
    Person("ana@assay.example", "Ana Sousa", "Panel reviewer", (Role.REVIEWER,)),
    Person("ben@assay.example", "Ben Adeyemi", "Panel reviewer", (Role.REVIEWER,)),
    Person("maria@northwind.example", "Maria Castell", "Organisation manager at Northwind Analytics"),
    Person("sam@northwind.example", "Sam Achebe", "ML engineer at Northwind Analytics"),
    Person("lee@northwind.example", "Lee Park", "Platform engineer at Northwind Analytics"),
    Person("dana@harbourlight.example", "Dana Mensah", "Consultant at Harbourlight Partners (an MSP)"),
)

# Northwind's engineers in the team campaign, each with the domains they are strong in.
TEAM = (
    ("ines@northwind.example", "Inês Duarte", {"RD", "IG", "OV", "VD"}),
    ("kofi@northwind.example", "Kofi Boateng", {"DR", "OBS", "SR", "AT"}),
    ("mei@northwind.example", "Mei Chen", {"RD", "IG", "IA", "DR", "OBS", "SR"}),
    ("ravi@northwind.example", "Ravi Nair", {"DR", "SR", "IG"}),
    ("olga@northwind.example", "Olga Ivanova", {"OV", "HO", "VD", "RD", "OBS"}),
)


def load(db: Session, rt: Runtime) -> list[str] | None:
    """Load once. Returns lines worth printing (None if the demo people already exist)."""
    if account_repo.user_by_email(db, PEOPLE[0].email) is not None:
        return None
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
    verify_lines = _credentials(db, rt, registrar=accounts.principal_for(db, users["registrar@assay.example"]))
    lee = users["lee@northwind.example"].id
    # Lee took it twice: first weak on deployment and monitoring, then strong there, still weak on oversight.
    earlier = _assessment(db, rt, user_id=lee, strong={"IG", "VD", "SR"})
    token = _assessment(db, rt, user_id=lee, strong={"DR", "OBS", "SR", "IG", "VD"})
    _, share = assessments.create_share(db, rt, token=token, label="For my mentor")
    campaign = _campaign(db, rt, northwind=northwind, users=users)
    principals = {p.email: accounts.principal_for(db, users[p.email]) for p in PEOPLE if p.global_roles}
    certification_lines = demo_certification.load(db, rt, users=users, principals=principals, password=DEMO_PASSWORD)
    community_lines = demo_community.load(db, rt, users=users, principals=principals)
    base = rt.settings.base_url.rstrip("/")
    return [
        f"Lee's readiness profile: {base}/assessment/{token}/report  (JSON: assay assessment report {token})",
        f"  compared with his first attempt: assay assessment compare {earlier} {token}",
        f"  shared read-only with his mentor: {base}/shared/{share}",
        f"Northwind's team campaign (sign in as maria@northwind.example): {base}/orgs/northwind/campaigns/{campaign.id}",
        *verify_lines,
        *certification_lines,
        *community_lines,
    ]


def _campaign(db: Session, rt: Runtime, *, northwind: Organisation, users: dict[str, User]) -> Campaign:
    """Northwind's baseline: six engineers joined by link and submitted; Maria sees the team profile."""
    maria = accounts.principal_for(db, users["maria@northwind.example"])
    campaign = campaigns.open_campaign(
        db, rt, principal=maria, organisation=northwind, name="Q4 2026 readiness baseline", min_group_size=5
    )
    team = [(users["sam@northwind.example"], {"RD", "IA", "OV", "IG"})]
    for email, name, strong in TEAM:
        person = users[email] = accounts.sign_up(db, rt, email=email, display_name=name, password=DEMO_PASSWORD)
        _, invite = organisations.invite(db, rt, principal=maria, organisation=northwind, email=email, role="member")
        organisations.accept(db, rt, user=person, token=invite)
        team.append((person, strong))
    for person, strong in team:
        attempt, token, _ = campaigns.join(
            db, rt, principal=accounts.principal_for(db, person), token=campaign.join_token
        )
        _answer(db, rt, attempt, token, strong=strong)
    return campaign


def _assessment(db: Session, rt: Runtime, *, user_id: str, strong: set[str]) -> str:
    """A finished readiness attempt, right in the `strong` domains (and on every third question), a little
    overconfident: rates itself Ready everywhere and says 75% sure throughout."""
    attempt, token = assessments.start(db, rt, user_id=user_id)
    _answer(db, rt, attempt, token, strong=strong)
    return token


def _answer(db: Session, rt: Runtime, attempt: Attempt, token: str, *, strong: set[str]) -> None:
    assessments.rate_self(
        db, rt, token=token, ratings=dict.fromkeys(("IG", "OV", "RD", "DR", "OBS", "HO", "SR", "VD", "IA", "AT"), 2)
    )
    for n, ref in enumerate(assessments.refs(attempt)):
        item = assessments.bank().items[ref.partition("@")[0]]
        right = item.domain in strong or n % 3 == 0
        if item.kind.value == "ordering":
            choice = list(item.key) if right else list(reversed(item.key))  # type: ignore[arg-type]
        elif right:
            choice = sorted(item.key)
        else:
            choice = [next(o.id for o in item.options if not o.correct)]
        assessments.answer(db, rt, token=token, item_id=item.id, choice=choice, confidence=0.75)
    assessments.submit(db, rt, token=token, target_role="integrator")


def _credentials(db: Session, rt: Runtime, *, registrar: Principal) -> list[str]:
    """Credentials as the registry would hold them: graded by a reviewer, approved by a registrar."""
    evidence = f"{rt.settings.base_url}/evidence/demo"
    cai = issuance.create_decision(
        db,
        rt,
        programme_id="certified-ai-integrator",
        subjects=[
            issuance.SubjectInput(
                "sam@northwind.example",
                results=[
                    {"description": "exam-score", "value": "81"},
                    {"description": "practical-outcome", "status": "Passed"},
                ],
                evidence=[
                    {
                        "id": f"{evidence}/rag-access-controls",
                        "name": "Practical task: RAG pipeline with data access controls",
                    }
                ],
            )
        ],
        graded_by_email="reviewer@assay.example",
        rationale="Scenario exam above the cut score; both practical tasks passed by two blind reviewers in agreement.",
    )
    foundation = issuance.create_decision(
        db,
        rt,
        programme_id="foundation",
        subjects=[
            issuance.SubjectInput(email, results=[{"description": "exam-score", "value": score}])
            for email, score in (("maria@northwind.example", "74"), ("dana@harbourlight.example", "88"))
        ],
        graded_by_email="reviewer@assay.example",
        rationale="Foundation examination sitting of the demo cohort: both above the cut score.",
    )
    held = []
    for decision in (cai, foundation):
        issuance.approve(db, rt, registrar=registrar, decision_id=decision.id)
        issued = issuance.issue(db, rt, decision_id=decision.id, actor_id=registrar.user_id)
        held.extend(issued)
    dana_credential = issued[-1]
    issuance.change_state(
        db,
        rt,
        registrar=registrar,
        public_id=dana_credential.public_id,
        action="suspend",
        reason="Under review: a report that examination content was shared.",
    )
    statuslists.publish(db, rt)
    maria = next(c for c in held if c.programme_id == "foundation" and c.public_id != dana_credential.public_id)
    assert maria.user_id is not None
    wallet.set_visibility(db, rt, user_id=maria.user_id, public_id=maria.public_id, visibility="anonymous")
    base = rt.settings.base_url.rstrip("/")
    return [
        f"Verify Sam's credential: {base}/credentials/{held[0].public_id}  (or paste the ID at {base}/verify)",
        f"  Dana's, suspended: {base}/credentials/{dana_credential.public_id}; Maria's hides her name: {base}/credentials/{maria.public_id}",
        f"  the transparency log's latest signed head: {base}/log/heads/latest  (assay log verify)",
    ]
