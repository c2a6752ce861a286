"""`assay demo`: a database with the demo organisation, people and history, then the server."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from assay.cli.context import Env, console, env_of, err_console, friendly_errors
from assay.cli.serve import run_server
from assay.db.migrate import upgrade
from assay.services import demo as demo_data


@friendly_errors
def demo(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server after loading.")] = True,
) -> None:
    """Create the database, load the demo data (once), and serve."""
    env = env_of(ctx)
    if "ASSAY_BASE_URL" not in os.environ:
        # Links in the demo's emails should point at the server the demo starts.
        env = Env(env.settings.model_copy(update={"base_url": f"http://{host}:{port}"}))
    if env.settings.environment == "production":
        err_console.print("[red]Refusing to load demo accounts into a production environment.[/red]")
        raise typer.Exit(2)
    upgrade(env.settings.resolved_database_url)
    with env.unit_of_work() as db:
        notes = demo_data.load(db, env.runtime)
    console.print("Demo data " + ("loaded." if notes is not None else "already present; left as it is."))
    for line in notes or []:
        console.print(line, soft_wrap=True)
    table = Table("Email", "Who", title=f"Demo accounts (password for all: {demo_data.DEMO_PASSWORD})")
    for person in demo_data.PEOPLE:
        table.add_row(person.email, person.about)
    console.print(table)
    if serve:
        run_server(env, host, port)
