"""`assay standard`: validate, import, export, diff and crosswalk standard content."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assay.cli.context import console, env_of, err_console, friendly_errors
from assay.content import DEFAULT_STANDARD_ID
from assay.core.standard.diff import diff_to_dict
from assay.core.standard.loader import dumps_export
from assay.core.standard.problems import ContentInvalid, Problem
from assay.services import standards

app = typer.Typer(help="The standard: validate, import, export, diff, crosswalk.", no_args_is_help=True)

StandardOpt = Annotated[str, typer.Option("--standard", help="Standard ID.")]


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        err_console.print(f"  [red]✗[/red] {problem}", highlight=False, soft_wrap=True)


@app.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="A standard folder (standard.yaml, versions/*.yaml) or a JSON export.")],
) -> None:
    """Check content without importing it; list every problem with file, line, path and reason."""
    result = standards.validate(path)
    for note in result.notes:
        console.print(f"  note: {note}")
    if not result.ok or result.standard is None:
        err_console.print(f"[red]{len(result.problems)} problem(s)[/red] in {path}:")
        _print_problems(result.problems)
        raise typer.Exit(1)
    s = result.standard
    versions = ", ".join(f"{v.version} ({len(v.controls())} controls, {v.status.value})" for v in s.versions)
    console.print(f"[green]valid[/green]: {s.info.title} ({s.info.id}), versions {versions}")


@app.command("import")
@friendly_errors
def import_(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Folder or JSON export; omitted: the default standard shipped with Assay.")
    ] = None,
) -> None:
    """Load content into the database in one transaction (all or nothing), recorded in the audit trail."""
    env = env_of(ctx)
    try:
        with env.unit_of_work() as db:
            report = standards.import_standard(db, env.runtime, path=path)
    except ContentInvalid as exc:
        err_console.print(f"[red]{exc.message}[/red]")
        _print_problems(exc.problems)
        raise typer.Exit(1) from None
    if report.imported:
        console.print(f"Imported {report.standard_id} version(s) {', '.join(report.imported)}.")
    if report.unchanged:
        console.print(f"Already present and identical: {', '.join(report.unchanged)}.")


@app.command("list")
@friendly_errors
def list_versions(ctx: typer.Context, standard: StandardOpt = DEFAULT_STANDARD_ID) -> None:
    """The stored versions with status, release date and content hash."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        rows = standards.catalogue(db, standard)
    if not rows:
        console.print(f"No versions of {standard} are stored. Run `assay standard import`.")
        raise typer.Exit(1)
    table = Table("Version", "Status", "Released", "Controls", "Content hash (SHA-256 of JCS export)")
    for row in rows:
        v = row.version
        table.add_row(v.version, v.status.value, v.released, str(len(v.controls())), row.content_hash)
    console.print(table)


@app.command("export")
@friendly_errors
def export(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(help="Version number, or 'latest'.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    standard: StandardOpt = DEFAULT_STANDARD_ID,
) -> None:
    """Write the single-document JSON form of a version (what its content hash covers)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        document, digest = standards.export(db, standard, version)
    text = dumps_export(document)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output} (content hash {digest})")


@app.command("diff")
@friendly_errors
def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The earlier version.")],
    new: Annotated[str, typer.Argument(help="The later version.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    standard: StandardOpt = DEFAULT_STANDARD_ID,
) -> None:
    """What changed between two versions: added, retired, reworded (field by field), split, merged, renamed."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        d = standards.diff(db, standard, old, new)
    if as_json:
        sys.stdout.write(json.dumps(diff_to_dict(d), indent=2, ensure_ascii=False) + "\n")
        return
    console.print(f"[bold]{standard} {old} → {new}[/bold]")
    if d.empty:
        console.print("No differences.")
    for cid in d.added:
        console.print(f"  [green]+ added[/green]    {cid}")
    for cid in d.retired:
        console.print(f"  [red]- retired[/red]  {cid}")
    for s in d.splits:
        console.print(f"  [yellow]⑂ split[/yellow]    {s.source} → {', '.join(s.into)}")
    for m in d.merges:
        console.print(f"  [yellow]⑃ merged[/yellow]   {', '.join(m.sources)} → {m.into}")
    for r in d.renames:
        console.print(f"  [yellow]→ renamed[/yellow]  {r.source} → {r.into}")
    for c in d.changed:
        console.print(f"  [cyan]~ changed[/cyan]  {c.control_id}: {', '.join(f.field for f in c.fields)}")
    for dc in d.domains_changed:
        console.print(f"  [cyan]~ domain[/cyan]   {dc.domain_id}: {', '.join(f.field for f in dc.fields)}")


@app.command("crosswalk")
@friendly_errors
def crosswalk(
    ctx: typer.Context,
    framework: Annotated[str, typer.Argument(help="nist-ai-rmf, iso-iec-42001 or owasp-llm-top10.")],
    version: Annotated[str, typer.Option("--version", help="Standard version, or 'latest'.")] = "latest",
    ref: Annotated[
        str | None, typer.Option("--ref", help="Only the controls covering this reference, e.g. 'MEASURE 2.7'.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    standard: StandardOpt = DEFAULT_STANDARD_ID,
) -> None:
    """Coverage of an external framework (covered, partly, not covered), as CSV or JSON."""
    if fmt not in {"csv", "json"}:
        err_console.print("[red]Error:[/red] --format must be csv or json.")
        raise typer.Exit(2)
    env = env_of(ctx)
    with env.unit_of_work() as db:
        table = standards.crosswalk(db, standard, version, framework)
    rows = [r for r in table.rows if ref is None or r.entry.id == ref]
    if ref is not None and not rows:
        err_console.print(f"[red]Error:[/red] {ref} is not an entry of {table.framework} {table.edition}.")
        raise typer.Exit(1)
    if fmt == "json":
        payload = {
            "standard": standard,
            "version": table.version,
            "framework": table.framework,
            "edition": table.edition,
            "rows": [
                {
                    "ref": r.entry.id,
                    "title": r.entry.title,
                    "status": r.status.value,
                    "controls": [{"id": m.control_id, "coverage": m.coverage} for m in r.mappings],
                }
                for r in rows
            ],
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["framework", "edition", "ref", "title", "status", "controls"])
    for r in rows:
        controls = " ".join(f"{m.control_id}({m.coverage})" for m in r.mappings)
        writer.writerow([table.framework, table.edition, r.entry.id, r.entry.title, r.status.value, controls])
    sys.stdout.write(out.getvalue())
