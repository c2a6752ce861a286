"""The root of the `assay` command: global options and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assay import __version__
from assay.cli import (
    assessment,
    audit,
    campaigns,
    certification,
    credentials,
    db,
    demo,
    jobs,
    panel,
    serve,
    standard,
    translog,
    users,
    verify,
)
from assay.cli.context import Env, load_settings

app = typer.Typer(
    name="assay",
    help="Assay: the open standard for production AI engineering, assessments, certification and verifiable credentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assay {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Where the SQLite file, outbox and uploads live (ASSAY_DATA_DIR).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL; overrides ASSAY_DATABASE_URL.")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = Env(load_settings(data_dir=data_dir, database_url=database_url))


app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(jobs.app, name="jobs")
app.add_typer(standard.app, name="standard")
app.add_typer(assessment.app, name="assessment")
app.add_typer(campaigns.app, name="campaign")
app.add_typer(translog.app, name="log")
app.add_typer(credentials.keys_app, name="keys")
app.add_typer(credentials.credentials_app, name="credentials")
app.add_typer(credentials.statuslists_app, name="statuslists")
app.add_typer(certification.programmes_app, name="programmes")
app.add_typer(certification.exam_app, name="exam")
app.add_typer(certification.cases_app, name="cases")
app.add_typer(certification.interviews_app, name="interviews")
app.add_typer(panel.panel_app, name="panel")
app.add_typer(panel.items_app, name="items")
app.add_typer(panel.angoff_app, name="angoff")
app.command("verify")(verify.verify)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)


if __name__ == "__main__":
    app()
