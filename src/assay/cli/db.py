"""`assay db`: build and upgrade the schema."""

from __future__ import annotations

import typer

from assay.cli.context import console, env_of, friendly_errors
from assay.db.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Database schema: upgrade it, or see where it stands.", no_args_is_help=True)


@app.command("upgrade")
@friendly_errors
def upgrade_cmd(ctx: typer.Context) -> None:
    """Create the database if needed and apply every migration."""
    env = env_of(ctx)
    upgrade(env.settings.resolved_database_url)
    console.print(f"Database is at revision [bold]{current_revision(env.engine)}[/bold] (latest).")


@app.command("status")
@friendly_errors
def status(ctx: typer.Context) -> None:
    """Show the database's revision and whether it is current."""
    env = env_of(ctx)
    current, head = current_revision(env.engine), head_revision()
    if current == head:
        console.print(f"Up to date at revision {current}.")
    else:
        console.print(f"At revision {current or 'none'}; latest is {head}. Run `assay db upgrade`.")
        raise typer.Exit(1)
