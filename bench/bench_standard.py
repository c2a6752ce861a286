"""Benchmarks for the standard: cold load and validation of the default content, and a control page.

Ratios against baselines measured in the same run: loading is compared with only parsing the same
YAML files; the control page with serving a static file through the same app.
Run: `.venv/bin/python -m bench.bench_standard [--write]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from assay.content import DEFAULT_STANDARD_DIR, REFERENCES_DIR
from assay.core.standard.loader import load_folder, load_references
from assay.db.migrate import upgrade
from assay.infra.email import MemoryMailer
from assay.infra.storage import MemoryFileStore
from assay.services import standards
from assay.services.runtime import build_runtime
from assay.settings import Settings
from assay.web.app import create_app
from bench.report import best_of, requests_to, write_section

ROOT = Path(__file__).resolve().parent.parent
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_only() -> None:
    for path in [
        *REFERENCES_DIR.glob("*.yaml"),
        DEFAULT_STANDARD_DIR / "standard.yaml",
        *(DEFAULT_STANDARD_DIR / "versions").glob("*.yaml"),
    ]:
        yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)  # noqa: S506 - a safe loader, chosen above


def load_and_validate() -> None:
    refs, _ = load_references(REFERENCES_DIR)
    result = load_folder(DEFAULT_STANDARD_DIR, refs)
    assert result.ok


def cold_process(code: str) -> float:
    """A fresh interpreter each time: imports and all, as `assay standard validate` pays them."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = []

    t_parse = best_of(5, parse_only)
    t_load = best_of(5, load_and_validate)
    rows.append(("load + validate the default standard (vs parsing its YAML only)", t_load, t_parse))
    boot = "import assay.core.standard.loader, yaml"
    cold = (
        "from assay.content import DEFAULT_STANDARD_DIR as D, REFERENCES_DIR as R\n"
        "from assay.core.standard.loader import load_folder, load_references\n"
        "assert load_folder(D, load_references(R)[0]).ok"
    )
    t_boot = min(cold_process(boot) for _ in range(3))
    t_cold = min(cold_process(cold) for _ in range(3))
    rows.append(("cold process: load + validate (vs the same process only importing)", t_cold, t_boot))

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        settings = Settings(environment="test", data_dir=Path(tmp), database_url=url, secret_key="bench")
        rt = build_runtime(settings, mailer=MemoryMailer(), files=MemoryFileStore(), passwords=PasswordHasher())
        with TestClient(create_app(settings, runtime=rt)) as client:
            with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
                standards.import_standard(db, rt)
                db.commit()
            page = "/standard/1.1/controls/HO-02"
            assert client.get(page).status_code == 200

            t_static = best_of(3, requests_to(client, "/static/assay.css", args.requests))
            t_control = best_of(3, requests_to(client, page, args.requests))
            rows.append((f"control page, {args.requests} requests (vs a static file)", t_control, t_static))

    lines = [
        "| measure | time | baseline | ratio |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {what} | {t * 1000:.1f} ms | {b * 1000:.1f} ms | {t / b:.2f}× |" for what, t, b in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("bench_standard", "The standard", table, script="bench_standard.py")


if __name__ == "__main__":
    main()
