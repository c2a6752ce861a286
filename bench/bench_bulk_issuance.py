"""Benchmark: bulk issuance of 100,000 credentials as one approved decision (eddsa-jcs-2022), SQLite.

Through the real services: record the decision (every row checked), approve it, issue it (per
credential: status-list entries, the document, the Data Integrity proof, the transparency-log leaf,
the audit entry), then the head. The baseline, measured in the same run, is signing alone: the core
`sign` of the same kind of document, per credential. The ratio says what the registry's bookkeeping
costs on top of the cryptography.
Run: `.venv/bin/python -m bench.bench_bulk_issuance [--count 100000] [--write]`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import insert

from assay.core.credentials.suites import sign
from assay.core.ids import new_id
from assay.core.roles import Role
from assay.db.migrate import upgrade
from assay.db.models import User
from assay.db.session import build_engine, session_factory
from assay.infra.email import MemoryMailer
from assay.infra.storage import MemoryFileStore
from assay.services import accounts, issuance, keys, roles, standards
from assay.services.runtime import build_runtime
from assay.settings import Settings
from bench.report import write_section

PASSWORD = "bench-passphrase-2026"  # noqa: S105 - a throwaway database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="credentials per committed batch (as the CLI)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bulk.db"
        upgrade(url)
        settings = Settings(
            environment="test",
            data_dir=Path(tmp),
            database_url=url,
            secret_key="bench",
            credential_cryptosuite="eddsa-jcs-2022",
            base_url="https://registry.example.org",
        )
        rt = build_runtime(settings, mailer=MemoryMailer(), files=MemoryFileStore(), passwords=PasswordHasher())
        sessions = session_factory(build_engine(url))
        with sessions() as db:
            standards.import_standard(db, rt)
            for name, role in (("grader", Role.REVIEWER), ("registrar", Role.REGISTRAR)):
                accounts.sign_up(db, rt, email=f"{name}@bench.example", display_name=name, password=PASSWORD)
                roles.grant(db, rt, actor=None, email=f"{name}@bench.example", role=role)
            now = datetime.now(UTC)
            rows = [
                {
                    "id": new_id(now),
                    "email": f"c{n:06d}@bench.example",
                    "display_name": f"Candidate {n:06d}",
                    "password_hash": "-",
                    "is_active": True,
                    "created_at": now,
                    "password_changed_at": now,
                }
                for n in range(args.count)
            ]
            for start in range(0, len(rows), 20_000):
                db.execute(insert(User), rows[start : start + 20_000])
            db.commit()

        subjects = [
            issuance.SubjectInput(f"c{n:06d}@bench.example", results=[{"description": "exam-score", "value": "80"}])
            for n in range(args.count)
        ]
        timings: dict[str, float] = {}
        with sessions() as db:
            start = time.perf_counter()
            decision = issuance.create_decision(
                db,
                rt,
                programme_id="foundation",
                subjects=subjects,
                graded_by_email="grader@bench.example",
                rationale="Benchmark cohort.",
            )
            registrar = accounts.principal_for(db, accounts.repo.user_by_email(db, "registrar@bench.example"))  # type: ignore[arg-type]
            issuance.approve(db, rt, registrar=registrar, decision_id=decision.id)
            db.commit()
            timings["record and approve the decision"] = time.perf_counter() - start
            decision_id = decision.id
        start = time.perf_counter()
        issued_count, sample_document = 0, ""
        while True:  # as `assay credentials issue` does: committed batches, each in a fresh session
            with sessions() as db:
                batch = issuance.issue(db, rt, decision_id=decision_id, limit=args.batch)
                issued_count += len(batch)
                sample_document = sample_document or (batch[0].document if batch else "")
                db.commit()
            if issued_count and issued_count % 10_000 < args.batch:
                print(f"  {issued_count:,} issued, {time.perf_counter() - start:.0f} s", flush=True)
            if len(batch) < args.batch:
                break
        timings["issue"] = time.perf_counter() - start
        assert issued_count == args.count, issued_count
        with sessions() as db:
            start = time.perf_counter()
            again = issuance.issue(db, rt, decision_id=decision_id)
            timings["issue again (idempotent: nothing new)"] = time.perf_counter() - start
            assert again == []
            sample = json.loads(sample_document)
            key = keys.active(db, rt)

        unsigned = {k: v for k, v in sample.items() if k != "proof"}
        n_sign = 2000
        start = time.perf_counter()
        for _ in range(n_sign):
            sign(
                unsigned,
                signer=key.signer,
                verification_method=key.verification_method,
                cryptosuite="eddsa-jcs-2022",
                created="2026-11-24T00:00:00Z",
            )
        per_sign = (time.perf_counter() - start) / n_sign

    per_credential = timings["issue"] / args.count
    lines = [
        "| measure | time | per credential | baseline: signing alone, per credential | ratio |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| issue {args.count:,} credentials (one decision, eddsa-jcs-2022) | {timings['issue']:.1f} s | "
        f"{per_credential * 1000:.2f} ms | {per_sign * 1000:.2f} ms | {per_credential / per_sign:.1f}× |",
        f"| record and approve the decision ({args.count:,} rows checked) | "
        f"{timings['record and approve the decision']:.1f} s | | | |",
        f"| issue again (idempotent: nothing new) | {timings['issue again (idempotent: nothing new)']:.1f} s | | | |",
    ]
    table = "\n".join(lines) + (
        f"\n\n{args.count / timings['issue']:.0f} credentials per second on one core, in committed batches of "
        f"{args.batch} (as `assay credentials issue` runs them; one transaction for all would make every flush "
        "walk an ever larger session)."
    )
    print(table)
    if args.write:
        write_section("bench_bulk_issuance", "Bulk issuance", table, script="bench_bulk_issuance.py", note=", SQLite")


if __name__ == "__main__":
    main()
