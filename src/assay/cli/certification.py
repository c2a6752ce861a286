"""`assay programmes`, `assay exam` and `assay cases`: the certification path from the terminal.

Commands that act for a person name them (--assessor, --registrar, --editor) and go through the same
services, permissions and separation of duties as the web app."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from assay.cli.context import console, env_of, friendly_errors
from assay.core.accounts import normalise_email
from assay.core.errors import NotFound, ValidationFailed
from assay.core.roles import Principal
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import certification as repo
from assay.services import cases, exams, interviews
from assay.services import programmes as content
from assay.services.accounts import principal_for

programmes_app = typer.Typer(help="Credential programmes.", no_args_is_help=True)
exam_app = typer.Typer(help="Exams: forms, the secure pool, item flags, closing and releasing.", no_args_is_help=True)
cases_app = typer.Typer(help="Decision records: recommend, approve, reject, appeals.", no_args_is_help=True)
interviews_app = typer.Typer(help="Panel interview slots.", no_args_is_help=True)


def _principal(db: Session, email: str) -> Principal:
    user = account_repo.user_by_email(db, normalise_email(email))
    if user is None:
        raise NotFound(f"No account uses {email}.")
    return principal_for(db, user)


@programmes_app.command("list")
@friendly_errors
def programmes_list() -> None:
    """Every programme, lowest rung first."""
    table = Table("Programme", "Name", "For", "Exam", "Tasks", "Interview", "Needs")
    for p in content.all_programmes():
        exam = f"{p.exam.items}+{p.exam.pilot_items} items, {p.exam.minutes} min" if p.exam else "—"
        table.add_row(
            p.id,
            p.name,
            p.holder,
            exam,
            ", ".join(p.tasks) or "—",
            "yes" if p.interview else "—",
            ", ".join(p.prerequisites) or "—",
        )
    console.print(table)


@programmes_app.command("show")
@friendly_errors
def programmes_show(programme: Annotated[str, typer.Argument(help="Programme ID.")]) -> None:
    """The programme as data (JSON)."""
    console.print_json(json.dumps(content.programme(programme).model_dump(mode="json")))


@exam_app.command("pool")
@friendly_errors
def pool() -> None:
    """The secure pool by domain: operational and pilot items."""
    summary = exams.pool_summary()
    table = Table("Domain", "Operational", "Pilot", title=f"Secure pool, standard {summary['standard_version']}")
    for d, counts in summary["by_domain"].items():
        table.add_row(d, str(counts["operational"]), str(counts["pilot"]))
    console.print(table)


@exam_app.command("assemble")
@friendly_errors
def assemble(
    ctx: typer.Context,
    programme: Annotated[str, typer.Argument(help="Programme ID, e.g. foundation.")],
    seed: Annotated[str | None, typer.Option(help="Fix the draw (for a reproducible set of forms).")] = None,
) -> None:
    """Retire the programme's forms and assemble a new set to its blueprint."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        forms = exams.assemble(db, env.runtime, programme_id=programme, seed=seed)
        for f in forms:
            console.print(
                f"Form {f.id}: {len(json.loads(f.scored_refs))} scored + {len(json.loads(f.pilot_refs))} pilot items, mean facility {f.mean_facility:.3f}, cut {f.cut_percent:g}%"
            )


@exam_app.command("forms")
@friendly_errors
def forms(ctx: typer.Context, programme: Annotated[str | None, typer.Argument(help="Programme ID.")] = None) -> None:
    """Assembled forms, with how often each was delivered."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        table = Table("Form", "Programme", "State", "Deliveries", "Mean facility", "Cut")
        for f in repo.forms_of(db, programme):
            table.add_row(
                f.id, f.programme_id, f.state, str(f.deliveries), f"{f.mean_facility:.3f}", f"{f.cut_percent:g}%"
            )
        console.print(table)


@exam_app.command("sweep")
@friendly_errors
def sweep(ctx: typer.Context) -> None:
    """Close attempts whose time ran out and release results whose hold has passed."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        closed, released = exams.sweep(db, env.runtime)
    console.print(f"Closed {closed} attempts past their deadline; released {released} results.")


@exam_app.command("flags")
@friendly_errors
def flags(
    ctx: typer.Context, editor: Annotated[str, typer.Option(help="Email of the standards editor reading the queue.")]
) -> None:
    """The item review queue: open flags by item, most-flagged first."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        queue = exams.flag_queue(db, _principal(db, editor))
    if not queue:
        console.print("No open flags.")
    for entry in queue:
        console.print(f"[bold]{entry['item']}[/bold] {entry['title']} ({len(entry['flags'])} flags)")
        for f in entry["flags"]:
            console.print(f"  - {f['reason']}: {f['comment'] or '(no comment)'}")


@exam_app.command("resolve-flags")
@friendly_errors
def resolve_flags(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="The item reference, e.g. IG-S-004@1.")],
    resolution: Annotated[str, typer.Option(help="kept, revise or retire.")],
    note: Annotated[str, typer.Option(help="What was decided and why.")],
    editor: Annotated[str, typer.Option(help="Email of the standards editor deciding.")],
) -> None:
    """Close every open flag on an item with one recorded decision: kept, revise or retire."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        n = exams.resolve_flags(
            db, env.runtime, principal=_principal(db, editor), item_ref=item, resolution=resolution, note=note
        )
    console.print(f"Resolved {n} flags on {item} as {resolution}.")


@cases_app.command("list")
@friendly_errors
def cases_list(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="open, recommended, approved or rejected.")] = None,
) -> None:
    """Decision records, with their candidate, state and the passing rule's verdict."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        table = Table("Record", "Candidate", "Programme", "State", "Verdict")
        for c in repo.cases(db, state=state):
            view = cases.case_view(db, c)
            user = account_repo.user_by_id(db, c.user_id)
            verdict = view["verdict"].get("passed")
            table.add_row(
                c.id,
                user.email if user else "?",
                c.programme_id,
                c.state,
                {True: "pass", False: "not passed"}.get(verdict, "—"),
            )
        console.print(table)


@cases_app.command("show")
@friendly_errors
def cases_show(ctx: typer.Context, case_id: Annotated[str, typer.Argument()]) -> None:
    """A decision record with its evidence (JSON)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        row = repo.case(db, case_id)
        if row is None:
            raise NotFound(f"No decision record {case_id}.")
        console.print_json(json.dumps(cases.case_view(db, row)))


@cases_app.command("recommend")
@friendly_errors
def recommend(
    ctx: typer.Context,
    candidate: Annotated[str, typer.Option(help="The candidate's email.")],
    programme: Annotated[str, typer.Option(help="Programme ID.")],
    assessor: Annotated[str, typer.Option(help="Email of the assessor (a reviewer) recommending.")],
    note: Annotated[str, typer.Option(help="A note for the registrar.")] = "",
) -> None:
    """Gather the evidence, apply the passing rule and put the record to a registrar."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        row = cases.recommend(
            db,
            env.runtime,
            assessor=_principal(db, assessor),
            candidate_email=candidate,
            programme_id=programme,
            note=note,
        )
        verdict = json.loads(row.verdict)
    console.print(
        f"Record {row.id}: {'pass' if verdict['passed'] else 'not passed'}"
        + (f" ({'; '.join(verdict['reasons'])})" if verdict["reasons"] else "")
        + ". Put to a registrar."
    )


@cases_app.command("decide")
@friendly_errors
def decide(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument()],
    registrar: Annotated[str, typer.Option(help="Email of the registrar deciding (who graded nothing of it).")],
    rationale: Annotated[str, typer.Option(help="Why.")],
    approve: Annotated[bool, typer.Option("--approve/--reject", help="Approve and issue, or reject.")] = True,
) -> None:
    """Approve (and issue the credential) or reject a recommended record, as a registrar who graded nothing of it."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        who = _principal(db, registrar)
        if approve:
            _, issued = cases.approve(db, env.runtime, registrar=who, case_id=case_id, rationale=rationale)
            base = env.settings.base_url.rstrip("/")
            console.print(
                f"Approved. Credential issued: {', '.join(f'{base}/credentials/{c.public_id}' for c in issued)}"
            )
        else:
            cases.reject(db, env.runtime, registrar=who, case_id=case_id, rationale=rationale)
            console.print("Rejected; the candidate can appeal within 30 days.")


@cases_app.command("decide-appeal")
@friendly_errors
def decide_appeal(
    ctx: typer.Context,
    appeal_id: Annotated[str, typer.Argument()],
    registrar: Annotated[str, typer.Option(help="Email of a registrar who took no part in the case.")],
    outcome: Annotated[str, typer.Option(help="The outcome the candidate reads.")],
    upheld: Annotated[bool, typer.Option("--uphold/--dismiss")] = False,
) -> None:
    """Uphold or dismiss an appeal, as a registrar who took no part in the case."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        row = cases.decide_appeal(
            db, env.runtime, registrar=_principal(db, registrar), appeal_id=appeal_id, upheld=upheld, outcome=outcome
        )
    console.print(f"Appeal {row.id} {row.state}.")


@interviews_app.command("create")
@friendly_errors
def create_slot(
    ctx: typer.Context,
    programme: Annotated[str, typer.Option(help="Programme ID with an interview (advanced).")],
    starts: Annotated[str, typer.Option(help="Start, ISO 8601 with offset, e.g. 2026-12-03T14:00:00+00:00.")],
    location: Annotated[str, typer.Option(help="Room or video link.")],
    panel: Annotated[str, typer.Option(help="Panellists' emails, comma-separated.")],
    registrar: Annotated[str, typer.Option(help="Email of the registrar creating the slot.")],
) -> None:
    """Open an interview slot with its panel of reviewers."""
    try:
        starts_at = datetime.fromisoformat(starts)
    except ValueError:
        raise ValidationFailed(
            f"“{starts}” is not an ISO 8601 date and time (e.g. 2026-12-03T14:00:00+00:00)."
        ) from None
    if starts_at.tzinfo is None:
        raise ValidationFailed("Give the start with its UTC offset, e.g. +00:00.")
    env = env_of(ctx)
    with env.unit_of_work() as db:
        slot = interviews.create_slot(
            db,
            env.runtime,
            principal=_principal(db, registrar),
            programme_id=programme,
            starts_at=starts_at,
            location=location,
            panel_emails=[e.strip() for e in panel.split(",") if e.strip()],
        )
    console.print(f"Slot {slot.id} open for booking.")


@interviews_app.command("list")
@friendly_errors
def list_slots(ctx: typer.Context, programme: Annotated[str | None, typer.Option()] = None) -> None:
    """Interview slots, their state and outcome."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        table = Table("Slot", "Programme", "Starts (UTC)", "State", "Outcome")
        for s in repo.slots(db, programme_id=programme):
            table.add_row(s.id, s.programme_id, s.starts_at.strftime("%Y-%m-%d %H:%M"), s.state, s.outcome or "—")
        console.print(table)
