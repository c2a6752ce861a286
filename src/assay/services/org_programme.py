"""An organisation's team programme, for its managers (or an API token of the organisation):
credential coverage by domain of the standard, who is current and who is expiring, campaign results.

A programme "covers" a domain when its assessment measures it: the domains of its exam blueprint,
the domains of its practical tasks' controls, and every domain for an interview programme.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from assay.db.models import Organisation, User
from assay.db.repositories import credentials as credential_repo
from assay.db.repositories import integrations as integration_repo
from assay.db.repositories import organisations as org_repo
from assay.services import campaigns, standards
from assay.services import programmes as content
from assay.services.runtime import Runtime

EXPIRING_WITHIN = timedelta(days=60)


def covered_domains(programme_id: str) -> set[str]:
    p = content.programme(programme_id)
    domains = set(standards.latest_domain_ids())
    if p.interview is not None:
        return domains
    out = set(p.exam.blueprint) if p.exam else set()
    for task_id in p.tasks:
        out |= {c.split("-")[0] for c in content.task(task_id).controls}
    return out & domains


def dashboard(db: Session, rt: Runtime, *, organisation: Organisation) -> dict[str, Any]:
    """Callers check access first: a manager's principal, or an organisation token."""
    now = rt.clock.now()
    members: list[dict[str, Any]] = []
    expiring_count = 0
    coverage = dict.fromkeys(standards.latest_domain_ids(), 0)
    consenting = integration_repo.consenting(db, organisation.id)
    for m in org_repo.members(db, organisation.id):
        user = db.get_one(User, m.user_id)
        creds = []
        covered: set[str] = set()
        for c in credential_repo.credentials_of_user(db, user.id):
            if c.state == "revoked":
                continue
            expired = c.valid_until is not None and c.valid_until <= now
            expiring = not expired and c.valid_until is not None and c.valid_until - now <= EXPIRING_WITHIN
            status = (
                "suspended"
                if c.state == "suspended"
                else "expired"
                if expired
                else "expiring"
                if expiring
                else "current"
            )
            expiring_count += status == "expiring"
            creds.append(
                {
                    "programme": c.programme_id,
                    "name": content.programme(c.programme_id).name,
                    "status": status,
                    "valid_until": c.valid_until.date().isoformat() if c.valid_until else None,
                }
            )
            if status in ("current", "expiring"):
                covered |= covered_domains(c.programme_id)
        for d in covered:
            coverage[d] += 1
        members.append(
            {
                "name": user.display_name,
                "credentials": creds,
                "current": any(c["status"] in ("current", "expiring") for c in creds),
                "consents_to_status_webhooks": user.id in consenting,
            }
        )
    views = campaigns.list_for(db, principal=None, organisation=organisation)
    return {
        "organisation": organisation.slug,
        "members": members,
        "coverage": coverage,
        "current": sum(1 for m in members if m["current"]),
        "expiring": expiring_count,
        "campaigns": [
            {"id": v.campaign.id, "name": v.campaign.name, "joined": v.joined, "submitted": v.submitted, "open": v.open}
            for v in views
        ],
    }
