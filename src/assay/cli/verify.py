"""`assay verify FILE`: check a credential offline. Exit 0 valid, 1 invalid, 2 could not check."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from assay.cli.context import console, err_console
from assay.core.clock import SystemClock
from assay.core.credentials.verification import Outcome, parse_time
from assay.core.credentials.verify import verify_credential

MARK = {
    Outcome.PASSED: "[green]✓[/green]",
    Outcome.FAILED: "[red]✗[/red]",
    Outcome.UNKNOWN: "[yellow]?[/yellow]",
    Outcome.NOT_RUN: "·",
}


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        err_console.print(f"[red]Error:[/red] cannot read the {what} {path}: {exc}")
        raise typer.Exit(2) from None
    if not isinstance(data, dict):
        err_console.print(f"[red]Error:[/red] the {what} {path} is not a JSON object")
        raise typer.Exit(2)
    return data


def verify(
    file: Annotated[Path, typer.Argument(help="The credential (JSON).")],
    did_document: Annotated[
        list[Path] | None, typer.Option("--did-document", help="An issuer DID document file (repeatable).")
    ] = None,
    status_list: Annotated[
        list[str] | None, typer.Option("--status-list", help="URL=FILE for a status list credential (repeatable).")
    ] = None,
    now: Annotated[str | None, typer.Option("--now", help="Check as of this time (ISO 8601 with zone).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Verify a credential with no network: DID documents and status lists come from files."""
    moment: datetime | None = parse_time(now) if now else SystemClock().now()
    if moment is None:
        err_console.print(
            f"[red]Error:[/red] --now {now!r} is not an ISO 8601 time with a zone, e.g. 2026-05-01T00:00:00Z"
        )
        raise typer.Exit(2)
    lists: dict[str, dict[str, Any]] = {}
    for pair in status_list or []:
        url, sep, path = pair.partition("=")
        if not sep:
            err_console.print(f"[red]Error:[/red] --status-list takes URL=FILE, got {pair!r}")
            raise typer.Exit(2)
        lists[url] = _read_json(Path(path), "status list")
    docs = [_read_json(p, "DID document") for p in did_document or []]
    try:
        raw = file.read_bytes()
    except OSError as exc:
        err_console.print(f"[red]Error:[/red] cannot read {file}: {exc}")
        raise typer.Exit(2) from None
    result = verify_credential(raw, now=moment, did_documents=docs, status_source=lists)
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2) + "\n")
    else:
        for check in result.checks:
            console.print(f" {MARK[check.outcome]} {check.label}: {check.detail}", highlight=False)
        colour = {"valid": "green", "invalid": "red"}.get(result.verdict.value, "yellow")
        console.print(f"[bold {colour}]{result.verdict.value.upper()}[/bold {colour}]")
    raise typer.Exit(result.verdict.exit_code)
