"""Outgoing email goes through the job queue, so a slow or failing mail server never fails a request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from assay.infra.email import EmailMessage
from assay.services import jobs
from assay.services.runtime import Runtime


def queue(db: Session, rt: Runtime, *, to: str, subject: str, text: str) -> None:
    jobs.enqueue(db, rt, kind="email.send", payload={"to": to, "subject": subject, "text": text})


@jobs.handler("email.send")
def deliver(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    rt.mailer.send(EmailMessage(to=payload["to"], subject=payload["subject"], text=payload["text"]))
