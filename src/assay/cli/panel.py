"""`assay panel` (founding seats, assignment, reminders, calibration, agreement), `assay items`
(item analysis, pilots, promotion) and `assay angoff` (standard setting), acting for a named person."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assay.cli.certification import _principal
from assay.cli.context import console, env_of, friendly_errors
from assay.core.certification.tasks import DIMENSIONS
from assay.core.errors import ValidationFailed
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import panel as panel_repo
from assay.services import angoff, calibration, item_analysis, panel

panel_app = typer.Typer(
    help="The review panel: seats, assignment, reminders, calibration, agreement.", no_args_is_help=True
)
items_app = typer.Typer(help="Item analysis of exam forms, and pilot items.", no_args_is_help=True)
angoff_app = typer.Typer(help="Modified-Angoff standard setting.", no_args_is_help=True)


def _f(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


@panel_app.command("seat")
@friendly_errors
def seat(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="The reviewer to seat.")],
    programme: Annotated[str, typer.Option(help="Programme whose work they may review.")],
    reason: Annotated[str, typer.Option(help="Why this person (recorded).")],
    registrar: Annotated[str, typer.Option(help="Email of the registrar seating them.")],
) -> None:
    """Seat a founding panellist (before enough reviewers hold the credential)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        row = panel.seat_founding(
            db, env.runtime, registrar=_principal(db, registrar), email=email, programme_id=programme, reason=reason
        )
    console.print(f"Seated: {row.id}.")


@panel_app.command("assign")
@friendly_errors
def assign(ctx: typer.Context) -> None:
    """Send reminders, pass overdue reviews on, and assign reviewers to work that waited (the daily job)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        reminded, expired = panel.reminders(db, env.runtime)
    console.print(
        f"Reminded {reminded}; passed on {expired} overdue reviews; waiting work assigned where a reviewer was free."
    )


@panel_app.command("calibrate")
@friendly_errors
def calibrate(
    ctx: typer.Context,
    task: Annotated[str, typer.Argument(help="Task whose anchors every eligible reviewer scores.")],
    registrar: Annotated[str, typer.Option(help="Email of the registrar opening the round.")],
) -> None:
    """Open a calibration round: every eligible reviewer scores the task's anchors, blind."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        n = calibration.open_calibration(db, env.runtime, principal=_principal(db, registrar), task_id=task)
    console.print(f"Calibration round open: {n} anchor reviews assigned.")


@panel_app.command("agreement")
@friendly_errors
def agreement(
    ctx: typer.Context,
    programme: Annotated[str | None, typer.Option(help="Only this programme's work.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Krippendorff's alpha (ordinal) per dimension, and weighted kappa per pair of reviewers."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        report = calibration.agreement(db, programme_id=programme)
        names = {u.id: u.email for u in account_repo.all_users(db)}
    if as_json:
        clean = json.loads(json.dumps(report, default=lambda x: None).replace("NaN", "null"))
        console.print_json(json.dumps(clean))
        return
    console.print(f"{report['units']} submissions, {report['reviews']} reviews.")
    table = Table("", *DIMENSIONS)
    table.add_row("alpha (ordinal)", *(_f(report["alpha"][d]) for d in DIMENSIONS))
    for p in report["pairs"]:
        table.add_row(
            f"kappa {names.get(p['a'])} · {names.get(p['b'])} ({p['shared']})", *(_f(p["kappa"][d]) for d in DIMENSIONS)
        )
    console.print(table)


@items_app.command("analysis")
@friendly_errors
def analysis(
    ctx: typer.Context,
    form: Annotated[str, typer.Argument(help="Exam form ID (see `assay exam forms`).")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the per-item table as CSV here.")] = None,
) -> None:
    """Item statistics of one exam form (and, with --csv, the per-item table)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        report = item_analysis.analyse_form(db, form)
    if not report["enough"]:
        raise ValidationFailed(f"Form {form} has {report['candidates']} scored attempts; at least two are needed.")
    console.print(
        f"{report['candidates']} candidates, {report['scored_items']} scored items: alpha {_f(report['alpha'])}, SEM {_f(report['sem'])}, mean {_f(report['mean'])}, SD {_f(report['sd'])}."
    )
    table = Table("Item", "Facility", "Disc. index", "Disc. eff.", "D (27%)", "Pt-biserial", "Flags")
    for row in report["items"]:
        table.add_row(
            row["item"] + ("" if row["scored"] else " (pilot)"),
            _f(row["facility"]),
            _f(row["discrimination_index"]),
            _f(row["discriminative_efficiency"]),
            _f(row["upper_lower_d"]),
            _f(row["point_biserial"]),
            "; ".join(row["flags"]),
        )
    console.print(table)
    if csv_out is not None:
        csv_out.write_text(item_analysis.as_csv(report), encoding="utf-8")
        console.print(f"Wrote {csv_out}.")


@items_app.command("pilots")
@friendly_errors
def pilots(ctx: typer.Context) -> None:
    """Pilot items with their pooled statistics and what still stands in the way of promotion."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        rows = item_analysis.pilots(db)
    table = Table("Item", "Responses", "Facility", "Item–rest", "Status")
    for p in rows:
        table.add_row(
            p["item"],
            str(p["stats"]["responses"]),
            _f(p["stats"]["facility"]),
            _f(p["stats"]["item_rest"]),
            "operational" if p["promoted"] else ("; ".join(p["problems"]) or "may be promoted"),
        )
    console.print(table)


@items_app.command("promote")
@friendly_errors
def promote(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="The pilot item, e.g. IG-S-017@1.")],
    editor: Annotated[str, typer.Option(help="Email of the standards editor deciding.")],
    note: Annotated[str, typer.Option(help="What you checked beyond the statistics.")],
) -> None:
    """Make a pilot item operational, only past the documented thresholds (recorded)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        item_analysis.promote(db, env.runtime, editor=_principal(db, editor), item_ref=item, note=note)
    console.print(f"{item} is operational; reassemble forms to use it (`assay exam assemble`).")


@angoff_app.command("open")
@friendly_errors
def open_study(
    ctx: typer.Context,
    form: Annotated[str, typer.Argument(help="Exam form ID.")],
    judges: Annotated[str, typer.Option(help="Judges' emails, comma-separated (reviewers, at least three).")],
    editor: Annotated[str, typer.Option(help="Email of the standards editor running the study.")],
) -> None:
    """Open a modified-Angoff study of a form with at least three judges."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        study = angoff.open_study(
            db,
            env.runtime,
            editor=_principal(db, editor),
            form_id=form,
            judge_emails=[e.strip() for e in judges.split(",") if e.strip()],
        )
    console.print(f"Study {study.id} open; judges rate at {env.settings.base_url.rstrip('/')}/angoff/{study.id}")


@angoff_app.command("close")
@friendly_errors
def close(
    ctx: typer.Context,
    study: Annotated[str, typer.Argument()],
    editor: Annotated[str, typer.Option(help="Email of the standards editor.")],
    last: Annotated[bool, typer.Option("--last", help="Close without opening another round.")] = False,
) -> None:
    """Close the open round (every judge must have rated every item) and report the panel's cut."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        result = angoff.close_round(db, env.runtime, editor=_principal(db, editor), study_id=study, another=not last)
    console.print(
        f"Panel cut {result['cut']:.2f} of {result['items']} ({result['cut_percent']:.1f}%), SE {result['se']:.2f}, {result['judges']} judges."
    )


@angoff_app.command("adopt")
@friendly_errors
def adopt(
    ctx: typer.Context,
    study: Annotated[str, typer.Argument()],
    editor: Annotated[str, typer.Option(help="Email of the standards editor.")],
) -> None:
    """Set the form's cut from the study's last closed round (recorded)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        form = angoff.adopt(db, env.runtime, editor=_principal(db, editor), study_id=study)
    console.print(f"Form {form.id}: cut {form.cut_percent:g}% ({form.cut_source}).")


@angoff_app.command("list")
@friendly_errors
def list_studies(ctx: typer.Context) -> None:
    """Standard-setting studies, their state and adopted cut."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        table = Table("Study", "Form", "State", "Cut")
        for s in panel_repo.studies(db):
            table.add_row(s.id, s.form_id, s.state, f"{s.cut_percent:g}%" if s.cut_percent else "—")
        console.print(table)
