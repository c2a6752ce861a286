"""The independent Node verifier in shared/interop, installed once per session in a temp copy.

The harness (Digital Bazaar's @digitalbazaar/vc stack, pinned by its package-lock.json) is copied,
with this folder's helper scripts, to a session temp folder and installed with `npm ci`. npm's own
cache makes a repeat install take seconds; without node or npm these tests skip locally and fail in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import missing

HERE = Path(__file__).resolve().parent
HELPERS = ("rdfc-canonize.mjs",)  # our scripts, run inside the installed harness
TIMEOUT = 120


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "interop: checks credentials against the independent Node implementation")


def interop_source() -> Path:
    configured = os.environ.get("ASSAY_INTEROP_DIR")
    return Path(configured) if configured else HERE.parents[2] / "shared" / "interop"


@dataclass
class Harness:
    root: Path
    count: int = 0

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["node", *args],
            cwd=self.root,
            env={**os.environ, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            check=False,
        )

    def write(self, document: Any) -> Path:
        self.count += 1
        path = self.root / "out" / f"doc-{self.count}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
        return path

    def verify(self, document: Any, *options: str) -> tuple[bool, dict[str, Any]]:
        """(verified, the verifier's JSON report)."""
        done = self.run("verify.mjs", str(self.write(document)), "--now", "2025-06-01T00:00:00Z", *options)
        report = json.loads(done.stdout) if done.stdout.strip() else {"stderr": done.stderr}
        assert done.returncode in (0, 1), done.stderr
        return done.returncode == 0 and report.get("verified") is True, report

    def sign(self, document: Any, seed: bytes, suite: str, created: str) -> dict[str, Any]:
        kind = {"eddsa-rdfc-2022": "rdfc", "eddsa-jcs-2022": "jcs"}[suite]
        done = self.run(
            "sign.mjs", seed.hex(), str(self.write(document)), kind, env={"PROOF_CREATED": created, "SET_ISSUER": "1"}
        )
        assert done.returncode == 0, done.stderr
        signed: dict[str, Any] = json.loads(done.stdout)
        return signed


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    source = interop_source()
    if not (source / "package-lock.json").is_file():
        missing(f"the interop harness at {source}")
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing("node and npm (Node 20)")
    root = tmp_path_factory.mktemp("interop") / "harness"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("node_modules", "out"))
    for path in root.rglob("*"):  # the shared copy may be read-only
        path.chmod(path.stat().st_mode | 0o200)
    for name in HELPERS:
        shutil.copy(HERE / name, root / name)
    install = subprocess.run(
        ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if install.returncode != 0:
        missing(f"the harness's npm packages (npm ci failed: {install.stderr.strip()[-300:]})")
    return Harness(root)


# The service tests' `people` fixture, for tests here that issue through the services.
from tests.services.conftest import people  # noqa: E402, F401
