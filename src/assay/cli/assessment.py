"""`assay assessment`: take the free readiness assessment in the terminal, or fetch a report."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from assay.cli.context import console, env_of, friendly_errors
from assay.core.errors import ValidationFailed
from assay.services import assessments, standards
from assay.services.report_documents import action_plan_xlsx, profile_pdf

app = typer.Typer(help="The free readiness assessment.", no_args_is_help=True)

CONFIDENCE = {"1": 0.25, "2": 0.5, "3": 0.75, "4": 1.0}
T = TypeVar("T")


@app.command("take")
@friendly_errors
def take(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="Target role: integrator, reviewer or approver.")] = "integrator",
    resume: Annotated[str | None, typer.Option(help="Continue an attempt by its token.")] = None,
) -> None:
    """Answer about 25 scenario questions (under 30 minutes); every answer is saved as you give it."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        if resume:
            attempt, token = assessments.get(db, token=resume), resume
        else:
            attempt, token = assessments.start(db, env.runtime)
        state = assessments.state(db, attempt)
        version = standards.resolve(db, attempt.standard_id, attempt.standard_version).version
    console.print(f"Your attempt token (keep it to resume or see the report): [bold]{token}[/bold]")
    if not state["self_ratings"]:
        console.print("\nFirst, rate yourself per domain: 0 not yet, 1 developing, 2 ready, 3 advanced.")
        ratings = {}
        for domain in version.domains:
            ratings[domain.id] = _ask(f"  {domain.title}", {"0": 0, "1": 1, "2": 2, "3": 3})
        with env.unit_of_work() as db:
            assessments.rate_self(db, env.runtime, token=token, ratings=ratings)
    for n, q in enumerate(state["questions"], start=1):
        if q["saved_answer"]:
            continue
        console.print(f"\n[bold]{n}/{state['total']}  {q['title']}[/bold]\n{q['stem']}")
        for o in q["options"]:
            console.print(f"  {o['id']}) {o['text']}")
        hint = {
            "single": "one letter",
            "multiple": "letters, e.g. a c",
            "defects": "the defects' letters, e.g. b d",
            "ordering": "every letter in order, e.g. c a d b",
        }[q["kind"]]
        while True:
            raw = typer.prompt(f"Your answer ({hint})")
            choice = raw.replace(",", " ").split()
            confidence = _ask("How sure are you? 1=25% 2=50% 3=75% 4=100%", CONFIDENCE)
            try:
                with env.unit_of_work() as db:
                    assessments.answer(
                        db, env.runtime, token=token, item_id=q["id"], choice=choice, confidence=confidence
                    )
                break
            except ValidationFailed as exc:
                console.print(f"[red]{exc.message}[/red]")
    with env.unit_of_work() as db:
        report = assessments.submit(db, env.runtime, token=token, target_role=role)
    _summary(report)


def _ask(question: str, choices: dict[str, T]) -> T:
    """Ask until the answer is one of the choices."""
    while True:
        raw = str(typer.prompt(question)).strip()
        if raw in choices:
            return choices[raw]
        console.print(f"[red]Type one of {', '.join(choices)}.[/red]")


def _summary(report: dict[str, Any]) -> None:
    console.print(
        f"\n[bold]Readiness against standard {report['standard_version']}[/bold] (target role: {report['target_role']})"
    )
    for d in report["domains"]:
        low, high = d["percent_interval"]
        flag = " (indicative)" if d["indicative"] else ""
        console.print(f"  {d['title']:<45} {d['level']:<11} {d['percent']:>3}%  [{low}–{high}]{flag}")
    cal = report["calibration"]
    console.print(
        f"\nSelf-rating gap (self − assessed, mean): {cal['self_gap_mean']}; overconfidence: {cal['overconfidence']}; Brier: {cal['brier']}"
    )
    console.print(f"Domains at target: {report['percent_to_target']}%")
    for g in report["gaps"][:3]:
        console.print(
            f"  Close first: {g['title']} ({g['assessed']} → {g['target']}): start with {g['controls'][0]['control']} {g['controls'][0]['title']}"
        )


class ReportFormat(StrEnum):
    json = "json"
    pdf = "pdf"
    csv = "csv"
    xlsx = "xlsx"


@app.command("report")
@friendly_errors
def report(
    ctx: typer.Context,
    token: str,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", help="json (the whole report), pdf (the profile), csv or xlsx (the action plan)."),
    ] = ReportFormat.json,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (pdf and xlsx need one).")
    ] = None,
) -> None:
    """A submitted attempt's report: JSON (the profile and every question's rationale), PDF, or the plan."""
    env = env_of(ctx)
    if fmt in (ReportFormat.pdf, ReportFormat.xlsx) and output is None:
        raise ValidationFailed(f"A {fmt.value.upper()} file is binary: name where to write it with --output FILE.")
    with env.unit_of_work() as db:
        data = assessments.report(db, token=token)
    content: bytes
    if fmt is ReportFormat.pdf:
        role = assessments.role_targets().get(data["target_role"], {}).get("label", "")
        content = profile_pdf(data, generated_at=env.runtime.clock.now(), role_label=role)
    elif fmt is ReportFormat.xlsx:
        content = action_plan_xlsx(assessments.action_plan_rows(data), data)
    elif fmt is ReportFormat.csv:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(assessments.action_plan_rows(data))
        content = out.getvalue().encode()
    else:
        content = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
    if output is None:
        sys.stdout.write(content.decode())
        return
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise ValidationFailed(f"Could not write {output}: {exc.strerror}.") from None
    console.print(f"Wrote {output} ({len(content):,} bytes).")


@app.command("compare")
@friendly_errors
def compare(ctx: typer.Context, first: str, second: str) -> None:
    """Compare two submitted attempts by their tokens: what moved, and what the standard changed in between."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        result = assessments.compare_tokens(db, token=first, other=second)
    console.print(
        f"Earlier: {result['before_submitted'][:10]} (version {result['before_version']}); "
        f"later: {result['after_submitted'][:10]} (version {result['after_version']})."
    )
    for d in result["domains"]:
        before = f"{d['before']['level']} {d['before']['percent']}%" if d["before"]["level"] else "—"
        after = f"{d['after']['level']} {d['after']['percent']}%" if d["after"]["level"] else "—"
        console.print(f"  {d['title']}: {before} → {after}. {d['reading']}", markup=False)
