#!/usr/bin/env python3
"""Set up and run Assay with nothing but Python 3.11+: `python3 dev.py demo`, `python3 dev.py test`.

The first run makes a virtual environment in .venv and installs the pinned, hash-checked lock file;
later runs reinstall only when the lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ASSAY_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements" / "lock.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"

USAGE = """usage: python3 dev.py COMMAND [ARGS...]

  demo [ARGS]     create a local database with demo data and serve Assay on http://127.0.0.1:8000
  test [ARGS]     run every check: ruff, mypy, import contracts, then pytest on SQLite and PostgreSQL
                  (ARGS go to pytest, e.g. `python3 dev.py test -k audit`)
  assay [ARGS]    run the `assay` command line in the project's environment
  setup           only create/refresh the environment
"""


def run(*args: str | Path, **kwargs: object) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]  # noqa: S603
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Assay needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / ".assay-lock-sha256"
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing pinned dependencies (requirements/lock.txt) ...", flush=True)
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r", LOCK)
    run(
        PY,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "-e",
        ".",
    )
    stamp.write_text(digest)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def test(args: list[str]) -> None:
    print("== ruff", flush=True)
    run(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
    run(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
    print("== mypy", flush=True)
    run(BIN / "mypy")
    print("== import contracts", flush=True)
    run(BIN / "lint-imports")
    print("== pytest", flush=True)
    workers = os.environ.get("ASSAY_TEST_WORKERS", "auto")
    cmd = [str(PY), "-m", "pytest", "-n", workers, *args]
    result = subprocess.run(cmd, cwd=ROOT, check=False)  # noqa: S603
    if result.returncode == 5:
        print("pytest collected no tests: that is a failure, not a pass.", file=sys.stderr)
        sys.exit(1)
    sys.exit(result.returncode)


def main(argv: list[str]) -> None:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    command, rest = argv[0], argv[1:]
    if command not in {"demo", "test", "assay", "setup"}:
        sys.exit(f"unknown command {command!r}\n\n{USAGE}")
    ensure_environment()
    if command == "setup":
        return
    if command == "test":
        test(rest)
    assay = shutil.which("assay", path=str(BIN)) or str(BIN / "assay")
    if command == "demo":
        os.execv(assay, [assay, "demo", *rest])  # noqa: S606
    os.execv(assay, [assay, *rest])  # noqa: S606


if __name__ == "__main__":
    main(sys.argv[1:])
