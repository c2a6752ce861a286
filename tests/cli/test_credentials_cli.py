"""The registrar's command line, end to end: decide, approve, issue, export, verify offline, revoke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli.main import app

runner = CliRunner()
PASSWORD = "lantern-orbit-cedar-71"


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSAY_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ASSAY_BASE_URL", "https://assay.example.org")

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--database-url", database_url, "--data-dir", str(tmp_path / "data"), *args])

    assert invoke("db", "upgrade").exit_code == 0
    assert invoke("standard", "import").exit_code == 0
    for name in ("rev", "reg", "sam"):
        assert (
            invoke(
                "users", "create", "--email", f"{name}@example.org", "--name", name, "--password", PASSWORD
            ).exit_code
            == 0
        )
    invoke("users", "grant", "--email", "rev@example.org", "--role", "reviewer")
    invoke("users", "grant", "--email", "reg@example.org", "--role", "registrar")
    return invoke


def offline_args(bundle: Path) -> list[str]:
    args = ["--did-document", str(bundle / "did.json")]
    for path in sorted(bundle.glob("status-*.json")):
        args += ["--status-list", f"{path.with_suffix('.url').read_text()}={path}"]
    return args


def test_issue_verify_revoke(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    decided = cli(
        "credentials",
        "decide",
        "--programme",
        "foundation",
        "--grader",
        "rev@example.org",
        "--candidate",
        "sam@example.org",
        "--result",
        "exam-score=77",
        "--rationale",
        "Passed the exam.",
    )
    assert decided.exit_code == 0, decided.output
    decision_id = decided.output.split()[1]
    refused = cli("credentials", "issue", decision_id)
    assert refused.exit_code == 1 and "not approved" in refused.output
    assert cli("credentials", "approve", decision_id, "--registrar", "rev@example.org").exit_code == 1
    assert cli("credentials", "approve", decision_id, "--registrar", "reg@example.org").exit_code == 0
    issued = cli("credentials", "issue", decision_id)
    assert issued.exit_code == 0, issued.output
    public_id = issued.output.split()[1]
    assert "Nothing new" in cli("credentials", "issue", decision_id).output

    bundle = tmp_path / "bundle"
    credential = tmp_path / "credential.json"
    assert cli("credentials", "export", public_id, "-o", str(credential), "--bundle", str(bundle)).exit_code == 0
    valid = runner.invoke(app, ["verify", str(credential), *offline_args(bundle)])
    assert valid.exit_code == 0, valid.output
    assert "VALID" in valid.output
    as_json = json.loads(runner.invoke(app, ["verify", str(credential), "--json", *offline_args(bundle)]).output)
    assert as_json["verdict"] == "valid" and len(as_json["checks"]) == 6

    unknown = runner.invoke(app, ["verify", str(credential)])
    assert unknown.exit_code == 2 and "COULD NOT CHECK" in unknown.output

    revoked = cli("credentials", "revoke", public_id, "--registrar", "reg@example.org", "--reason", "Misconduct")
    assert revoked.exit_code == 0, revoked.output
    bundle2 = tmp_path / "bundle2"
    cli("credentials", "export", public_id, "-o", str(credential), "--bundle", str(bundle2))
    invalid = runner.invoke(app, ["verify", str(credential), *offline_args(bundle2)])
    assert invalid.exit_code == 1 and "revoked" in invalid.output
    assert "entries verified" in cli("audit", "verify").output


def test_the_transparency_log_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    decided = cli(
        "credentials",
        "decide",
        "--programme",
        "foundation",
        "--grader",
        "rev@example.org",
        "--candidate",
        "sam@example.org",
        "--result",
        "exam-score=77",
        "--rationale",
        "Passed the exam.",
    )
    decision_id = decided.output.split()[1]
    cli("credentials", "approve", decision_id, "--registrar", "reg@example.org")
    public_id = cli("credentials", "issue", decision_id).output.split()[1]
    bundle = tmp_path / "bundle"
    assert cli("credentials", "export", public_id, "--bundle", str(bundle)).exit_code == 0
    kept = bundle / "credential-with-proof.json"
    # The holder's kept proof checks offline, and against the registry as it grows.
    checked = runner.invoke(app, ["log", "check-proof", str(kept), "--did-document", str(bundle / "did.json")])
    assert checked.exit_code == 0, checked.output
    cli("credentials", "revoke", public_id, "--registrar", "reg@example.org", "--reason", "Misconduct")
    assert cli("log", "head", "--sign").exit_code == 0
    assert cli("log", "check-proof", str(kept), "--against-registry").exit_code == 0
    forged = json.loads(kept.read_text())
    forged["credential"]["name"] = "Something grander"
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    refused = runner.invoke(
        app, ["log", "check-proof", str(tmp_path / "forged.json"), "--did-document", str(bundle / "did.json")]
    )
    assert refused.exit_code == 1 and "not this credential" in refused.output
    # A copy of the whole log checks out end to end, offline; an edited copy does not.
    copy, did = tmp_path / "log.json", tmp_path / "did.json"
    assert cli("log", "export", "-o", str(copy), "--did-document", str(did)).exit_code == 0
    assert runner.invoke(app, ["log", "verify", str(copy), "--did-document", str(did)]).exit_code == 0
    assert cli("log", "verify").exit_code == 0
    edited = json.loads(copy.read_text())
    edited["entries"][1]["data"] = edited["entries"][1]["data"].replace("issued", "revoked")
    copy.write_text(json.dumps(edited))
    broken = runner.invoke(app, ["log", "verify", str(copy), "--did-document", str(did)])
    assert broken.exit_code == 1 and "does not hash" in broken.output
    copy.write_text("{not json")
    assert runner.invoke(app, ["log", "verify", str(copy), "--did-document", str(did)]).exit_code == 2


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"{not json", 1, "not valid JSON"),
        (b"[]", 1, "JSON object"),
        (b'{"@context": [], "type": ["VerifiableCredential"]}', 1, "there is no proof"),
        (b"[" * 5000 + b"]" * 5000, 1, "deeper"),
    ],
)
def test_bad_files_are_precise_failures(tmp_path: Path, content: bytes, code: int, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_verify_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{}")
    assert runner.invoke(app, ["verify", str(path), "--now", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["verify", str(path), "--status-list", "nofile"]).exit_code == 2
    assert runner.invoke(app, ["verify", str(tmp_path / "missing.json")]).exit_code == 2


def test_keys_rotate_and_did_document(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("keys", "rotate").exit_code == 0
    assert cli("keys", "rotate").exit_code == 0
    doc = json.loads(cli("keys", "did-document").output)
    assert doc["id"] == "did:web:assay.example.org"
    assert [m["id"].rsplit("#", 1)[1] for m in doc["verificationMethod"]] == ["key-1", "key-2", "key-3"]
    assert len(doc["assertionMethod"]) == 3  # retired keys still verify what they signed
    listing = cli("keys", "list").output
    assert listing.count("retired") == 2 and "active" in listing


def test_bulk_issuance_from_csv_reports_every_bad_row_then_issues_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        cli("users", "create", "--email", f"c{n}@example.org", "--name", f"Candidate {n}", "--password", PASSWORD)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email,result:exam-score,evidence\n"
        "c0@example.org,80,https://x.example/e/0\n"
        "nobody@example.org,70,\n"
        "c1@example.org,75,ftp://not-a-web-link\n"
        "c0@example.org,80,\n"
    )
    refused = cli(
        "credentials",
        "decide",
        "--programme",
        "foundation",
        "--grader",
        "rev@example.org",
        "--rationale",
        "Cohort 7.",
        "--csv",
        str(bad),
    )
    assert refused.exit_code == 1
    text = " ".join(refused.output.split())
    assert "3 of 4 rows need fixing; nothing was recorded" in text
    assert "nobody@example.org" in text and "ftp://not-a-web-link" in text and "twice" in text
    good = tmp_path / "good.csv"
    good.write_text("email,result:exam-score\n" + "".join(f"c{n}@example.org,{70 + n}\n" for n in range(5)))
    decided = cli(
        "credentials",
        "decide",
        "--programme",
        "foundation",
        "--grader",
        "rev@example.org",
        "--rationale",
        "Cohort 7.",
        "--csv",
        str(good),
    )
    assert decided.exit_code == 0, decided.output
    decision_id = decided.output.split()[1]
    cli("credentials", "approve", decision_id, "--registrar", "reg@example.org")
    first = cli("credentials", "issue", decision_id)
    assert first.exit_code == 0 and first.output.count("issued ") == 5
    again = cli("credentials", "issue", decision_id)
    assert again.exit_code == 0 and "Nothing new to issue" in again.output  # idempotent


def test_audit_verify_catches_a_recomputed_chain_through_the_log_anchor(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from assay.core.audit import hash_of
    from assay.db.models import AuditEntry
    from assay.services import audit

    assert cli("log", "head", "--sign").exit_code == 0  # anchors the audit trail's head in the log
    assert cli("audit", "verify").exit_code == 0
    engine = create_engine(database_url)
    with Session(engine) as db:
        entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        entries[0].details = '{"role": "admin"}'  # rewrite history...
        prev = entries[0].prev_hash
        for entry in entries:  # ...and recompute every later hash, so the chain checks out on its own
            entry.prev_hash = prev
            entry.entry_hash = hash_of(audit.as_record(entry))
            prev = entry.entry_hash
        db.commit()
    engine.dispose()
    caught = cli("audit", "verify")
    assert caught.exit_code == 1 and "anchored in the transparency log" in " ".join(caught.output.split())
