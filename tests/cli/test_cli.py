"""The operator's command line, on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from assay.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSAY_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ASSAY_ENVIRONMENT", "test")

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--database-url", database_url, "--data-dir", str(tmp_path), *args], input=input)

    return invoke


def test_users_create_grant_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    created = cli(
        "users", "create", "--email", "ada@example.org", "--name", "Ada Okafor", "--password", "lantern-orbit-cedar-71"
    )
    assert created.exit_code == 0, created.output
    granted = cli("users", "grant", "--email", "ada@example.org", "--role", "registrar")
    assert granted.exit_code == 0, granted.output
    assert "now holds Registrar" in granted.output
    again = cli("users", "grant", "--email", "ada@example.org", "--role", "registrar")
    assert "already held" in again.output
    listing = cli("users", "list")
    assert "ada@example.org" in listing.output and "Registrar" in listing.output


def test_password_prompt(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "users",
        "create",
        "--email",
        "sam@example.org",
        "--name",
        "Sam",
        input="lantern-orbit-cedar-71\nlantern-orbit-cedar-71\n",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "grant", "--email", "ghost@example.org", "--role", "reviewer"), "No account uses"),
        (("users", "grant", "--email", "ada@example.org", "--role", "wizard"), "Unknown role"),
        (("users", "grant", "--email", "ada@example.org", "--role", "org_manager"), "--org"),
        (("users", "create", "--email", "bad", "--name", "X", "--password", "lantern-orbit-cedar-71"), "email address"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    cli("users", "create", "--email", "ada@example.org", "--name", "Ada", "--password", "lantern-orbit-cedar-71")
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_audit_verify_detects_tampering(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    for name in ("ada", "sam", "lee"):
        cli("users", "create", "--email", f"{name}@example.org", "--name", name, "--password", "lantern-orbit-cedar-71")
    ok = cli("audit", "verify")
    assert ok.exit_code == 0 and "3 entries verified" in ok.output
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET subject_id = 'someone-else' WHERE seq = 2"))
    engine.dispose()
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert "BROKEN" in broken.output and "entry 2" in broken.output


def test_demo_loads_once_and_jobs_run(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = cli("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "Demo data loaded" in first.output
    # The demo's readiness data works from the command line: a comparison, a PDF, the team campaign.
    text = " ".join(first.output.split())
    earlier, later = re.search(r"assay assessment compare (\S+) (\S+)", text).groups()  # type: ignore[union-attr]
    compared = cli("assessment", "compare", earlier, later)
    assert compared.exit_code == 0 and re.search(r"[+-]\d+ points", compared.output), compared.output
    pdf = tmp_path / "lee.pdf"
    assert cli("assessment", "report", later, "--format", "pdf", "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes()[:4] == b"%PDF"
    refused = cli("assessment", "report", later, "--format", "xlsx")
    assert refused.exit_code == 1 and "--output" in refused.output
    campaign_id = re.search(r"/orgs/northwind/campaigns/([0-9A-Z]{26})", text).group(1)  # type: ignore[union-attr]
    listed = cli("campaign", "list", "northwind").output
    assert campaign_id in listed and "Q4 2026" in listed
    team = cli("campaign", "team", campaign_id, "--format", "csv")
    assert team.exit_code == 0 and "Inês Duarte" in team.output and team.output.startswith("domain,title,members")
    # The certification path: an approved record with its credential, a rejected one under appeal,
    # a flagged question in the review queue, an open interview slot.
    assert "/programmes" in text and "/admin/certification" in text
    records = cli("cases", "list").output
    assert "approved" in records and "rejected" in records and "lee@" in records
    assert "More than one option is correct" in cli("exam", "flags", "--editor", "editor@assay.example").output
    assert "open" in cli("interviews", "list").output
    assert cli("exam", "forms", "foundation").output.count("active") == 3
    # Panel review and standard setting: agreement so far, the cohort's item analysis, an Angoff study.
    assert "submissions" in cli("panel", "agreement").output
    form_id = re.search(r"/admin/item-analysis/([0-9a-f]{24})", text).group(1)  # type: ignore[union-attr]
    analysed = cli("items", "analysis", form_id, "--csv", str(tmp_path / "items.csv"))
    assert analysed.exit_code == 0 and re.search(r"3\d candidates, 40 scored items: alpha 0\.\d+", analysed.output), (
        analysed.output
    )
    assert (tmp_path / "items.csv").read_text().startswith("item,title")
    assert "open" in cli("angoff", "list").output
    second = cli("demo", "--no-serve")
    assert "already present" in second.output
    jobs = cli("jobs", "run")
    assert jobs.exit_code == 0, jobs.output
    assert "failed" in jobs.output and " 0 failed" in jobs.output
    assert cli("audit", "verify").exit_code == 0
    assert cli("log", "verify").exit_code == 0, cli("log", "verify").output
    assert "/credentials/" in text and "/log/heads/latest" in text
    assert cli("db", "status").exit_code == 0


def test_bad_configuration_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSAY_BASE_URL", "not a url")
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 2
    assert "ASSAY_BASE_URL" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("assay ")
