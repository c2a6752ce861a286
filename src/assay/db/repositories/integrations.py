"""Queries for organisation tokens, status consents, webhooks and deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.db.models import OrgToken, StatusConsent, Webhook, WebhookDelivery


def token_by_digest(db: Session, digest: str) -> OrgToken | None:
    return db.scalars(select(OrgToken).where(OrgToken.token_digest == digest)).one_or_none()


def tokens_of(db: Session, organisation_id: str) -> list[OrgToken]:
    return list(
        db.scalars(select(OrgToken).where(OrgToken.organisation_id == organisation_id).order_by(OrgToken.created_at))
    )


def consent(db: Session, organisation_id: str, user_id: str) -> StatusConsent | None:
    stmt = select(StatusConsent).where(
        StatusConsent.organisation_id == organisation_id, StatusConsent.user_id == user_id
    )
    return db.scalars(stmt).one_or_none()


def consents_of_user(db: Session, user_id: str) -> list[StatusConsent]:
    return list(db.scalars(select(StatusConsent).where(StatusConsent.user_id == user_id)))


def consenting(db: Session, organisation_id: str) -> set[str]:
    return set(db.scalars(select(StatusConsent.user_id).where(StatusConsent.organisation_id == organisation_id)))


def active_webhooks(db: Session, organisation_id: str) -> list[Webhook]:
    stmt = select(Webhook).where(Webhook.organisation_id == organisation_id, Webhook.disabled_at.is_(None))
    return list(db.scalars(stmt.order_by(Webhook.created_at)))


def due_deliveries(db: Session, now: datetime) -> list[WebhookDelivery]:
    stmt = select(WebhookDelivery).where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
    return list(db.scalars(stmt.order_by(WebhookDelivery.next_attempt_at).with_for_update(skip_locked=True)))


def deliveries_of_org(db: Session, organisation_id: str) -> list[WebhookDelivery]:
    stmt = (
        select(WebhookDelivery)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(Webhook.organisation_id == organisation_id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(50)
    )
    return list(db.scalars(stmt))
