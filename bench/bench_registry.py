"""Benchmark: verifying a credential by ID over HTTP, against a bare endpoint on the same server.

A real server (the app factory under uvicorn, `--workers 2 --proxy-headers`, log level info) on a free
port with a fresh data directory, once on SQLite (the data directory's default database) and once on
PostgreSQL (a fresh database with a random name, built by the migrations and dropped at the end). One
credential is issued in set-up through the services (standard imported, reviewer and registrar granted,
decision created, approved, issued, status lists published).

Two phases against the same server, each `--requests` requests from `--connections` concurrent
connections (one shared httpx.AsyncClient), after a short warm-up:

- baseline: GET /api/health (a bare database round trip);
- verify: GET /api/v1/credentials/{public_id} (the whole verification: rate-limit counter upsert,
  credential lookup, proof and status checked live, log entry, standard currency).

Lookups are rate limited per client address (60 a minute). The benchmark does not touch the app: uvicorn
trusts X-Forwarded-For from 127.0.0.1 under --proxy-headers, so every request carries a distinct fake
client address. Any non-2xx (a 429 means the set-up is wrong) or failed request is counted and reported.

Client and server share the machine, so the request rate is a floor, not the server's capacity.
Run: `.venv/bin/python -m bench.bench_registry [--requests 3000] [--connections 64] [--write]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from assay.core.roles import Role
from assay.db.migrate import upgrade
from assay.db.session import build_engine, session_factory
from assay.services import accounts, issuance, roles, standards, statuslists
from assay.services.runtime import build_runtime
from assay.settings import Settings
from bench.bench_assessment import free_port, percentile, server_log_findings, wait_until_healthy
from bench.report import write_section

POSTGRES_ADMIN_URL = os.environ.get("ASSAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "lantern-orbit-cedar-71"  # noqa: S105 - a throwaway database


def issue_one(settings: Settings) -> str:
    """Migrate, import the standard, issue one credential and publish the status lists; its public ID."""
    url = settings.resolved_database_url
    upgrade(url)
    settings.resolved_secret_key()  # created now: two workers starting at once would race to create it
    rt = build_runtime(settings)
    engine = build_engine(url)
    try:
        with session_factory(engine)() as db:
            standards.import_standard(db, rt)
            for name, role in (("jonas", Role.REVIEWER), ("priya", Role.REGISTRAR), ("sam", None)):
                accounts.sign_up(db, rt, email=f"{name}@example.org", display_name=name, password=PASSWORD)
                if role:
                    roles.grant(db, rt, actor=None, email=f"{name}@example.org", role=role)
            decision = issuance.create_decision(
                db,
                rt,
                programme_id="foundation",
                subjects=[issuance.SubjectInput("sam@example.org")],
                graded_by_email="jonas@example.org",
                rationale="Passed.",
            )
            registrar = accounts.repo.user_by_email(db, "priya@example.org")
            assert registrar is not None
            issuance.approve(db, rt, registrar=accounts.principal_for(db, registrar), decision_id=decision.id)
            [credential] = issuance.issue(db, rt, decision_id=decision.id)
            statuslists.publish(db, rt)
            db.commit()
            public_id: str = credential.public_id
            return public_id
    finally:
        engine.dispose()


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)  # every non-2xx status, or the exception name
    samples: list[str] = field(default_factory=list)
    wall: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)


def fake_ip(n: int) -> str:
    """A distinct address in 10.0.0.0/8 for each request number (16.7 million of them)."""
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


async def load(base_url: str, path: str, total: int, connections: int, first_ip: int) -> Phase:
    """`total` GETs of `path` from `connections` workers on one pool, each from its own client address."""
    phase = Phase()
    numbers = itertools.count()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120.0) as client:

        async def worker() -> None:
            while (n := next(numbers)) < total:
                headers = {"X-Forwarded-For": fake_ip(first_ip + n), "Accept": "application/json"}
                start = time.perf_counter()
                try:
                    response = await client.get(path, headers=headers)
                except httpx.HTTPError as exc:
                    phase.latencies.append(time.perf_counter() - start)
                    phase.statuses[type(exc).__name__] += 1
                    if len(phase.samples) < 5:
                        phase.samples.append(f"{type(exc).__name__}: {exc}")
                    continue
                phase.latencies.append(time.perf_counter() - start)
                if not response.is_success:
                    phase.statuses[str(response.status_code)] += 1
                    if len(phase.samples) < 5:
                        phase.samples.append(f"{response.status_code} {response.text[:300]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        phase.wall = time.perf_counter() - start
    return phase


def serve_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "assay.web.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--log-level",
        "info",
        "--proxy-headers",
    ]


@dataclass
class Run:
    database: str
    health: Phase
    verify: Phase
    log: dict[str, int]


def bench_database(database: str, requests: int, connections: int) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="assay-bench-registry-"))
    log = tmp / "server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env.update(ASSAY_DATA_DIR=str(tmp), ASSAY_BASE_URL=base_url)
    admin = None
    pg_name = ""
    server: subprocess.Popen[bytes] | None = None
    findings: dict[str, int] = {}
    try:
        database_url = ""
        if database == "postgresql":
            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            pg_name = f"assay_bench_registry_{secrets.token_hex(4)}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
            database_url = admin.url.set(database=pg_name).render_as_string(hide_password=False)
            env["ASSAY_DATABASE_URL"] = database_url
        public_id = issue_one(Settings(data_dir=tmp, base_url=base_url, database_url=database_url))
        with log.open("wb") as out:
            server = subprocess.Popen(serve_command(port), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp)
        wait_until_healthy(base_url, server, log, 90)
        verify_path = f"/api/v1/credentials/{public_id}"
        check = httpx.get(f"{base_url}{verify_path}", headers={"X-Forwarded-For": "192.0.2.1"}, timeout=30)
        if check.status_code != 200 or check.json()["verification"]["verified"] is not True:
            raise RuntimeError(f"the issued credential does not verify: {check.status_code} {check.text[:500]}")

        # Warm both workers (imports, caches, connection pools); addresses 10.128.x.x, apart from the phases'.
        warm = 2 * connections
        asyncio.run(load(base_url, "/api/health", warm, connections, 1 << 23))
        asyncio.run(load(base_url, verify_path, warm, connections, (1 << 23) + warm))
        print(f"  {database}: /api/health ×{requests}…", flush=True)
        health = asyncio.run(load(base_url, "/api/health", requests, connections, 0))
        print(f"  {database}: {verify_path} ×{requests}…", flush=True)
        verify = asyncio.run(load(base_url, verify_path, requests, connections, requests))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if log.exists():
            findings = server_log_findings(log)
            # uvicorn's supervisor kills and replaces a worker that misses its 5 s health-check ping.
            restarts = log.read_text(errors="replace").count("Started server process") - 2
            if restarts > 0:
                findings["workers killed and restarted by uvicorn's supervisor"] = restarts
        if admin is not None:
            if pg_name:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return Run(database, health, verify, findings)


def describe_failures(phase: Phase) -> str:
    return ", ".join(f"{n}× {status}" for status, n in sorted(phase.statuses.items())) or "0"


def tables(runs: list[Run]) -> list[str]:
    lines = [
        "| database | request | requests/s | p50 | p99 | non-2xx or failed |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        for label, phase in (
            ("GET /api/health (baseline)", run.health),
            ("GET /api/v1/credentials/{id} (verify)", run.verify),
        ):
            lines.append(
                f"| {run.database} | {label} | {phase.rate:.0f} | {phase.p50 * 1000:.1f} ms "
                f"| {phase.p99 * 1000:.1f} ms | {describe_failures(phase)} |"
            )
    lines += [
        "",
        "| database | verify p50 ÷ baseline p50 | verify p99 ÷ baseline p99 | verify requests/s ÷ baseline requests/s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run.database} | {run.verify.p50 / run.health.p50:.2f}× | {run.verify.p99 / run.health.p99:.2f}× "
            f"| {run.verify.rate / run.health.rate:.2f}× |"
        )
    logged = [f"{run.database}: " + "; ".join(f"{k}: {n}" for k, n in run.log.items()) for run in runs if run.log]
    if logged:
        lines += ["", "Server log: " + " — ".join(logged) + "."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="requests per endpoint (default 3000)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()
    # A plain SIGTERM would skip the finally blocks: the servers orphaned, the database left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    runs = [bench_database(db, args.requests, args.connections) for db in ("sqlite", "postgresql")]
    lines = tables(runs)
    print()
    print("\n".join(lines))
    for run in runs:
        for name, phase in (("health", run.health), ("verify", run.verify)):
            if phase.samples:
                print(f"\nFirst errors, {run.database} {name}:")
                for sample in phase.samples:
                    print("  " + sample)

    if args.write:
        body = "\n".join(
            [
                f"{args.requests} requests per endpoint from {args.connections} concurrent connections against a "
                "running server (uvicorn `--workers 2 --proxy-headers`, log level info; the load generator shares "
                "the machine), after a warm-up. Each request carries its own X-Forwarded-For address, so the "
                "per-address lookup limit (60 a minute) is never reached and every verification does the full "
                "work, including its rate-limit counter upsert. The verified credential is one issued in set-up; "
                "its status is checked live. Ratios compare the two endpoints on the same server in the same run:",
                "",
                *lines,
            ]
        )
        write_section(
            "bench_registry",
            "Registry: verify by ID over HTTP",
            body,
            script="bench_registry.py",
            note=f", {os.cpu_count()} CPUs",
        )


if __name__ == "__main__":
    main()
