"""Share links, comparison of attempts, and team campaigns through the services, on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.db.models import Organisation, User
from assay.services import assessments, campaigns, organisations, standards
from assay.services.runtime import Runtime
from tests.services.conftest import People, answer_all


@pytest.fixture
def finished(db: Session, rt: Runtime) -> str:
    standards.import_standard(db, rt)
    _, token = assessments.start(db, rt)
    answer_all(db, rt, token, right=True, wrong_in=("OV",))
    assessments.submit(db, rt, token=token)
    return token


def test_share_links_show_the_profile_only_until_revoked(db: Session, rt: Runtime, finished: str) -> None:
    share, share_token = assessments.create_share(db, rt, token=finished, label="For my mentor")
    assert share_token != finished and share.label == "For my mentor"
    _, profile = assessments.shared(db, share_token=share_token)
    assert profile["domains"] == assessments.report(db, token=finished)["domains"]
    assert "feedback" not in profile  # answers and rationales stay the owner's
    with pytest.raises(NotFound):
        assessments.shared(db, share_token=finished)  # the attempt's own key is not a share link
    assessments.revoke_share(db, rt, token=finished, share_id=share.id)
    with pytest.raises(NotFound, match="withdrawn"):
        assessments.shared(db, share_token=share_token)
    assert [s.revoked_at is not None for s in assessments.shares(db, token=finished)] == [True]
    # The report itself still opens with the owner's link.
    assert assessments.report(db, token=finished)["domains"]


def test_shares_need_a_submitted_attempt_and_its_owner(db: Session, rt: Runtime, finished: str) -> None:
    _, unfinished = assessments.start(db, rt)
    with pytest.raises(Conflict):
        assessments.create_share(db, rt, token=unfinished)
    share, _ = assessments.create_share(db, rt, token=finished)
    with pytest.raises(NotFound):
        assessments.revoke_share(db, rt, token=unfinished, share_id=share.id)  # not that attempt's share
    with pytest.raises(ValidationFailed):
        assessments.create_share(db, rt, token=finished, label="x" * 121)


def test_compare_two_attempts_of_one_person(db: Session, rt: Runtime, finished: str) -> None:
    _, later = assessments.start(db, rt)
    answer_all(db, rt, later, right=True)
    assessments.submit(db, rt, token=later)
    result = assessments.compare_tokens(db, token=later, other=finished)  # given either way round
    moves = {d["domain"]: d for d in result["domains"]}
    assert moves["OV"]["change"] > 0 and moves["OV"]["before"]["level"] != moves["OV"]["after"]["level"]
    assert result["same_version"] and result["before_submitted"] <= result["after_submitted"]
    with pytest.raises(ValidationFailed):
        assessments.compare_tokens(db, token=finished, other=finished)


def test_compare_across_standard_versions_uses_lineage(db: Session, rt: Runtime, finished: str) -> None:
    older = assessments.get(db, token=finished)
    # An attempt kept from the 1.0 days: same profile, scored against the earlier version.
    older.standard_version = "1.0"
    older.profile = json.dumps({**assessments.profile_of(older), "standard_version": "1.0"})
    _, later = assessments.start(db, rt)
    answer_all(db, rt, later, right=True)
    assessments.submit(db, rt, token=later)
    result = assessments.compare_tokens(db, token=finished, other=later)
    moves = {d["domain"]: d for d in result["domains"]}
    assert (result["before_version"], result["after_version"]) == ("1.0", "1.1")
    assert any("split" in c for c in moves["IA"]["standard_changes"])
    assert moves["IG"]["standard_changes"] == []


def _team(db: Session, rt: Runtime, people: People, size: int) -> tuple[User, Organisation, list[User]]:
    standards.import_standard(db, rt)
    maria = people.make("Maria")
    org = organisations.create(db, rt, principal=people.principal(maria), name="Northwind")
    members = []
    for n in range(size):
        person = people.make(f"Member{n}")
        _, token = organisations.invite(
            db, rt, principal=people.principal(maria), organisation=org, email=person.email, role="member"
        )
        organisations.accept(db, rt, user=person, token=token)
        members.append(person)
    return maria, org, members


def test_campaign_from_link_to_team_profile(db: Session, rt: Runtime, people: People) -> None:
    maria, org, members = _team(db, rt, people, 5)
    manager = people.principal(maria)
    campaign = campaigns.open_campaign(
        db, rt, principal=manager, organisation=org, name="Q1 readiness", target_role="reviewer", min_group_size=5
    )
    tokens = []
    for n, person in enumerate(members):
        attempt, token, new = campaigns.join(db, rt, principal=people.principal(person), token=campaign.join_token)
        assert new and attempt.campaign_id == campaign.id
        answer_all(db, rt, token, right=n % 2 == 0, wrong_in=("OV",))
        tokens.append(token)
    # Four of five submitted: below the minimum group, counts only, even for the manager.
    for token in tokens[:4]:
        assessments.submit(db, rt, token=token, target_role="integrator")
    early = campaigns.team_profile(db, principal=manager, campaign=campaign)
    assert early["suppressed"] and early["submitted"] == 4 and "domains" not in early
    assessments.submit(db, rt, token=tokens[4])
    assert json.loads(assessments.get(db, token=tokens[4]).profile or "{}")["target_role"] == "reviewer"
    team = campaigns.team_profile(db, principal=manager, campaign=campaign)
    assert not team["suppressed"] and team["submitted"] == 5 and team["campaign"]["joined"] == 5
    ov = next(d for d in team["domains"] if d["domain"] == "OV")
    assert sum(ov["level_counts"]) == 5 and team["weakest_domains"][0] == "OV"
    assert {row["member"] for row in team["heatmap"]} == {p.display_name for p in members}
    # A member sees the team's distributions, never the per-person heatmap.
    member_view = campaigns.team_profile(db, principal=people.principal(members[0]), campaign=campaign)
    assert "heatmap" not in member_view and member_view["domains"] == team["domains"]
    rows = campaigns.export_rows(team)
    assert rows[0][0] == "domain" and ["member", *[d["domain"] for d in team["domains"]]] in rows


def test_joining_again_resumes_and_outsiders_cannot_join(db: Session, rt: Runtime, people: People) -> None:
    maria, org, members = _team(db, rt, people, 1)
    campaign = campaigns.open_campaign(db, rt, principal=people.principal(maria), organisation=org, name="Pilot")
    first, token, new = campaigns.join(db, rt, principal=people.principal(members[0]), token=campaign.join_token)
    again, token2, new2 = campaigns.join(db, rt, principal=people.principal(members[0]), token=campaign.join_token)
    assert new and not new2 and first.id == again.id and token != token2
    with pytest.raises(NotFound):
        assessments.get(db, token=token)  # the reissued link replaces the old one
    outsider = people.make("Outsider")
    with pytest.raises(PermissionDenied, match="invite you"):
        campaigns.join(db, rt, principal=people.principal(outsider), token=campaign.join_token)
    with pytest.raises(NotFound):
        campaigns.get(db, principal=people.principal(outsider), campaign_id=campaign.id)
    old_link = campaign.join_token
    campaigns.new_link(db, rt, principal=people.principal(maria), campaign=campaign)
    with pytest.raises(NotFound):
        campaigns.join(db, rt, principal=people.principal(members[0]), token=old_link)
    campaigns.close(db, rt, principal=people.principal(maria), campaign=campaign)
    latecomer = people.make("Late")
    _, invite = organisations.invite(
        db, rt, principal=people.principal(maria), organisation=org, email=latecomer.email, role="member"
    )
    organisations.accept(db, rt, user=latecomer, token=invite)
    with pytest.raises(Conflict, match="closed"):
        campaigns.join(db, rt, principal=people.principal(latecomer), token=campaign.join_token)


def test_only_managers_open_campaigns_and_settings_are_checked(db: Session, rt: Runtime, people: People) -> None:
    maria, org, members = _team(db, rt, people, 1)
    with pytest.raises(PermissionDenied):
        campaigns.open_campaign(db, rt, principal=people.principal(members[0]), organisation=org, name="Mine")
    with pytest.raises(ValidationFailed) as bad:
        campaigns.open_campaign(
            db, rt, principal=people.principal(maria), organisation=org, name=" ", target_role="chef", min_group_size=2
        )
    assert set(bad.value.fields) == {"name", "target_role", "min_group_size"}
    assert campaigns.list_for(db, principal=people.principal(maria), organisation=org) == []
