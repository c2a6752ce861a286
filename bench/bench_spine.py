"""Benchmarks for the spine: audit chain appends and verification, and page serving.

Each figure is a ratio against a baseline measured in the same run on the same database (the machines
are noisy; absolute times are printed for context only). Run: `.venv/bin/python -m bench.bench_spine`
(add `--write` to update docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from assay.core.clock import FrozenClock
from assay.core.ids import new_id
from assay.db.migrate import upgrade
from assay.db.models import AuditEntry
from assay.db.repositories import audit as audit_repo
from assay.db.session import build_engine, normalise_url, session_factory
from assay.infra.email import MemoryMailer
from assay.infra.storage import MemoryFileStore
from assay.services import audit
from assay.services.runtime import build_runtime
from assay.settings import Settings
from assay.web.app import create_app
from bench.report import best_of, requests_to, write_section

ROOT = Path(__file__).resolve().parent.parent


def bench_audit(url: str, n: int) -> list[tuple[str, float, float, float]]:
    engine = build_engine(url)
    factory = session_factory(engine)
    clock = FrozenClock(datetime(2026, 6, 1, tzinfo=UTC))

    def plain_inserts() -> None:
        with factory() as db, db.begin():
            start = 10_000_000 + (db.query(AuditEntry).count() or 0)
            for i in range(n):
                now = clock.now()
                db.add(
                    AuditEntry(
                        seq=start + i,
                        id=new_id(now),
                        occurred_at=now,
                        actor_id=None,
                        action="bench.plain",
                        subject_type="n",
                        subject_id=str(i),
                        organisation_id=None,
                        details="{}",
                        prev_hash=f"{start + i:064x}",
                        entry_hash=f"{start + i + n * 10:064x}",
                    )
                )
                db.flush()

    def chained_appends() -> None:
        with factory() as db, db.begin():
            for i in range(n):
                audit.record(db, clock=clock, actor_id=None, action="bench.chain", subject_type="n", subject_id=str(i))

    # The chain first, on an empty table, so it starts at 1 and verifies; plain rows go far above it.
    t_chain = best_of(1, chained_appends)
    with factory() as db:
        t_verify = best_of(3, lambda: audit.verify(db))
        t_scan = best_of(3, lambda: sum(1 for _ in audit_repo.iterate(db)) and None)
        assert audit.verify(db).ok
    t_plain = best_of(3, plain_inserts)
    engine.dispose()
    return [
        (f"audit append, {n} entries (vs plain row inserts)", t_chain, t_plain, t_chain / t_plain),
        (f"audit verify, {n} entries (vs reading the rows)", t_verify, t_scan, t_verify / t_scan),
    ]


def bench_pages(url: str, data_dir: Path, requests: int) -> list[tuple[str, float, float, float]]:
    settings = Settings(environment="test", data_dir=data_dir, database_url=url, secret_key="bench")
    rt = build_runtime(settings, mailer=MemoryMailer(), files=MemoryFileStore(), passwords=PasswordHasher())
    with TestClient(create_app(settings, runtime=rt)) as client:
        client.get("/api/health")

        t_static = best_of(3, requests_to(client, "/static/assay.css", requests))
        t_health = best_of(3, requests_to(client, "/api/health", requests))
        t_signin = best_of(3, requests_to(client, "/account/signin", requests))
        t_home = best_of(3, requests_to(client, "/", requests))
    hasher = PasswordHasher()
    t_hash = statistics.median(best_of(1, lambda: hasher.hash("lantern-orbit-cedar-71")) for _ in range(5))
    return [
        (f"sign-in page, {requests} requests (vs a static file)", t_signin, t_static, t_signin / t_static),
        (f"home page, {requests} requests (vs a static file)", t_home, t_static, t_home / t_static),
        (
            f"/api/health (database round trip), {requests} requests (vs a static file)",
            t_health,
            t_static,
            t_health / t_static,
        ),
        (
            "Argon2id hash, default cost (vs one sign-in page)",
            t_hash,
            t_signin / requests,
            t_hash / (t_signin / requests),
        ),
    ]


def fresh_postgres_database(admin_url: str) -> str:
    """An empty database of the benchmark's own beside the one named in admin_url."""
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS assay_bench WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE assay_bench"))
    url = admin.url.set(database="assay_bench").render_as_string(hide_password=False)
    admin.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()

    rows: list[tuple[str, str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"SQLite": f"sqlite:///{tmp}/bench.db"}
        if args.postgres:
            urls["PostgreSQL"] = fresh_postgres_database(args.postgres)
        for name, url in urls.items():
            upgrade(url)
            rows += [(name, *r) for r in bench_audit(url, args.entries)]
            rows += [(name, *r) for r in bench_pages(url, Path(tmp), args.requests)]

    lines = [
        "| database | measure | time | baseline | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
        *(f"| {db} | {what} | {t * 1000:.1f} ms | {b * 1000:.1f} ms | {r:.2f}× |" for db, what, t, b, r in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("bench_spine", "The spine", table, script="bench_spine.py")


if __name__ == "__main__":
    main()
