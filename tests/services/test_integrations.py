"""Organisation tokens, consent, signed webhooks with retries, and the team programme dashboard."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.errors import AuthenticationRequired, ExternalServiceError, PermissionDenied, ValidationFailed
from assay.db.models import IssuedCredential, Organisation, User, WebhookDelivery
from assay.infra.http import OutboundResponse
from assay.infra.netguard import RequestRefused
from assay.services import integrations, issuance, org_programme, organisations
from assay.services.runtime import Runtime
from tests.certifying import grant, make_cast, principal


class RecordingHttp:
    def __init__(self, statuses: list[int | Exception]) -> None:
        self.statuses, self.calls = statuses, []

    def get(self, url, *, headers=None):  # type: ignore[no-untyped-def]
        raise AssertionError("not used")

    def post_json(self, url, payload, *, headers=None):  # type: ignore[no-untyped-def]
        self.calls.append((url, payload, dict(headers or {})))
        outcome = self.statuses.pop(0) if self.statuses else 200
        if isinstance(outcome, Exception):
            raise outcome
        return OutboundResponse(status=outcome, headers={}, content=b"", url=url)


@pytest.fixture
def world(db: Session, rt: Runtime) -> tuple[dict[str, User], Organisation]:
    cast = make_cast(db, rt)
    org = organisations.create(db, rt, principal=principal(db, cast["ada"]), name="Kestrel Labs", slug="kestrel")
    for name in ("kim", "eve"):
        _, token = organisations.invite(
            db, rt, principal=principal(db, cast["ada"]), organisation=org, email=f"{name}@example.org", role="member"
        )
        organisations.accept(db, rt, user=cast[name], token=token)
    rt.dns.hosts["hooks.kestrel.example"] = ["93.184.216.34"]  # type: ignore[attr-defined]
    rt.dns.hosts["internal.kestrel.example"] = ["192.168.1.20"]  # type: ignore[attr-defined]
    return cast, org


def test_tokens_are_scoped_shown_once_and_revocable(db: Session, rt: Runtime, world) -> None:  # type: ignore[no-untyped-def]
    cast, org = world
    with pytest.raises(PermissionDenied):
        integrations.create_token(db, rt, principal=principal(db, cast["kim"]), organisation=org, name="HR system")
    row, token = integrations.create_token(
        db, rt, principal=principal(db, cast["ada"]), organisation=org, name="HR system"
    )
    assert (
        token.startswith("assay_org_")
        and row.token_digest == hashlib.sha256(token.encode()).hexdigest()
        and token not in row.prefix + "x"
    )
    assert integrations.authenticate(db, rt, header=f"Bearer {token}", slug="kestrel").id == org.id
    other = organisations.create(db, rt, principal=principal(db, cast["jonas"]), name="Other", slug="other")
    for header in (None, "Bearer nope", f"Basic {token}"):
        with pytest.raises(AuthenticationRequired):
            integrations.authenticate(db, rt, header=header, slug="kestrel")
    with pytest.raises(AuthenticationRequired):
        integrations.authenticate(db, rt, header=f"Bearer {token}", slug=other.slug)
    integrations.revoke_token(db, rt, principal=principal(db, cast["ada"]), organisation=org, token_id=row.id)
    with pytest.raises(AuthenticationRequired):
        integrations.authenticate(db, rt, header=f"Bearer {token}", slug="kestrel")


def test_webhooks_to_internal_addresses_are_refused(db: Session, rt: Runtime, world) -> None:  # type: ignore[no-untyped-def]
    cast, org = world
    ada = principal(db, cast["ada"])
    with pytest.raises(ValidationFailed, match="https"):
        integrations.add_webhook(db, rt, principal=ada, organisation=org, url="http://hooks.kestrel.example/x")
    with pytest.raises(RequestRefused, match=r"192\.168\.1\.20"):
        integrations.add_webhook(db, rt, principal=ada, organisation=org, url="https://internal.kestrel.example/hook")
    with pytest.raises(ValidationFailed, match="does not resolve"):
        integrations.add_webhook(db, rt, principal=ada, organisation=org, url="https://nowhere.kestrel.example/hook")


def test_signed_deliveries_only_for_consenting_members_with_retries(db: Session, rt: Runtime, world, clock) -> None:  # type: ignore[no-untyped-def]
    cast, org = world
    hook, secret = integrations.add_webhook(
        db, rt, principal=principal(db, cast["ada"]), organisation=org, url="https://hooks.kestrel.example/assay"
    )
    grant(db, rt, "eve@example.org", "foundation")  # Eve has not consented: nothing is sent
    assert db.scalars(select(WebhookDelivery)).all() == []
    integrations.set_consent(db, rt, user=cast["kim"], organisation=org, consent=True)
    grant(db, rt, "kim@example.org", "foundation")
    [pending] = db.scalars(select(WebhookDelivery)).all()
    assert pending.event == "credential.issued"
    http = RecordingHttp([500, ExternalServiceError("timed out")])
    object.__setattr__(rt, "http", http)
    assert integrations.deliver_due(db, rt) == (0, 0) and pending.next_attempt_at > clock.now()
    clock.advance(minutes=1)
    assert integrations.deliver_due(db, rt) == (0, 0) and pending.attempts == 2
    clock.advance(minutes=5)
    assert integrations.deliver_due(db, rt) == (1, 0) and pending.state == "delivered"
    url, payload, headers = http.calls[-1]
    assert url == "https://hooks.kestrel.example/assay" and payload["event"] == "credential.issued"
    t, v1 = (part.split("=", 1)[1] for part in headers["X-Assay-Signature"].split(","))
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    assert v1 == hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    credential = db.scalars(select(IssuedCredential).where(IssuedCredential.user_id == cast["kim"].id)).one()
    issuance.change_state(
        db,
        rt,
        registrar=principal(db, cast["priya"]),
        public_id=credential.public_id,
        action="suspend",
        reason="Under review.",
    )
    object.__setattr__(rt, "http", RecordingHttp([RequestRefused("resolves to 10.0.0.1, a private network")]))
    assert integrations.deliver_due(db, rt) == (0, 1)  # an internal destination fails at once, no retries
    assert hook.id


def test_the_team_dashboard(db: Session, rt: Runtime, world, clock) -> None:  # type: ignore[no-untyped-def]
    _, org = world
    grant(db, rt, "kim@example.org", "certified-ai-integrator")
    d = org_programme.dashboard(db, rt, organisation=org)
    assert d["current"] == 1 and len(d["members"]) == 3
    covered = org_programme.covered_domains("certified-ai-integrator")
    assert all(d["coverage"][dom] == (1 if dom in covered else 0) for dom in d["coverage"])
    clock.advance(days=24 * 30 - 30)  # within 60 days of the 24-month validity
    later = org_programme.dashboard(db, rt, organisation=org)
    assert later["expiring"] == 1, later
