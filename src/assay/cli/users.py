"""`assay users`: operators create accounts and grant roles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from assay.cli.context import console, env_of, friendly_errors
from assay.core.roles import ROLE_LABELS, Role
from assay.db.repositories import accounts as account_repo
from assay.services import accounts, roles

app = typer.Typer(help="Accounts and roles.", no_args_is_help=True)

RoleArg = Annotated[str, typer.Option("--role", help="One of: " + ", ".join(r.value for r in Role))]
OrgOpt = Annotated[str | None, typer.Option("--org", help="Organisation address (slug), for organisation roles.")]


@app.command("create")
@friendly_errors
def create(
    ctx: typer.Context,
    email: Annotated[str, typer.Option("--email", help="The account's email address.")],
    name: Annotated[str, typer.Option("--name", help="The person's name as shown in Assay.")],
    password: Annotated[
        str,
        typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted if omitted."),
    ],
) -> None:
    """Create an account."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        user = accounts.sign_up(db, env.runtime, email=email, display_name=name, password=password)
        console.print(f"Created account {user.email} ({user.id}).")


@app.command("grant")
@friendly_errors
def grant(
    ctx: typer.Context, email: Annotated[str, typer.Option("--email")], role: RoleArg, org: OrgOpt = None
) -> None:
    """Grant a role to an account (recorded in the audit trail)."""
    env = env_of(ctx)
    parsed = roles.parse_role(role)
    with env.unit_of_work() as db:
        _, created = roles.grant(db, env.runtime, actor=None, email=email, role=parsed, organisation_slug=org)
    where = f" in {org}" if org else ""
    console.print(f"{email} {'now holds' if created else 'already held'} {parsed.label}{where}.")


@app.command("revoke")
@friendly_errors
def revoke(
    ctx: typer.Context, email: Annotated[str, typer.Option("--email")], role: RoleArg, org: OrgOpt = None
) -> None:
    """Take a role away (recorded in the audit trail)."""
    env = env_of(ctx)
    parsed = roles.parse_role(role)
    with env.unit_of_work() as db:
        roles.revoke(db, env.runtime, actor=None, email=email, role=parsed, organisation_slug=org)
    console.print(f"{email} no longer holds {parsed.label}{f' in {org}' if org else ''}.")


@app.command("list")
@friendly_errors
def list_users(ctx: typer.Context) -> None:
    """List accounts and their global roles."""
    env = env_of(ctx)
    table = Table("Email", "Name", "Roles")
    with env.unit_of_work() as db:
        for user in account_repo.all_users(db):
            principal = accounts.principal_for(db, user)
            labels = ", ".join(ROLE_LABELS[r] for r in Role if r in principal.global_roles)
            table.add_row(user.email, user.display_name, labels)
    console.print(table)
