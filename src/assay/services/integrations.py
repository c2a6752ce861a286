"""Organisation API tokens, members' consent to share credential status, and signed webhooks.

Tokens are scoped to one organisation and read only its programme data; only a SHA-256 digest is
stored and the token is shown once. Webhooks go only to https URLs whose host resolves to the
public internet (checked when the webhook is added, and again by the guarded client at every
delivery). Each delivery is signed: `X-Assay-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the webhook's secret>`. A failed delivery is retried with backoff (1 minute, 5, 30,
2 hours, 12 hours), then marked failed; a destination on a private network fails at once.
Events are sent only about members who consented, for their organisation's webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.core.errors import AuthenticationRequired, ExternalServiceError, NotFound, ValidationFailed
from assay.core.ids import new_id, new_token, token_digest
from assay.core.roles import Permission, Principal, require
from assay.db.models import IssuedCredential, Organisation, OrgToken, StatusConsent, User, Webhook, WebhookDelivery
from assay.db.repositories import integrations as repo
from assay.db.repositories import organisations as org_repo
from assay.infra.netguard import RequestRefused
from assay.services import audit, jobs, outbound
from assay.services.runtime import Runtime

TOKEN_PREFIX = "assay_org_"  # noqa: S105 - a prefix that marks tokens, not a secret
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
EVENTS = ("credential.issued", "credential.suspended", "credential.revoked", "credential.reinstated")


def _manage(principal: Principal, organisation: Organisation) -> None:
    require(principal, Permission.ORG_MANAGE, organisation.id)


def create_token(
    db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation, name: str
) -> tuple[OrgToken, str]:
    _manage(principal, organisation)
    if not 3 <= len(name.strip()) <= 100:
        raise ValidationFailed("Name the token after what uses it (3 to 100 characters).", {"name": "Required."})
    token = TOKEN_PREFIX + new_token()
    now = rt.clock.now()
    row = OrgToken(
        id=new_id(now),
        organisation_id=organisation.id,
        name=name.strip(),
        token_digest=token_digest(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        created_by=principal.user_id,
        created_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="org.token_created",
        subject_type="org_token",
        subject_id=row.id,
        organisation_id=organisation.id,
        details={"name": row.name},
    )
    return row, token


def revoke_token(db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation, token_id: str) -> None:
    _manage(principal, organisation)
    row = db.get(OrgToken, token_id)
    if row is None or row.organisation_id != organisation.id:
        raise NotFound("No such token.")
    row.revoked_at = rt.clock.now()
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="org.token_revoked",
        subject_type="org_token",
        subject_id=row.id,
        organisation_id=organisation.id,
    )


def authenticate(db: Session, rt: Runtime, *, header: str | None, slug: str) -> Organisation:
    """The organisation a Bearer token may read; AuthenticationRequired otherwise (same answer for a
    wrong, revoked or other organisation's token)."""
    if not header or not header.lower().startswith("bearer "):
        raise AuthenticationRequired("Send an organisation API token: Authorization: Bearer assay_org_…")
    token = header.split(None, 1)[1].strip()
    row = repo.token_by_digest(db, token_digest(token))
    organisation = org_repo.by_slug(db, slug)
    if row is None or row.revoked_at is not None or organisation is None or row.organisation_id != organisation.id:
        raise AuthenticationRequired("That token is not valid for this organisation.")
    row.last_used_at = rt.clock.now()
    return organisation


def set_consent(db: Session, rt: Runtime, *, user: User, organisation: Organisation, consent: bool) -> None:
    if org_repo.membership(db, organisation.id, user.id) is None:
        raise NotFound("You are not a member of this organisation.")
    row = repo.consent(db, organisation.id, user.id)
    if consent and row is None:
        db.add(
            StatusConsent(
                id=new_id(rt.clock.now()), organisation_id=organisation.id, user_id=user.id, granted_at=rt.clock.now()
            )
        )
    elif not consent and row is not None:
        db.delete(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="org.status_consent_" + ("granted" if consent else "withdrawn"),
        subject_type="organisation",
        subject_id=organisation.id,
        organisation_id=organisation.id,
    )


def _check_destination(rt: Runtime, url: str) -> str:
    url = url.strip()
    if not url.startswith("https://") or len(url) > 500 or " " in url:
        raise ValidationFailed("A webhook needs an https:// address.", {"url": "An https address."})
    host = url[len("https://") :].split("/", 1)[0].split(":", 1)[0].lower()
    outbound.refuse_internal(rt, host, purpose="a webhook")
    return url


def add_webhook(
    db: Session, rt: Runtime, *, principal: Principal, organisation: Organisation, url: str
) -> tuple[Webhook, str]:
    _manage(principal, organisation)
    clean = _check_destination(rt, url)
    secret = "whsec_" + new_token()
    now = rt.clock.now()
    row = Webhook(
        id=new_id(now),
        organisation_id=organisation.id,
        url=clean,
        secret=secret,
        created_by=principal.user_id,
        created_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action="org.webhook_added",
        subject_type="webhook",
        subject_id=row.id,
        organisation_id=organisation.id,
        details={"url": clean},
    )
    return row, secret


def signature(secret: str, timestamp: int, body: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def credential_event(db: Session, rt: Runtime, *, credential: IssuedCredential, event: str) -> int:
    """Queue a delivery to each webhook of each organisation the holder consented to share with."""
    queued = 0
    now = rt.clock.now()
    if credential.user_id is None:  # an organisation's own credential: no member consent applies
        return 0
    for consent in repo.consents_of_user(db, credential.user_id):
        for hook in repo.active_webhooks(db, consent.organisation_id):
            payload = {
                "event": event,
                "occurred_at": now.isoformat(),
                "organisation": consent.organisation_id,
                "credential": {
                    "id": f"{rt.settings.base_url.rstrip('/')}/credentials/{credential.public_id}",
                    "programme": credential.programme_id,
                    "state": credential.state,
                    "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
                },
            }
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            db.add(
                WebhookDelivery(
                    id=new_id(now),
                    webhook_id=hook.id,
                    event=event,
                    payload=body,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            queued += 1
    if queued:
        db.flush()
        jobs.enqueue(db, rt, kind="webhooks.deliver", payload={}, dedupe_key=f"webhooks.deliver:{now.isoformat()}")
    return queued


@jobs.handler("webhooks.deliver")
def deliver_job(db: Session, rt: Runtime, payload: Any) -> None:
    deliver_due(db, rt)


def deliver_due(db: Session, rt: Runtime) -> tuple[int, int]:
    """Attempt every due delivery once; returns (delivered, failed for good)."""
    delivered = failed = 0
    now = rt.clock.now()
    for d in repo.due_deliveries(db, now):
        hook = db.get_one(Webhook, d.webhook_id)
        timestamp = int(now.timestamp())
        headers = {
            "X-Assay-Event": d.event,
            "X-Assay-Delivery": d.id,
            "X-Assay-Signature": f"t={timestamp},v1={signature(hook.secret, timestamp, d.payload)}",
        }
        d.attempts += 1
        try:
            response = rt.http.post_json(hook.url, json.loads(d.payload), headers=headers)
            d.last_status, d.last_error = response.status, None if response.ok else f"HTTP {response.status}"
            ok, permanent = response.ok, False
        except RequestRefused as exc:
            d.last_error, ok, permanent = exc.message, False, True
        except ExternalServiceError as exc:
            d.last_error, ok, permanent = exc.message, False, False
        if ok:
            d.state, d.delivered_at = "delivered", now
            delivered += 1
        elif permanent or d.attempts > len(BACKOFF):
            d.state = "failed"
            failed += 1
        else:
            d.next_attempt_at = now + BACKOFF[d.attempts - 1]
    db.flush()
    return delivered, failed


def deliveries(db: Session, organisation: Organisation) -> list[WebhookDelivery]:
    return repo.deliveries_of_org(db, organisation.id)
