"""`assay standard`: validate, import, list, export, diff, crosswalk."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
import rfc8785
from typer.testing import CliRunner

from assay.cli.main import app
from assay.content import DEFAULT_STANDARD_DIR

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSAY_SECRET_KEY", "cli-test-secret")

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--database-url", database_url, "--data-dir", str(tmp_path / "data"), *args])

    return invoke


def test_validate_good_and_bad(tmp_path: Path) -> None:
    good = runner.invoke(app, ["standard", "validate", str(DEFAULT_STANDARD_DIR)])
    assert good.exit_code == 0 and "valid" in good.output
    broken = tmp_path / "broken"
    shutil.copytree(DEFAULT_STANDARD_DIR, broken)
    v11 = broken / "versions" / "1.1.yaml"
    v11.write_text(v11.read_text().replace("- id: IG-02", "- id: IG-01", 1))
    bad = runner.invoke(app, ["standard", "validate", str(broken)])
    assert bad.exit_code == 1
    assert "versions/1.1.yaml:" in bad.output and "control ID IG-01 is used twice" in bad.output
    assert "Traceback" not in bad.output


def test_import_export_round_trip(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("db", "upgrade").exit_code == 0
    imported = cli("standard", "import")
    assert imported.exit_code == 0, imported.output
    assert "Imported assay-pae version(s) 1.0, 1.1" in imported.output
    assert "identical" in cli("standard", "import").output
    out = tmp_path / "1.1.json"
    exported = cli("standard", "export", "1.1", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    document = json.loads(out.read_text())
    digest = hashlib.sha256(rfc8785.dumps(document)).hexdigest()
    assert digest in exported.output.replace("\n", "")
    listing = cli("standard", "list")
    assert "1.1" in listing.output and "published" in listing.output


def test_import_refuses_broken_content_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("db", "upgrade")
    broken = tmp_path / "broken"
    shutil.copytree(DEFAULT_STANDARD_DIR, broken)
    v10 = broken / "versions" / "1.0.yaml"
    v10.write_text(v10.read_text().replace("framework: owasp-llm-top10", "framework: owasp-llm", 1))
    result = cli("standard", "import", str(broken))
    assert result.exit_code == 1
    assert "nothing was imported" in result.output and "unknown framework owasp-llm" in result.output
    assert cli("standard", "list").exit_code == 1
    assert "0 entries verified" in cli("audit", "verify").output


def test_diff_text_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    cli("db", "upgrade")
    cli("standard", "import")
    text = cli("standard", "diff", "1.0", "1.1")
    assert text.exit_code == 0
    assert "added" in text.output and "OBS-06" in text.output and "IA-03 → IA-06, IA-07" in text.output
    as_json = json.loads(cli("standard", "diff", "1.0", "1.1", "--json").output)
    assert as_json["retired"] == ["OBS-05"]
    same = cli("standard", "diff", "1.1", "1.1")
    assert "No differences" in same.output
    missing = cli("standard", "diff", "1.0", "3.0")
    assert missing.exit_code == 1 and "There is no version 3.0" in missing.output


def test_crosswalk_exports(cli) -> None:  # type: ignore[no-untyped-def]
    cli("db", "upgrade")
    cli("standard", "import")
    result = cli("standard", "crosswalk", "iso-iec-42001")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 38
    assert {r["status"] for r in rows} <= {"covered", "partly", "not covered"}
    one = json.loads(cli("standard", "crosswalk", "owasp-llm-top10", "--ref", "LLM06", "--format", "json").output)
    assert [r["ref"] for r in one["rows"]] == ["LLM06"] and one["rows"][0]["controls"]
    bad = cli("standard", "crosswalk", "owasp-llm-top10", "--format", "xml")
    assert bad.exit_code == 2
