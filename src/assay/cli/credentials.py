"""`assay keys`, `assay credentials`, `assay statuslists`: the registrar's and operator's tools."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from assay.cli.context import console, env_of, err_console, friendly_errors
from assay.core.accounts import normalise_email
from assay.core.errors import NotFound, ValidationFailed
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import credentials as repo
from assay.services import issuance, keys, statuslists, translog
from assay.services.accounts import principal_for

keys_app = typer.Typer(help="The issuer's signing keys and DID document.", no_args_is_help=True)
credentials_app = typer.Typer(help="Issuance decisions and credentials.", no_args_is_help=True)
statuslists_app = typer.Typer(help="Revocation and suspension status lists.", no_args_is_help=True)


@keys_app.command("list")
@friendly_errors
def keys_list(ctx: typer.Context) -> None:
    """Every key the issuer has had, with its state."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        rows = keys.listing(db, env.runtime)
        table = Table("Verification method", "State", "Created", "Public key")
        for k in rows:
            table.add_row(
                f"{k.issuer_did}#{k.fragment}", k.state, k.created_at.date().isoformat(), k.public_key_multibase
            )
    console.print(
        table if rows else "No keys yet: the first is created on first issuance, or with `assay keys rotate`."
    )


@keys_app.command("rotate")
@friendly_errors
def keys_rotate(ctx: typer.Context) -> None:
    """Retire the active key and start signing with a new one (old credentials keep verifying)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        record = keys.rotate(db, env.runtime)
        console.print(f"Active key is now {record.issuer_did}#{record.fragment}.")


@keys_app.command("compromise")
@friendly_errors
def keys_compromise(
    ctx: typer.Context,
    fragment: Annotated[str, typer.Argument(help="The key's fragment, e.g. key-1 (see `assay keys list`).")],
    reason: Annotated[str, typer.Option(help="Why: kept in the audit trail.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Withdraw a key as compromised and destroy its private key. Credentials it signed stay valid only
    where the transparency log shows them before now."""
    if not yes:
        err_console.print("This withdraws the key for good and destroys its private key. Run again with --yes.")
        raise typer.Exit(1)
    env = env_of(ctx)
    with env.unit_of_work() as db:
        key = keys.compromise(db, env.runtime, fragment=fragment, reason=reason)
        active = keys.ensure_active_key(db, env.runtime)
        console.print(
            f"{key.issuer_did}#{key.fragment} is withdrawn as compromised; active key: {active.issuer_did}#{active.fragment}."
        )


@keys_app.command("did-document")
@friendly_errors
def did_document(ctx: typer.Context, output: Annotated[Path | None, typer.Option("-o", "--output")] = None) -> None:
    """Write the issuer's did:web DID document (what /.well-known/did.json serves)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        keys.ensure_active_key(db, env.runtime)
        text = json.dumps(keys.did_document(db, env.runtime), indent=2) + "\n"
    _write(text, output)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}")


def _results(pairs: list[str]) -> list[dict[str, str]]:
    out = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValidationFailed(f"--result takes DESCRIPTION=VALUE, got “{pair}”.")
        out.append({"description": name, "value" if name != "practical-outcome" else "status": value})
    return out


def _subjects_from_csv(path: Path) -> list[issuance.SubjectInput]:
    """CSV columns: email, then result:<description> columns, then evidence (space-separated URLs)."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc}") from None
    if not rows or "email" not in rows[0]:
        raise ValidationFailed(f"{path} needs a header row with an 'email' column.")
    subjects = []
    for n, row in enumerate(rows, start=2):
        email = (row.get("email") or "").strip()
        if not email:
            raise ValidationFailed(f"{path}, line {n}: the email is empty.")
        results = [
            {"description": k.split(":", 1)[1], "value": v.strip()}
            for k, v in row.items()
            if k and k.startswith("result:") and v and v.strip()
        ]
        evidence = [{"id": url, "name": "Evidence"} for url in (row.get("evidence") or "").split()]
        subjects.append(issuance.SubjectInput(email=email, results=results, evidence=evidence))
    return subjects


@credentials_app.command("decide")
@friendly_errors
def decide(
    ctx: typer.Context,
    programme: Annotated[str, typer.Option("--programme", help="Programme id, e.g. certified-ai-integrator.")],
    grader: Annotated[str, typer.Option("--grader", help="Email of the reviewer who graded.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why these people earned it.")],
    candidate: Annotated[list[str] | None, typer.Option("--candidate", help="Email (repeat for a batch).")] = None,
    from_csv: Annotated[Path | None, typer.Option("--csv", help="A batch: email, result:<id>..., evidence.")] = None,
    result: Annotated[list[str] | None, typer.Option("--result", help="DESCRIPTION=VALUE for every candidate.")] = None,
    evidence: Annotated[list[str] | None, typer.Option("--evidence", help="Evidence URL for every candidate.")] = None,
    standard_version: Annotated[str, typer.Option("--standard-version")] = "latest",
    renews: Annotated[
        str | None, typer.Option("--renews", help="The credential ID this renews (one --candidate only).")
    ] = None,
) -> None:
    """Record an issuance decision (pending until a registrar approves it)."""
    env = env_of(ctx)
    if bool(candidate) == bool(from_csv):
        raise ValidationFailed("Name the people with --candidate (repeatable) or with --csv: one of the two.")
    if renews is not None and (from_csv or len(candidate or []) != 1):
        raise ValidationFailed("--renews names one credential: give exactly one --candidate with it.")
    if from_csv:
        subjects = _subjects_from_csv(from_csv)
    else:
        shared_results = _results(result or [])
        shared_evidence = [{"id": url, "name": "Evidence"} for url in evidence or []]
        subjects = [
            issuance.SubjectInput(email=e, results=shared_results, evidence=shared_evidence, renews=renews)
            for e in candidate or []
        ]
    with env.unit_of_work() as db:
        if from_csv:  # report every row at once; record nothing unless every row is right
            problems = issuance.check_subjects(db, programme_id=programme, subjects=subjects, grader_email=grader)
            if any(problems):
                table = Table("Line", "Email", "Problem")
                for line, (subject, problem) in enumerate(zip(subjects, problems, strict=True), start=2):
                    if problem:
                        table.add_row(str(line), subject.email, problem)
                err_console.print(table)
                bad = sum(1 for p in problems if p)
                raise ValidationFailed(f"{bad} of {len(subjects)} rows need fixing; nothing was recorded.")
        decision = issuance.create_decision(
            db,
            env.runtime,
            programme_id=programme,
            subjects=subjects,
            graded_by_email=grader,
            rationale=rationale,
            standard_version=standard_version,
        )
        console.print(f"Decision {decision.id} recorded for {len(subjects)} person(s); a registrar must approve it.")


def _registrar(db: object, email: str):  # type: ignore[no-untyped-def]
    user = account_repo.user_by_email(db, normalise_email(email))  # type: ignore[arg-type]
    if user is None:
        raise NotFound(f"No account uses {email}.")
    return principal_for(db, user)  # type: ignore[arg-type]


RegistrarOpt = Annotated[str, typer.Option("--registrar", help="Email of the registrar acting.")]


@credentials_app.command("approve")
@friendly_errors
def approve(ctx: typer.Context, decision_id: str, registrar: RegistrarOpt) -> None:
    """Approve a pending decision, as a registrar who did not grade it."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        issuance.approve(db, env.runtime, registrar=_registrar(db, registrar), decision_id=decision_id)
    console.print(f"Decision {decision_id} approved. Issue it with `assay credentials issue {decision_id}`.")


ISSUE_BATCH = 500


@credentials_app.command("issue")
@friendly_errors
def issue(ctx: typer.Context, decision_id: str) -> None:
    """Sign the credentials of an approved decision (running it again issues nothing twice)."""
    env = env_of(ctx)
    report: list[str] = []
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("Signing", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        while True:  # batches, each its own transaction: a crash loses at most one batch, and a re-run resumes
            with env.unit_of_work() as db:
                issued = issuance.issue(db, env.runtime, decision_id=decision_id, progress=step, limit=ISSUE_BATCH)
                # One line per credential: the run's row-by-row report (nothing is signed twice).
                report += [f"issued {c.public_id}  ({c.programme_id}, standard {c.standard_version})" for c in issued]
            if len(issued) < ISSUE_BATCH:
                break
    with env.unit_of_work() as db:
        statuslists.publish(db, env.runtime)
    for line in report:
        console.print(line)
    if not report:
        console.print("Nothing new to issue: every person in this decision already has their credential.")


def _state_command(action: str):  # type: ignore[no-untyped-def]
    @friendly_errors
    def command(
        ctx: typer.Context,
        credential_id: Annotated[str, typer.Argument(help="The credential's public ID.")],
        registrar: RegistrarOpt,
        reason: Annotated[str, typer.Option("--reason", help="Kept in the audit trail.")],
    ) -> None:
        env = env_of(ctx)
        with env.unit_of_work() as db:
            credential = issuance.change_state(
                db,
                env.runtime,
                registrar=_registrar(db, registrar),
                public_id=credential_id,
                action=action,
                reason=reason,
            )
            statuslists.publish(db, env.runtime)
        console.print(f"{credential_id} is now {credential.state}; status lists re-signed.")

    command.__doc__ = {
        "revoke": "Revoke a credential for good.",
        "suspend": "Suspend a credential (reversible).",
        "reinstate": "Lift a suspension.",
    }[action]
    return command


for _action in ("revoke", "suspend", "reinstate"):
    credentials_app.command(_action)(_state_command(_action))


@credentials_app.command("list")
@friendly_errors
def list_credentials(ctx: typer.Context) -> None:
    """Issued credentials and their state."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        rows = repo.all_credentials(db)
        table = Table("Programme", "Standard", "State", "Issued", "Valid until")
        table.add_column("Public ID", no_wrap=True)  # copied into other commands: never truncated
        for c in rows:
            until = c.valid_until.date().isoformat() if c.valid_until else ""
            table.add_row(
                c.programme_id, c.standard_version, c.state, c.issued_at.date().isoformat(), until, c.public_id
            )
    console.print(table)


@credentials_app.command("export")
@friendly_errors
def export_credential(
    ctx: typer.Context,
    credential_id: str,
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Also write the DID document, status lists and the transparency-log proof here, for offline checks.",
        ),
    ] = None,
) -> None:
    """Write a signed credential (and optionally what an offline verifier needs)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        credential = repo.credential(db, credential_id)
        if credential is None:
            raise NotFound("No credential has that ID.")
        text = json.dumps(issuance.document_of(credential), indent=2, ensure_ascii=False) + "\n"
        if bundle:
            bundle.mkdir(parents=True, exist_ok=True)
            (bundle / "did.json").write_text(json.dumps(keys.did_document(db, env.runtime), indent=2))
            for n, (url, doc) in enumerate(sorted(statuslists.all_published(db, env.runtime).items())):
                (bundle / f"status-{n}.json").write_text(json.dumps(doc, indent=2))
                (bundle / f"status-{n}.url").write_text(url)
            proof = translog.proof_bundle(db, event="credential.issued", subject=credential.document_sha256)
            if proof is not None:  # check with: assay log check-proof <bundle>/credential-with-proof.json
                kept = {"credential": issuance.document_of(credential), "transparency": proof}
                (bundle / "credential-with-proof.json").write_text(json.dumps(kept, indent=2, ensure_ascii=False))
    _write(text, output)


@statuslists_app.command("publish")
@friendly_errors
def publish(
    ctx: typer.Context, force: Annotated[bool, typer.Option("--force", help="Re-sign every list now.")] = False
) -> None:
    """Sign the lists that changed or lapse soon (the scheduler does this hourly)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        statuslists.ensure_lists(db, env.runtime)
        signed = statuslists.publish(db, env.runtime, force=force)
    console.print(f"signed {len(signed)} list(s)" + (f": {', '.join(signed)}" if signed else ""))
