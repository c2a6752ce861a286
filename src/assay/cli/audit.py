"""`assay audit`: check the hash chain end to end."""

from __future__ import annotations

import typer

from assay.cli.context import console, env_of, err_console, friendly_errors
from assay.services import audit

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
@friendly_errors
def verify(ctx: typer.Context) -> None:
    """Recompute every entry's hash and link; exit 1 at the first edited, missing or reordered entry."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        result = audit.verify(db)
    if result.ok:
        console.print(f"[green]OK[/green]: {result.entries_checked} entries verified; head {result.head_hash}.")
        return
    err_console.print(
        f"[red]BROKEN[/red] at entry {result.failed_at_seq}: {result.problem}. "
        f"{result.entries_checked} entries before it verified."
    )
    raise typer.Exit(1)
