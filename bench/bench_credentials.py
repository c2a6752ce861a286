"""Benchmarks for the credential core, on distinct credentials (never one verified again and again).

Figures, each with a baseline from the same run:
- proof verification per second, eddsa-rdfc-2022 and eddsa-jcs-2022 (JSON-LD safe-mode expansion or
  JCS, canonicalisation, hashing, Ed25519), against raw Ed25519 verification of the same signatures
  with the same library (`cryptography`), and against the independent Node verifier
  (`shared/interop/bench-verify.mjs`: Digital Bazaar's stack, proof only, status not checked) on a
  sample of the same credentials;
- the full offline verification (document shape, proof, issuer, key, status lists, validity);
- signing per second for both suites, and issuance per second through the service (status index
  allocation, OB 3.0 document, required-field check, signature, database rows, audit entries) on SQLite.

Run: `.venv/bin/python -m bench.bench_credentials [--n 200] [--write]`. The Node figure needs
node, npm and the interop harness (set ASSAY_INTEROP_DIR, default ../shared/interop).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from assay.core.credentials import multikey
from assay.core.credentials.openbadges import (
    CredentialContent,
    IssuerProfile,
    Programme,
    StandardAlignment,
    SubjectIdentity,
    build_credential,
)
from assay.core.credentials.suites import Ed25519Signer, canonical_forms, sign, verify_proof
from assay.core.credentials.verify import verify_credential
from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
SEED = bytes(range(32))
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def credentials(n: int, issuer: str) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        content = CredentialContent(
            id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            issuer=IssuerProfile(issuer, "Assay", "https://assay.example.org"),
            programme=Programme(
                id="https://assay.example.org/programmes/foundation",
                name=f"Assay Foundation cohort {i}",
                description=f"Holder {i} showed a working command of the standard; café, naïve, 日本語 {i}.",
                criteria="Passed the Foundation scenario examination.",
                version="1.0",
            ),
            subject=SubjectIdentity.hashed(f"person{i}@example.org", salt=f"{i:032x}"),
            alignment=StandardAlignment("Assay PAE", "1.1", "https://assay.example.org/standard/1.1", f"{i:064x}"),
            valid_from="2026-01-01T00:00:00Z",
            valid_until="2028-01-01T00:00:00Z",
        )
        out.append(build_credential(content))
    return out


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def node_harness() -> Path | None:
    if not shutil.which("node") or not shutil.which("npm"):
        return None
    source = Path(os.environ.get("ASSAY_INTEROP_DIR", ROOT.parent / "shared" / "interop"))
    if not (source / "bench-verify.mjs").exists():
        return None
    target = Path(tempfile.mkdtemp(prefix="assay-bench-interop-"))
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=target, check=True, capture_output=True)
    return target


def node_rate(harness: Path, docs: list[dict[str, Any]], seconds: int = 2) -> float:
    rates = []
    for n, doc in enumerate(docs):
        path = harness / f"bench-{n}.json"
        path.write_text(json.dumps(doc))
        done = subprocess.run(
            ["node", "bench-verify.mjs", str(path), str(seconds)],
            cwd=harness,
            capture_output=True,
            text=True,
            check=True,
        )
        rates.append(float(json.loads(done.stdout.strip().splitlines()[-1])["per_second"]))
    return sum(rates) / len(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    signer = Ed25519Signer(SEED)
    did = multikey.did_key(signer.public_key)
    method = multikey.did_key_verification_method(signer.public_key)
    resolve = multikey.key_resolver()
    docs = credentials(args.n, did)
    rows: list[tuple[str, str, str, str]] = []

    signed: dict[str, list[dict[str, Any]]] = {}
    sign_time: dict[str, float] = {}
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        out: list[dict[str, Any]] = []
        sign_time[suite] = timed(
            lambda s=suite, o=out: o.extend(
                sign(d, signer=signer, verification_method=method, created="2026-01-01T00:00:00Z", cryptosuite=s)
                for d in docs
            )
        )
        signed[suite] = out

    # Raw Ed25519 on exactly the bytes each rdfc proof signed.
    key = Ed25519PublicKey.from_public_bytes(signer.public_key)
    pairs = []
    for doc in signed["eddsa-rdfc-2022"]:
        proof = doc["proof"]
        forms = canonical_forms(
            {k: v for k, v in doc.items() if k != "proof"},
            {k: v for k, v in proof.items() if k != "proofValue"},
            cryptosuite="eddsa-rdfc-2022",
        )
        pairs.append((multikey.multibase_decode(proof["proofValue"]), forms.hash_data()))
    raw_time = timed(lambda: [key.verify(sig, data) for sig, data in pairs])
    raw_rate = per_second(args.n, raw_time)
    rows.append(("raw Ed25519 verify (cryptography), same signatures", f"{raw_rate:,.0f}/s", "baseline", "1.00×"))

    verify_rates = {}
    for suite, items in signed.items():
        t = timed(lambda i=items: [verify_proof(d, resolve_key=resolve) for d in i])
        assert all(verify_proof(d, resolve_key=resolve).ok for d in items[:3])
        verify_rates[suite] = per_second(args.n, t)
        rows.append(
            (
                f"{suite} proof verify",
                f"{verify_rates[suite]:,.0f}/s",
                "raw Ed25519",
                f"{verify_rates[suite] / raw_rate:.4f}×",
            )
        )
    t_full = timed(lambda: [verify_credential(d, now=NOW) for d in signed["eddsa-rdfc-2022"]])
    full_rate = per_second(args.n, t_full)
    rows.append(
        (
            "full offline verify (rdfc, no status entries)",
            f"{full_rate:,.0f}/s",
            "rdfc proof verify",
            f"{full_rate / verify_rates['eddsa-rdfc-2022']:.2f}×",
        )
    )

    harness = node_harness()
    if harness is not None:
        for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
            sample = signed[suite][:5]
            node = node_rate(harness, sample)
            rows.append(
                (
                    f"{suite} verify, Node (Digital Bazaar), 5 of the same credentials",
                    f"{node:,.0f}/s",
                    f"Assay {suite}",
                    f"Assay is {verify_rates[suite] / node:.2f}× Node",
                )
            )
        shutil.rmtree(harness, ignore_errors=True)
    else:
        rows.append(("Node verifier", "not run", "node/npm or the interop harness missing", ""))

    for suite in sign_time:
        rate = per_second(args.n, sign_time[suite])
        rows.append((f"{suite} sign", f"{rate:,.0f}/s", f"{suite} proof verify", f"{rate / verify_rates[suite]:.2f}×"))
    issue_rate = bench_issuance(max(20, args.n // 4))
    rows.append(
        (
            "issuance through the service (SQLite)",
            f"{issue_rate:,.1f}/s",
            "rdfc sign",
            f"{issue_rate / per_second(args.n, sign_time['eddsa-rdfc-2022']):.2f}×",
        )
    )

    lines = [
        "| measure | rate | baseline | ratio |",
        "| --- | ---: | --- | ---: |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section(
            "bench_credentials",
            "Credentials",
            table,
            script="bench_credentials.py",
            note=f", {args.n} distinct credentials",
        )


def bench_issuance(count: int) -> float:
    from argon2 import PasswordHasher
    from sqlalchemy.orm import Session

    from assay.core.roles import Role
    from assay.db.migrate import upgrade
    from assay.db.session import build_engine, session_factory
    from assay.infra.email import MemoryMailer
    from assay.infra.keys import MemoryKeyStore
    from assay.infra.storage import MemoryFileStore
    from assay.services import accounts, issuance, roles, standards
    from assay.services.runtime import build_runtime
    from assay.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/b.db"
        upgrade(url)
        settings = Settings(
            environment="test",
            data_dir=Path(tmp),
            database_url=url,
            secret_key="b",
            base_url="https://assay.example.org",
        )
        rt = build_runtime(
            settings,
            mailer=MemoryMailer(),
            files=MemoryFileStore(),
            keys=MemoryKeyStore(),
            passwords=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        )
        engine = build_engine(url)
        with Session(engine) as db, db.begin():
            standards.import_standard(db, rt)
            for i in range(count):
                accounts.sign_up(
                    db, rt, email=f"p{i}@example.org", display_name=f"P {i}", password="lantern-orbit-cedar-71"
                )
            for name, role in (("grader", Role.REVIEWER), ("registrar", Role.REGISTRAR)):
                accounts.sign_up(
                    db, rt, email=f"{name}@example.org", display_name=name, password="lantern-orbit-cedar-71"
                )
                roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=role)
            decision = issuance.create_decision(
                db,
                rt,
                programme_id="foundation",
                subjects=[issuance.SubjectInput(f"p{i}@example.org") for i in range(count)],
                graded_by_email="grader@example.org",
                rationale="bench",
            )
            registrar = accounts.principal_for(db, accounts.repo.user_by_email(db, "registrar@example.org"))  # type: ignore[arg-type]
            issuance.approve(db, rt, registrar=registrar, decision_id=decision.id)
            decision_id = decision.id
        factory = session_factory(engine)
        with factory() as db, db.begin():
            seconds = timed(lambda: issuance.issue(db, rt, decision_id=decision_id))
        engine.dispose()
    return per_second(count, seconds)


if __name__ == "__main__":
    sys.exit(main())
