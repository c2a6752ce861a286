"""The certification commands end to end: the pool, forms, a decision record from recommendation to
an issued credential, the separation of duties, and bad input as one-line errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from assay.cli.main import app
from assay.db.repositories import accounts as account_repo
from assay.services.runtime import Runtime
from tests.certifying import take_exam

runner = CliRunner()
PASSWORD = "lantern-orbit-cedar-71"


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSAY_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("ASSAY_BASE_URL", "https://assay.example.org")

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["--database-url", database_url, "--data-dir", str(tmp_path / "cli-data"), *args])

    assert invoke("db", "upgrade").exit_code == 0
    assert invoke("standard", "import").exit_code == 0
    for email, name in (
        ("rev@example.org", "Rev Iewer"),
        ("reg@example.org", "Reg Istrar"),
        ("sam@example.org", "Sam Carter"),
    ):
        assert invoke("users", "create", "--email", email, "--name", name, "--password", PASSWORD).exit_code == 0
    invoke("users", "grant", "--email", "rev@example.org", "--role", "reviewer")
    invoke("users", "grant", "--email", "rev@example.org", "--role", "registrar")
    invoke("users", "grant", "--email", "reg@example.org", "--role", "registrar")
    return invoke


def test_from_a_passed_exam_to_an_issued_credential(cli, sessions: sessionmaker[Session], rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    pool = cli("exam", "pool")
    assert pool.exit_code == 0 and "16" in pool.output
    assembled = cli("exam", "assemble", "foundation", "--seed", "cli")
    assert assembled.exit_code == 0 and assembled.output.count("40 scored + 5 pilot") == 3
    with sessions() as db:
        sam = account_repo.user_by_email(db, "sam@example.org")
        assert sam is not None
        take_exam(db, rt, sam, "foundation", right_share=0.9)
        db.commit()
    recommended = cli(
        "cases",
        "recommend",
        "--candidate",
        "sam@example.org",
        "--programme",
        "foundation",
        "--assessor",
        "rev@example.org",
    )
    assert recommended.exit_code == 0 and ": pass." in recommended.output, recommended.output
    case_id = re.search(r"Record (\w+)", recommended.output).group(1)  # type: ignore[union-attr]
    own = cli("cases", "decide", case_id, "--registrar", "rev@example.org", "--rationale", "Mine.")
    assert own.exit_code == 1 and "another registrar must decide" in own.output and "Traceback" not in own.output
    approved = cli("cases", "decide", case_id, "--registrar", "reg@example.org", "--rationale", "90% against 65%.")
    assert approved.exit_code == 0 and "https://assay.example.org/credentials/" in approved.output, approved.output
    listed = cli("cases", "list")
    assert "approved" in listed.output and "sam@example.org" in listed.output
    shown = cli("cases", "show", case_id)
    assert '"percent": 90.0' in shown.output
    assert "exam.forms_assembled" in cli("audit", "list").output or cli("audit", "verify").exit_code == 0


def test_bad_input_is_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    unknown = cli("programmes", "show", "no-such")
    assert unknown.exit_code == 1 and "Unknown programme" in unknown.output
    bad_date = cli(
        "interviews",
        "create",
        "--programme",
        "advanced",
        "--starts",
        "next tuesday",
        "--location",
        "Room 1",
        "--panel",
        "rev@example.org",
        "--registrar",
        "reg@example.org",
    )
    assert bad_date.exit_code == 1 and "ISO 8601" in bad_date.output
    short_panel = cli(
        "interviews",
        "create",
        "--programme",
        "advanced",
        "--starts",
        "2030-01-01T10:00:00+00:00",
        "--location",
        "Room 1",
        "--panel",
        "rev@example.org",
        "--registrar",
        "reg@example.org",
    )
    assert short_panel.exit_code == 1 and "panel of 3" in short_panel.output
    no_exam = cli("exam", "assemble", "practitioner")
    assert no_exam.exit_code == 1 and "has no exam" in no_exam.output
    incomplete = cli(
        "cases",
        "recommend",
        "--candidate",
        "sam@example.org",
        "--programme",
        "foundation",
        "--assessor",
        "rev@example.org",
    )
    assert incomplete.exit_code == 1 and "no released exam result" in incomplete.output
    assert all("Traceback" not in r.output for r in (unknown, bad_date, short_panel, no_exam, incomplete))
