"""Team campaigns: an organisation manager opens one, members join by link and take the assessment, and
the team profile rolls up their results (distributions for the team, a heatmap for managers only, and
nothing but counts below the campaign's minimum group size)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id, new_token
from assay.core.roles import Permission, Principal, decide, require
from assay.core.scoring.team import MIN_GROUP_FLOOR, MemberResult, roll_up, team_to_dict
from assay.db.models import Attempt, Campaign, Organisation, User
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import assessments as repo
from assay.db.repositories import organisations as org_repo
from assay.services import assessments, audit, standards
from assay.services.runtime import Runtime

DEFAULT_MIN_GROUP = 5
MAX_MIN_GROUP = 100


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    joined: int
    submitted: int

    @property
    def open(self) -> bool:
        return self.campaign.closed_at is None


def _check(name: str, target_role: str, min_group_size: int) -> tuple[str, dict[str, str]]:
    clean = " ".join(name.split())
    errors: dict[str, str] = {}
    if not clean or len(clean) > 200:
        errors["name"] = "Give the campaign a name of 1–200 characters."
    if target_role not in assessments.role_targets():
        errors["target_role"] = f"Choose a role: {', '.join(assessments.role_targets())}."
    if not MIN_GROUP_FLOOR <= min_group_size <= MAX_MIN_GROUP:
        errors["min_group_size"] = (
            f"The minimum group is {MIN_GROUP_FLOOR} to {MAX_MIN_GROUP} people: below {MIN_GROUP_FLOOR}, "
            "a team breakdown would show individuals."
        )
    return clean, errors


def open_campaign(
    db: Session,
    rt: Runtime,
    *,
    principal: Principal,
    organisation: Organisation,
    name: str,
    target_role: str = "integrator",
    min_group_size: int = DEFAULT_MIN_GROUP,
) -> Campaign:
    require(principal, Permission.ORG_MANAGE, organisation.id)
    clean, errors = _check(name, target_role, min_group_size)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    now = rt.clock.now()
    campaign = Campaign(
        id=new_id(now),
        organisation_id=organisation.id,
        name=clean,
        target_role=target_role,
        min_group_size=min_group_size,
        join_token=new_token(),
        created_by=principal.user_id,
        created_at=now,
    )
    db.add(campaign)
    db.flush()
    _audit(
        db,
        rt,
        principal,
        campaign,
        "campaign.opened",
        name=clean,
        target_role=target_role,
        min_group_size=min_group_size,
    )
    return campaign


def _audit(db: Session, rt: Runtime, principal: Principal, campaign: Campaign, action: str, **details: Any) -> None:
    audit.record(
        db,
        clock=rt.clock,
        actor_id=principal.user_id,
        action=action,
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        details=details or None,
    )


def list_for(db: Session, *, principal: Principal | None, organisation: Organisation) -> list[CampaignView]:
    """Campaigns of an organisation, for its members (principal None: the operator at the command line)."""
    if principal is not None:
        require(principal, Permission.ORG_VIEW, organisation.id)
    rows = repo.campaigns_of(db, organisation.id)
    counts = repo.campaign_counts(db, [c.id for c in rows])
    return [CampaignView(c, *counts.get(c.id, (0, 0))) for c in rows]


def get(db: Session, *, principal: Principal, campaign_id: str) -> tuple[Campaign, Organisation]:
    """The campaign, if the principal is in its organisation; NotFound otherwise (its existence is private)."""
    campaign = db.get(Campaign, campaign_id)
    org = org_repo.by_id(db, campaign.organisation_id) if campaign else None
    if campaign is None or org is None or not decide(principal, Permission.ORG_VIEW, org.id).allowed:
        raise NotFound("There is no campaign here, or you are not in its organisation.")
    return campaign, org


def by_id(db: Session, *, campaign_id: str) -> Campaign:
    """For the operator (the CLI); pages and the API go through get(), which checks the principal."""
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"There is no campaign {campaign_id}.")
    return campaign


def view(db: Session, *, campaign: Campaign) -> CampaignView:
    joined, submitted = repo.campaign_counts(db, [campaign.id]).get(campaign.id, (0, 0))
    return CampaignView(campaign, joined, submitted)


def by_join_token(db: Session, *, token: str) -> tuple[Campaign, Organisation]:
    campaign = repo.campaign_by_join_token(db, token)
    org = org_repo.by_id(db, campaign.organisation_id) if campaign else None
    if campaign is None or org is None:
        raise NotFound("This campaign link is not valid: ask your manager for the current one.")
    return campaign, org


def join(db: Session, rt: Runtime, *, principal: Principal, token: str) -> tuple[Attempt, str, bool]:
    """Join by link: start the member's attempt, or hand back the one they have. Returns the attempt, a
    link token for it, and whether it was new. Only members of the organisation may join."""
    campaign, org = by_join_token(db, token=token)
    if not decide(principal, Permission.ORG_VIEW, org.id).allowed:
        raise PermissionDenied(
            f"This campaign is for members of {org.name}. Ask one of its managers to invite you to the organisation."
        )
    existing = repo.campaign_attempt_of(db, campaign.id, principal.user_id)
    if existing is not None and (existing.submitted_at is not None or existing.expires_at > rt.clock.now()):
        return existing, assessments.reissue(db, attempt=existing), False
    if campaign.closed_at is not None:
        raise Conflict("This campaign is closed: it takes no new attempts.")
    attempt, attempt_token = assessments.start(db, rt, user_id=principal.user_id, campaign=campaign)
    return attempt, attempt_token, True


def close(db: Session, rt: Runtime, *, principal: Principal, campaign: Campaign) -> None:
    require(principal, Permission.ORG_MANAGE, campaign.organisation_id)
    if campaign.closed_at is None:
        campaign.closed_at = rt.clock.now()
        db.flush()
        _audit(db, rt, principal, campaign, "campaign.closed")


def new_link(db: Session, rt: Runtime, *, principal: Principal, campaign: Campaign) -> str:
    """Replace the join link (the old one stops working): for a link that travelled too far."""
    require(principal, Permission.ORG_MANAGE, campaign.organisation_id)
    campaign.join_token = new_token()
    db.flush()
    _audit(db, rt, principal, campaign, "campaign.link_replaced")
    return campaign.join_token


def member_results(db: Session, *, campaign: Campaign) -> list[MemberResult]:
    attempts = [a for a in repo.campaign_attempts(db, campaign.id) if a.profile is not None and a.user_id]
    users = account_repo.users_by_ids(db, [a.user_id for a in attempts if a.user_id])
    latest: dict[str, Attempt] = {}
    for a in sorted(attempts, key=lambda a: a.submitted_at or a.started_at):  # per person, the latest wins
        assert a.user_id is not None
        latest[a.user_id] = a
    return [
        MemberResult.from_profile(_name(users.get(user_id)), assessments.profile_of(a)) for user_id, a in latest.items()
    ]


def _name(user: User | None) -> str:
    return user.display_name if user else "(deleted account)"


def team_profile(db: Session, *, principal: Principal | None, campaign: Campaign) -> dict[str, Any]:
    """The roll-up. The per-member heatmap only for the organisation's managers (or the operator: None)."""
    managers = principal is None or decide(principal, Permission.ORG_MANAGE, campaign.organisation_id).allowed
    version = standards.resolve(db, *_standard_of_bank()).version
    target = assessments.role_targets()[campaign.target_role]["targets"]
    team = roll_up(
        member_results(db, campaign=campaign),
        domains=[(d.id, d.title) for d in version.domains],
        min_group=campaign.min_group_size,
        target=target,
    )
    counts = view(db, campaign=campaign)
    return {
        "campaign": {
            "id": campaign.id,
            "name": campaign.name,
            "target_role": campaign.target_role,
            "min_group_size": campaign.min_group_size,
            "open": campaign.closed_at is None,
            "joined": counts.joined,
        },
        "standard": version.version,
        **team_to_dict(team, with_heatmap=managers),
    }


def _standard_of_bank() -> tuple[str, str]:
    bank = assessments.bank()
    return bank.standard, bank.standard_version


def export_rows(data: dict[str, Any]) -> list[list[str]]:
    """The team profile as CSV rows: one block of distributions, then (managers) the heatmap."""
    if data["suppressed"]:
        return [["submitted", "minimum group"], [str(data["submitted"]), str(data["min_group"])]]
    levels = [str(label) for label in data["levels"]]
    rows = [["domain", "title", "members", *levels, "median %", "lower quartile %", "upper quartile %", "at target"]]
    for d in data["domains"]:
        p = d["percent"]
        rows.append(
            [
                d["domain"],
                d["title"],
                str(d["n"]),
                *map(str, d["level_counts"]),
                f"{p['median']:g}",
                f"{p['q1']:g}",
                f"{p['q3']:g}",
                str(d["at_or_above_target"]),
            ]
        )
    if "heatmap" in data:
        rows.append([])
        rows.append(["member", *[d["domain"] for d in data["domains"]]])
        rows.extend([row["member"], *(level or "" for level in row["levels"])] for row in data["heatmap"])
    return rows
