"""`assay log`: the transparency log. Publish a head, export a copy, and check a copy or a holder's
proof end to end (exit 0 verified, 1 not, 2 could not read the input)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from assay.cli.context import console, env_of, err_console, friendly_errors
from assay.cli.verify import _read_json
from assay.core.credentials.multikey import key_resolver
from assay.core.errors import ValidationFailed
from assay.core.translog import merkle
from assay.core.translog.heads import HeadError, canonical, head_from_dict, head_signature_valid
from assay.services import keys, translog

app = typer.Typer(help="The transparency log.", no_args_is_help=True)


@app.command("head")
@friendly_errors
def head(
    ctx: typer.Context,
    sign: Annotated[bool, typer.Option("--sign", help="Sign a new head now (the scheduler does hourly).")] = False,
) -> None:
    """Print the latest signed tree head (JSON)."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        row = translog.publish_head(db, env.runtime) if sign else translog.latest_head(db)
        if row is None:
            err_console.print("The log has no signed tree head yet: run `assay log head --sign`.")
            raise typer.Exit(1)
        document = translog.head_document(row)
    console.print_json(json.dumps(document))


@app.command("export")
@friendly_errors
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the copy (JSON).")],
    did_output: Annotated[
        Path | None, typer.Option("--did-document", help="Also write the issuer's DID document here.")
    ] = None,
) -> None:
    """Write the whole log (every entry and head) for an independent check with `assay log verify`."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        data = translog.export(db)
        did = keys.did_document(db, env.runtime)
    output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    if did_output:
        did_output.write_text(json.dumps(did, indent=2) + "\n", encoding="utf-8")
    console.print(f"Wrote {len(data['entries'])} entries and {len(data['heads'])} heads to {output}.")


def _did_documents(ctx: typer.Context, path: Path | None) -> list[dict[str, Any]]:
    if path is not None:
        return [_read_json(path, "DID document")]
    env = env_of(ctx)
    with env.unit_of_work() as db:
        return [keys.did_document(db, env.runtime)]


@app.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="An export (assay log export); omit to check this registry's log.")
    ] = None,
    did_document: Annotated[
        Path | None, typer.Option(help="The issuer's DID document (offline); default: this registry's.")
    ] = None,
) -> None:
    """Recompute every leaf hash, every head's root and signature: the log end to end."""
    if file is not None:
        data: Any = _read_json(file, "log export")
    else:
        env = env_of(ctx)
        with env.unit_of_work() as db:
            data = translog.export(db)
    try:
        report = translog.check_export(data, _did_documents(ctx, did_document))
    except ValidationFailed as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(2) from None
    if report.ok:
        console.print(f"[green]OK[/green]: {report.entries} entries and {report.heads} signed heads check out.")
        return
    for problem in report.problems:
        err_console.print(f"[red]✗[/red] {problem}")
    raise typer.Exit(1)


@app.command("check-proof")
def check_proof(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A credential downloaded with its log proof (…-with-proof.json).")],
    did_document: Annotated[
        Path | None, typer.Option(help="The issuer's DID document (offline); default: this registry's.")
    ] = None,
    against_registry: Annotated[
        bool,
        typer.Option(
            "--against-registry", help="Also check the registry's current log is consistent with the kept head."
        ),
    ] = False,
) -> None:
    """Check a holder's kept proof: the credential's hash is the logged leaf, the leaf is in the kept head,
    the head is signed by the issuer, and (optionally) today's log still contains that head."""
    bundle = _read_json(file, "credential with proof")
    credential, proof = bundle.get("credential"), bundle.get("transparency")
    if not isinstance(credential, dict) or not isinstance(proof, dict):
        err_console.print(
            '[red]Error:[/red] expected {"credential": …, "transparency": …} (a download with its log proof).'
        )
        raise typer.Exit(2)
    try:
        kept = head_from_dict(proof["tree_head"])
        leaf = proof["leaf"]
        index = int(proof["leaf_index"])
        path = [bytes.fromhex(p) for p in proof["inclusion_proof"]]
    except (HeadError, KeyError, TypeError, ValueError) as exc:
        err_console.print(f"[red]Error:[/red] the proof is malformed: {exc}")
        raise typer.Exit(2) from None
    problems = []
    if leaf.get("event") != "credential.issued" or leaf.get("subject") != _document_hash(credential):
        problems.append("the logged leaf is not this credential's issuance")
    if not merkle.verify_inclusion(
        merkle.leaf_hash(canonical(leaf)), index, kept.tree_size, path, bytes.fromhex(kept.root_hash)
    ):
        problems.append("the inclusion proof does not lead to the kept head's root")
    key = key_resolver(_did_documents(ctx, did_document))(kept.key)
    if key is None or not head_signature_valid(kept, key):
        problems.append("the kept head is not signed by the issuer")
    if against_registry and not problems:
        env = env_of(ctx)
        with env.unit_of_work() as db:
            current = translog.latest_head(db)
            if kept.log != translog.log_url(env.runtime):
                problems.append(f"the kept head is from another log ({kept.log}), not this registry's")
            elif current is None or current.tree_size < kept.tree_size:
                problems.append("the registry's log is now smaller than the head you kept: it lost history")
            else:
                consistency = [
                    bytes.fromhex(p)
                    for p in translog.consistency_proof(db, old_size=kept.tree_size, new_size=current.tree_size)
                ]
                if not merkle.verify_consistency(
                    kept.tree_size,
                    current.tree_size,
                    bytes.fromhex(kept.root_hash),
                    bytes.fromhex(current.root_hash),
                    consistency,
                ):
                    problems.append(
                        "the registry's current log is not an extension of the head you kept: its history changed"
                    )
    if problems:
        for problem in problems:
            err_console.print(f"[red]✗[/red] {problem}")
        raise typer.Exit(1)
    console.print(f"[green]OK[/green]: logged as entry {index}, included in the signed head of size {kept.tree_size}.")


def _document_hash(credential: dict[str, Any]) -> str:
    """The registry hashes the document exactly as issued: compact JSON, keys in their signed order."""
    text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
