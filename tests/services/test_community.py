"""Profiles and the directory, domain proofs, artifacts, one's own data and account deletion,
practitioner feedback with its triage, and anonymous case studies; on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from assay.db.models import AuditEntry, CaseStudy, CaseStudyAuthor, IssuedCredential, User
from assay.infra.http import OutboundResponse
from assay.infra.netguard import RequestRefused
from assay.services import case_studies, credentials_public, feedback, my_data, profiles, wallet
from assay.services.runtime import Runtime
from tests.certifying import grant, make_cast, principal


@pytest.fixture
def cast(db: Session, rt: Runtime) -> dict[str, User]:
    return make_cast(db, rt)


def _profile(db: Session, rt: Runtime, user: User, handle: str, **overrides) -> None:  # type: ignore[no-untyped-def]
    fields = {
        "headline": "Platform engineer",
        "bio": "",
        "region": "Europe: UK and Ireland",
        "availability": "open",
        "focus": ["RD", "OBS"],
        "visibility": "public",
    }
    profiles.save_profile(db, rt, user=user, handle=handle, **{**fields, **overrides})


def _public_credential(db: Session, rt: Runtime, user: User, programme: str) -> IssuedCredential:
    grant(db, rt, user.email, programme)
    credential = db.scalars(
        select(IssuedCredential).where(IssuedCredential.user_id == user.id, IssuedCredential.programme_id == programme)
    ).one()
    wallet.set_visibility(db, rt, user_id=user.id, public_id=credential.public_id, visibility="public")
    return credential


def test_the_directory_lists_public_profiles_only_with_filters_and_pages(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim, jonas, ada = cast["kim"], cast["jonas"], cast["ada"]
    _profile(db, rt, kim, "kim-okafor")
    _profile(db, rt, jonas, "jonas", region="Europe: EU and EEA", availability="limited", focus=["HO"])
    _profile(db, rt, ada, "ada", visibility="private")
    _public_credential(db, rt, kim, "foundation")
    _public_credential(db, rt, ada, "foundation")  # public credential, private profile: listed nowhere
    everyone = profiles.directory(db, rt)
    assert [e["handle"] for e in everyone.entries] == ["jonas", "kim-okafor"]  # Ada is private: nowhere
    assert profiles.directory(db, rt, credential="foundation").entries[0]["handle"] == "kim-okafor"
    assert profiles.directory(db, rt, credential="foundation").total == 1
    assert [e["handle"] for e in profiles.directory(db, rt, domain="HO").entries] == ["jonas"]
    assert [e["handle"] for e in profiles.directory(db, rt, region="Europe: EU and EEA").entries] == ["jonas"]
    assert [e["handle"] for e in profiles.directory(db, rt, availability="open").entries] == ["kim-okafor"]
    assert [e["handle"] for e in profiles.directory(db, rt, q="okafor").entries] == ["kim-okafor"]
    with pytest.raises(NotFound):
        profiles.public_view(db, rt, "ada")
    with pytest.raises(NotFound):
        profiles.directory(db, rt, credential="no-such-programme")
    with pytest.raises(ValidationFailed):
        profiles.directory(db, rt, availability="whenever")
    view = profiles.public_view(db, rt, "kim-okafor")
    assert [c["status"] for c in view["credentials"]] == ["active"] and view["name"] == "Kim Okafor"


def test_directory_pages(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    from assay.services import accounts

    for n in range(profiles.PAGE_SIZE + 5):
        user = accounts.sign_up(
            db,
            rt,
            email=f"p{n:02d}@example.org",
            display_name=f"Practitioner {n:02d}",
            password="lantern-orbit-cedar-71",
        )
        _profile(db, rt, user, f"p{n:02d}")
    first, second = profiles.directory(db, rt, page=1), profiles.directory(db, rt, page=2)
    assert first.total == second.total == profiles.PAGE_SIZE + 5 and first.pages == 2
    assert len(first.entries) == profiles.PAGE_SIZE and len(second.entries) == 5
    assert not {e["handle"] for e in first.entries} & {e["handle"] for e in second.entries}


def test_profile_input_is_validated(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    _profile(db, rt, cast["kim"], "kim")
    with pytest.raises(ValidationFailed, match="taken"):
        _profile(db, rt, cast["jonas"], "kim")
    with pytest.raises(ValidationFailed, match="handle"):
        _profile(db, rt, cast["jonas"], "-Bad Handle-")
    with pytest.raises(ValidationFailed, match="focus"):
        _profile(db, rt, cast["jonas"], "jonas", focus=["XX"])


class FakeHttp:
    def __init__(self, body: str = "", status: int = 200) -> None:
        self.body, self.status, self.urls = body, status, []

    def get(self, url: str, *, headers=None) -> OutboundResponse:  # type: ignore[no-untyped-def]
        self.urls.append(url)
        return OutboundResponse(
            status=self.status, headers={"content-type": "text/plain"}, content=self.body.encode(), url=url
        )

    def post_json(self, url, payload, *, headers=None):  # type: ignore[no-untyped-def]
        raise AssertionError("not used")


def test_domains_are_proven_by_dns_or_well_known_and_internal_targets_refused(
    db: Session, rt: Runtime, cast: dict[str, User]
) -> None:
    kim = cast["kim"]
    row = profiles.add_domain(db, rt, user=kim, domain="https://Kim.Example.com/")
    assert row.domain == "kim.example.com" and row.state == "pending"
    rt.dns.hosts["kim.example.com"] = ["93.184.216.34"]  # type: ignore[attr-defined]
    rt.dns.records["kim.example.com"] = ["v=spf1 -all", f"assay-verification={row.token}"]  # type: ignore[attr-defined]
    assert profiles.verify_domain(db, rt, user=kim, domain_id=row.id).state == "verified" and row.method == "dns"
    other = profiles.add_domain(db, rt, user=kim, domain="okafor.dev")
    rt.dns.hosts["okafor.dev"] = ["93.184.216.35"]  # type: ignore[attr-defined]
    http = FakeHttp(f"assay-verification={other.token}\n")
    object.__setattr__(rt, "http", http)
    assert profiles.verify_domain(db, rt, user=kim, domain_id=other.id).method == "well-known"
    assert http.urls == ["https://okafor.dev/.well-known/assay-verification.txt"]
    internal = profiles.add_domain(db, rt, user=kim, domain="intranet.example.org")
    rt.dns.hosts["intranet.example.org"] = ["10.0.0.7"]  # type: ignore[attr-defined]
    refused = profiles.verify_domain(db, rt, user=kim, domain_id=internal.id)
    assert (refused.state == "failed" and "private" in (refused.failure or "").lower()) or "10.0.0.7" in (
        refused.failure or ""
    )
    assert any(e.action == "profile.domain_refused" for e in db.scalars(select(AuditEntry)))
    with pytest.raises(ValidationFailed, match="not a domain"):
        profiles.add_domain(db, rt, user=kim, domain="not a domain")
    with pytest.raises(NotFound):
        profiles.verify_domain(db, rt, user=cast["jonas"], domain_id=row.id)
    assert RequestRefused  # the refusal type the guarded client raises for internal targets


def test_artifacts_are_claimed_then_reviewer_verified(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim = cast["kim"]
    a = profiles.add_artifact(
        db,
        rt,
        user=kim,
        title="Claims triage retriever",
        url="https://example.org/case",
        summary="Built the entitlement filter and its cross-tenant tests.",
    )
    assert a.state == "claimed"
    with pytest.raises(ValidationFailed, match="https"):
        profiles.add_artifact(db, rt, user=kim, title="x", url="ftp://x", summary="Long enough summary of the thing.")
    with pytest.raises(PermissionDenied):
        profiles.verify_artifact(
            db, rt, reviewer=principal(db, kim), artifact_id=a.id, note="I checked my own work carefully."
        )
    profiles.verify_artifact(
        db, rt, reviewer=principal(db, cast["jonas"]), artifact_id=a.id, note="Read the design doc and the test report."
    )
    assert a.state == "verified"


def test_export_and_deletion_keep_credentials_verifiable(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    from assay.services import statuslists

    kim = cast["kim"]
    _profile(db, rt, kim, "kim-okafor")
    credential = _public_credential(db, rt, kim, "foundation")
    data = my_data.export(db, rt, user=kim)
    assert data["account"]["email"] == "kim@example.org" and data["profile"]["handle"] == "kim-okafor"
    assert data["credentials"][0]["document"]["credentialSubject"]
    with pytest.raises(ValidationFailed, match="confirm"):
        my_data.delete_account(db, rt, user=kim, confirm_email="someone@example.org")
    from assay.db.models import ReviewOptIn
    from assay.services import drafts

    drafts.set_opt_in(db, rt, user=kim, opted_in=True)
    my_data.delete_account(db, rt, user=kim, confirm_email="kim@example.org")
    assert db.get(ReviewOptIn, kim.id) is None
    assert kim.email.endswith("@deleted.invalid") and not kim.is_active and kim.display_name == "Deleted account"
    with pytest.raises(NotFound):
        profiles.public_view(db, rt, "kim-okafor")
    statuslists.publish(db, rt)
    page = credentials_public.credential_view(db, rt, public_id=credential.public_id, client_ip="192.0.2.1")
    assert page is not None and page["status"] == "active" and "deleted their account" in page["holder"]
    assert credentials_public.verify(db, rt, json.loads(credential.document)).verdict.value == "valid"


def test_feedback_from_holders_is_triaged_and_rate_limited(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim, eve = cast["kim"], cast["eve"]
    with pytest.raises(PermissionDenied, match="credential holders"):
        feedback.submit(db, rt, user=kim, credential="nope", target="RD-02", kind="gap", text="x" * 50)
    credential = _public_credential(db, rt, kim, "foundation")
    link = f"{rt.settings.base_url}/credentials/{credential.public_id}"
    text = "Retrieval entitlements say nothing about semantic caches, which serve one user's answer to another."
    with pytest.raises(ValidationFailed, match="not a domain or control"):
        feedback.submit(db, rt, user=kim, credential=link, target="ZZ-01", kind="gap", text=text)
    item = feedback.submit(db, rt, user=kim, credential=link, target="RD-02", kind="gap", text=text)
    with pytest.raises(PermissionDenied, match="credential holders"):
        feedback.submit(db, rt, user=cast["ada"], credential=link, target="RD-02", kind="gap", text=text)
    with pytest.raises(PermissionDenied):
        feedback.triage(db, rt, editor=principal(db, kim), feedback_id=item.id, state="triaged")
    feedback.triage(db, rt, editor=principal(db, eve), feedback_id=item.id, state="triaged")
    with pytest.raises(Conflict, match="can become"):
        feedback.triage(db, rt, editor=principal(db, eve), feedback_id=item.id, state="resolved")
    feedback.triage(db, rt, editor=principal(db, eve), feedback_id=item.id, state="accepted")
    with pytest.raises(ValidationFailed, match="resolution"):
        feedback.triage(db, rt, editor=principal(db, eve), feedback_id=item.id, state="resolved")
    feedback.triage(
        db,
        rt,
        editor=principal(db, eve),
        feedback_id=item.id,
        state="resolved",
        resolution="RD-02 now covers caches keyed by entitlement in version 1.2.",
    )
    feedback.record_trigger(
        db,
        rt,
        editor=principal(db, eve),
        version="1.1",
        target="RD-02",
        kind="feedback",
        reference=item.id,
        note="Semantic caches raised by a holder of the Foundation.",
    )
    page = feedback.evolution(db)
    assert page["feedback"][0]["resolution"].startswith("RD-02 now covers") and "kim" not in json.dumps(page).lower()

    def send() -> None:
        feedback.submit(db, rt, user=kim, credential=link, target="OBS-01", kind="expansion", text=text)

    refused = None
    for _ in range(feedback.LIMIT_PER_DAY):  # this session counts every try, refused ones too
        try:
            send()
        except RateLimited as exc:
            refused = exc
            break
    assert refused is not None and "the most a day" in refused.message


def test_case_studies_are_scrubbed_before_anyone_sees_them(db: Session, rt: Runtime, cast: dict[str, User]) -> None:
    kim = cast["kim"]
    parts = {
        "title": "Refund agent at Kim Okafor's employer",
        "worked": "The human gate on refunds over 500 GBP caught 31 bad approvals; Kim Okafor (kim@example.org) wrote it.",
        "failed": "Our token sk-proj-9fJ2kL0pQ8rT5vW1xY3zA7bC6dE4 leaked into traces; call +44 20 7946 0958 to rotate.",
        "missed": "The standard did not ask for trace redaction before export to a vendor's observability tool.",
    }
    preview = case_studies.preview(db, user=kim, parts=parts)
    assert "Okafor" not in preview["worked"].text and preview["failed"].removed["secret"] == 1
    row = case_studies.submit(db, rt, user=kim, parts=parts, domains=["OBS", "HO"])
    stored = db.get_one(CaseStudy, row.id)
    assert (
        "Okafor" not in stored.title + stored.worked and "sk-proj" not in stored.failed and "7946" not in stored.failed
    )
    assert stored.redactions >= 4
    author = db.scalars(select(CaseStudyAuthor)).one()
    assert author.user_id == kim.id  # kept apart: not a column of the case study, not in the audit entry
    entry = next(e for e in db.scalars(select(AuditEntry)) if e.action == "case_study.submitted")
    assert entry.actor_id is None and kim.id not in entry.details
    case_studies.decide(db, rt, editor=principal(db, cast["eve"]), case_id=row.id, publish=True)
    with pytest.raises(Conflict):
        case_studies.decide(db, rt, editor=principal(db, cast["eve"]), case_id=row.id, publish=False)
    with pytest.raises(ValidationFailed, match="what failed"):
        case_studies.submit(db, rt, user=kim, parts={**parts, "failed": "short"}, domains=[])
