"""Taking the assessment in the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli.main import app
from assay.core.clock import FrozenClock, SystemClock
from assay.db.session import build_engine, session_factory
from assay.services import assessments
from assay.services.runtime import Runtime

runner = CliRunner()


def test_take_in_the_terminal_then_fetch_the_report(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(SystemClock().now())  # the CLI runs on the system clock: start the attempt at the same time
    monkeypatch.setenv("ASSAY_SECRET_KEY", "cli-test-secret")
    base = ["--database-url", database_url, "--data-dir", str(tmp_path)]
    assert runner.invoke(app, [*base, "standard", "import"]).exit_code == 0
    # Start the attempt here, so the test knows its questions, then take it in the terminal with --resume.
    engine = build_engine(database_url)
    with session_factory(engine)() as db:
        attempt, token = assessments.start(db, rt)
        questions = assessments.state(db, attempt)["questions"]
        db.commit()
    engine.dispose()
    lines = ["2"] * 10  # self-ratings
    for q in questions:
        lines += ["zz", "2"]  # an answer that does not fit is refused, and asked again
        fits = " ".join(o["id"] for o in q["options"]) if q["kind"] == "ordering" else q["options"][0]["id"]
        lines += [fits, "3"]
    result = runner.invoke(
        app, [*base, "assessment", "take", "--role", "approver", "--resume", token], input="\n".join(lines) + "\n"
    )
    assert result.exit_code == 0, result.output[-2000:]
    assert "does not fit" in result.output
    assert "Readiness against standard 1.1" in result.output and "Domains at target" in result.output
    report = json.loads(runner.invoke(app, [*base, "assessment", "report", token]).output)
    assert report["target_role"] == "approver" and len(report["feedback"]) == 25
    again = runner.invoke(app, [*base, "assessment", "take", "--resume", token])
    assert again.exit_code == 1 and "already submitted" in again.output
