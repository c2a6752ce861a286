"""`assay campaign`: team readiness campaigns from the terminal (the operator acts for a manager)."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from assay.cli.context import console, env_of, friendly_errors
from assay.core.accounts import normalise_email
from assay.core.errors import NotFound
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import organisations as org_repo
from assay.services import campaigns
from assay.services.accounts import principal_for

app = typer.Typer(help="Team readiness campaigns.", no_args_is_help=True)


class TeamFormat(StrEnum):
    json = "json"
    csv = "csv"


@app.command("open")
@friendly_errors
def open_campaign(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="The organisation's address (slug).")],
    name: Annotated[str, typer.Option(help="What the team will see.")],
    manager: Annotated[str, typer.Option(help="Email of the organisation manager opening it.")],
    role: Annotated[str, typer.Option(help="Target role: integrator, reviewer or approver.")] = "integrator",
    min_group: Annotated[int, typer.Option(help="Smallest group the team profile breaks down (3 or more).")] = 5,
) -> None:
    """Open a campaign and print its join link."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        organisation = org_repo.by_slug(db, org)
        user = account_repo.user_by_email(db, normalise_email(manager))
        if organisation is None:
            raise NotFound(f"There is no organisation {org}.")
        if user is None:
            raise NotFound(f"No account uses {manager}.")
        campaign = campaigns.open_campaign(
            db,
            env.runtime,
            principal=principal_for(db, user),
            organisation=organisation,
            name=name,
            target_role=role,
            min_group_size=min_group,
        )
        link = f"{env.settings.base_url.rstrip('/')}/campaigns/join/{campaign.join_token}"
        console.print(f"Campaign {campaign.id} open. Join link: {link}")


@app.command("list")
@friendly_errors
def list_campaigns(
    ctx: typer.Context, org: Annotated[str, typer.Argument(help="The organisation's address (slug).")]
) -> None:
    """An organisation's campaigns with how many joined and submitted."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        organisation = org_repo.by_slug(db, org)
        if organisation is None:
            raise NotFound(f"There is no organisation {org}.")
        views = campaigns.list_for(db, principal=None, organisation=organisation)
        table = Table("Name", "Role", "Joined", "Submitted", "State")
        table.add_column("ID", no_wrap=True)
        for v in views:
            table.add_row(
                v.campaign.name,
                v.campaign.target_role,
                str(v.joined),
                str(v.submitted),
                "open" if v.open else "closed",
                v.campaign.id,
            )
    console.print(table)


@app.command("team")
@friendly_errors
def team(
    ctx: typer.Context,
    campaign_id: str,
    fmt: Annotated[TeamFormat, typer.Option("--format", help="json or csv.")] = TeamFormat.json,
) -> None:
    """The team profile, with the per-member heatmap (the operator sees what a manager sees)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        campaign = campaigns.by_id(db, campaign_id=campaign_id)
        data = campaigns.team_profile(db, principal=None, campaign=campaign)
    if fmt is TeamFormat.csv:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(campaigns.export_rows(data))
        sys.stdout.write(out.getvalue())
    else:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
