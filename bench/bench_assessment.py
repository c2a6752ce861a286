"""Benchmarks for the readiness assessment: scoring one attempt, and many candidates against a real server.

Two parts, each reported as ratios against a baseline measured in the same run (the machines are
noisy; absolute times are context only):

1. Scoring one attempt in the pure core: `build_profile` on a 25-item form drawn from the real practice
   bank (the same draw `services.assessments.start` makes) on the latest version of the default
   standard, against scoring the same 25 responses (`core.scoring.responses.score`) and against
   serialising the resulting profile (`json.dumps(profile_to_dict(...))`).
2. Concurrent candidates against a running server: the app factory under uvicorn in a subprocess, as
   `assay serve --no-jobs` runs it (one process, log level info), on a free port with a fresh data
   directory (SQLite; the schema upgraded and the default standard imported beforehand). Each
   candidate has its own cookie jar and walks the whole JSON API flow: CSRF token, start, self-ratings,
   25 answers, submit, report. Latency per request type (p50, p99), requests per second, and every
   non-2xx or failed response is counted (the first few bodies printed, with what the server logged).
   Baseline: the same number of clients, all at once, each sending as many GET /api/health requests
   (a database round trip) as a candidate sends in the flow; a static file the same way, for context.
   Each load phase has a deadline (--deadline): what is still in flight then is cancelled and counted
   as unfinished, so a server that stalls gives a report, not a hang.

Client and server share the machine, so the request rate is a floor, not the server's capacity.
Run: `.venv/bin/python -m bench.bench_assessment [--candidates 200] [--write]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assay.content import DEFAULT_STANDARD_DIR
from assay.core.items.blueprint import assemble, stratified_blueprint
from assay.core.items.model import Item, ItemKind, Pool
from assay.core.scoring.profile import Answered, build_profile, profile_to_dict
from assay.core.scoring.responses import score
from assay.core.standard.model import Version
from assay.db.migrate import upgrade
from assay.db.session import build_engine, session_factory, unit_of_work
from assay.services import assessments, standards
from assay.services.runtime import build_runtime
from assay.settings import Settings
from bench.report import best_of, write_section

ROOT = Path(__file__).resolve().parent.parent
CONFIDENCES = assessments.CONFIDENCE_CHOICES
FLOW = ("csrf", "start", "self-ratings", "answer", "submit", "report")


# --- 1. scoring one attempt, pure core ------------------------------------------------------------


def latest_version() -> Version:
    bank = assessments.bank()
    result = standards.validate(DEFAULT_STANDARD_DIR)
    assert result.standard is not None
    return next(v for v in result.standard.versions if v.version == bank.standard_version)


def choose(kind: str, option_ids: list[str]) -> list[str]:
    """A legal answer: the first option; both first ones for multiple response; every step for ordering."""
    if kind == ItemKind.ORDERING.value:
        return list(option_ids)
    if kind == ItemKind.MULTIPLE.value:
        return option_ids[:2]
    return option_ids[:1]


def answered_form(version: Version, seed: str) -> tuple[list[Item], list[list[str]], list[float]]:
    bank = assessments.bank()
    blueprint = stratified_blueprint([d.id for d in version.domains], total=assessments.FORM_LENGTH)
    form = assemble(
        blueprint,
        bank.by_domain(Pool.PRACTICE),
        seed=seed,
        standard=bank.standard,
        standard_version=bank.standard_version,
    )
    items = [bank.items[ref.partition("@")[0]] for ref in form.item_refs]
    choices = [choose(i.kind.value, [o.id for o in i.options]) for i in items]
    confidences = [CONFIDENCES[n % len(CONFIDENCES)] for n in range(len(items))]
    return items, choices, confidences


def bench_scoring(loops: int) -> list[tuple[str, float, str, float]]:
    version = latest_version()
    items, choices, confidences = answered_form(version, seed="bench-assessment")
    role = "integrator"
    target = assessments.role_targets()[role]["targets"]
    ratings = {d.id: n % 4 for n, d in enumerate(version.domains)}
    answered = [Answered(i, score(i, c), conf) for i, c, conf in zip(items, choices, confidences, strict=True)]
    profile = build_profile(answered, version=version, self_ratings=ratings, target_role=role, target=target)
    as_dict = profile_to_dict(profile)

    def profiles() -> None:
        for _ in range(loops):
            build_profile(answered, version=version, self_ratings=ratings, target_role=role, target=target)

    def responses() -> None:
        for _ in range(loops):
            for i, c in zip(items, choices, strict=True):
                score(i, c)

    def serialise() -> None:
        for _ in range(loops):
            json.dumps(as_dict, sort_keys=True)

    t_profile = best_of(5, profiles) / loops
    t_score = best_of(5, responses) / loops
    t_dumps = best_of(5, serialise) / loops
    n = len(items)
    return [
        (f"build_profile, {n} answered items", t_profile, f"score() the {n} responses", t_score),
        (f"build_profile, {n} answered items", t_profile, "json.dumps of the profile", t_dumps),
    ]


# --- 2. candidates against a running server -------------------------------------------------------


@dataclass
class Record:
    """Every finished request's latency by kind; non-2xx or failed ones also counted as errors."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unfinished: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # in flight at the deadline
    samples: list[str] = field(default_factory=list)
    completed: int = 0  # clients whose whole job succeeded
    wall: float = 0.0
    cut_off: bool = False

    @property
    def finished(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def sample(self, text: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(text)

    def add(self, kind: str, seconds: float, response: httpx.Response | None, problem: str = "") -> None:
        self.latencies[kind].append(seconds)
        if response is not None and response.is_success:
            return
        self.errors[kind] += 1
        self.sample(
            f"{kind}: " + (f"{response.status_code} {response.text[:300]}" if response is not None else problem)
        )


async def timed(record: Record, kind: str, client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> Any:
    """One request, recorded; its JSON body on success (an empty dict for a body that is not JSON)."""
    start = time.perf_counter()
    try:
        response = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        record.add(kind, time.perf_counter() - start, None, f"{type(exc).__name__}: {exc}")
        return None
    except asyncio.CancelledError:
        record.unfinished[kind] += 1
        raise
    record.add(kind, time.perf_counter() - start, response)
    if not response.is_success:
        return None
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else {}


async def candidate(n: int, client: httpx.AsyncClient, record: Record) -> bool:
    """One person's whole attempt. False if it could not go on (the error is recorded)."""
    csrf = await timed(record, "csrf", client, "GET", "/api/v1/csrf")
    if csrf is None:
        return False
    headers = {"X-CSRF-Token": csrf["csrf_token"]}
    started = await timed(record, "start", client, "POST", "/api/v1/assessments", headers=headers)
    if started is None:
        return False
    token, questions = started["token"], started["questions"]
    domains = sorted({q["id"].split("-")[0] for q in questions})
    ratings = {d: (n + k) % 4 for k, d in enumerate(domains)}
    path = f"/api/v1/assessments/{token}"
    ok = await timed(
        record, "self-ratings", client, "PUT", f"{path}/self-ratings", json={"ratings": ratings}, headers=headers
    )
    for k, q in enumerate(questions):
        body = {"choice": choose(q["kind"], [o["id"] for o in q["options"]]), "confidence": CONFIDENCES[k % 4]}
        saved = await timed(record, "answer", client, "PUT", f"{path}/answers/{q['id']}", json=body, headers=headers)
        ok = ok is not None and saved is not None
    if await timed(record, "submit", client, "POST", f"{path}/submit", headers=headers) is None:
        return False
    return await timed(record, "report", client, "GET", f"{path}/report") is not None and ok


def repeat(kind: str, path: str, count: int) -> Any:
    async def job(_n: int, client: httpx.AsyncClient, record: Record) -> bool:
        results = [await timed(record, kind, client, "GET", path) for _ in range(count)]
        return all(r is not None for r in results)

    return job


async def run_clients(base_url: str, clients: int, job: Any, deadline: float) -> Record:
    """`clients` clients at once, each with its own cookie jar, over one connection pool sized for all of
    them. Whatever is still in flight at the deadline is cancelled and counted as unfinished."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    transport = httpx.AsyncHTTPTransport(limits=limits)
    record = Record()
    try:
        pool = [httpx.AsyncClient(base_url=base_url, transport=transport, timeout=300.0) for _ in range(clients)]
        start = time.perf_counter()
        tasks = [asyncio.create_task(job(n, c, record)) for n, c in enumerate(pool)]
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        record.wall = time.perf_counter() - start
        record.cut_off = bool(pending)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                record.sample(f"client crashed: {task.exception()!r}")
            elif task.result():
                record.completed += 1
    finally:
        await transport.aclose()
    return record


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prepare(data_dir: Path) -> None:
    """A fresh SQLite database at the current schema with the default standard imported."""
    settings = Settings(data_dir=data_dir)
    url = settings.resolved_database_url
    upgrade(url)
    engine = build_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as db:
            standards.import_standard(db, build_runtime(settings))
    finally:
        engine.dispose()


def serve_command(port: int) -> list[str]:
    """The app factory under uvicorn, configured as `assay serve` runs it (log level info, proxy headers)."""
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
        "--log-level",
        "info",
        "--proxy-headers",
    ]


def wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path, limit: float) -> float:
    """Seconds until GET /api/health answers 200 (the server started, or got over a stall)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/api/health", timeout=5).is_success:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer GET /api/health within {limit:.0f} s:\n{log.read_text()[-3000:]}")


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


LOG_SIGNS = {
    "unhandled errors (500)": "unhandled error on ",
    "sqlite 'database is locked' (busy timeout expired)": "sqlite3.OperationalError: database is locked",
    "connection pool checkout timed out": "QueuePool limit of size",
}


def server_log_findings(log: Path) -> dict[str, int]:
    text = log.read_text(errors="replace")
    found = {label: text.count(sign) for label, sign in LOG_SIGNS.items()}
    return {label: n for label, n in found.items() if n}


@dataclass
class ServerRun:
    candidates: int
    per_candidate: int
    deadline: float
    phases: dict[str, Record]
    settle: dict[str, float]  # seconds the server took to answer /api/health again after each phase
    log: dict[str, int]


def bench_server(candidates: int, deadline: float) -> ServerRun:
    tmp = Path(tempfile.mkdtemp(prefix="assay-bench-assessment-"))
    log = tmp / "server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env.update(ASSAY_DATA_DIR=str(tmp), ASSAY_BASE_URL=base_url)
    server: subprocess.Popen[bytes] | None = None
    phases: dict[str, Record] = {}
    settle: dict[str, float] = {}
    findings: dict[str, int] = {}
    try:
        prepare(tmp)
        with log.open("wb") as out:
            server = subprocess.Popen(serve_command(port), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp)
        wait_until_healthy(base_url, server, log, 60)

        # Warm the server's caches (item bank, parsed standard version) with one sequential candidate.
        warm = asyncio.run(run_clients(base_url, 1, candidate, 60))
        if warm.completed != 1:
            raise RuntimeError("the warm-up candidate failed: " + "; ".join(warm.samples))
        per_candidate = warm.finished

        jobs = {
            "static": repeat("static", "/static/assay.css", per_candidate),
            "health": repeat("health", "/api/health", per_candidate),
            "flow": candidate,
        }
        for name, job in jobs.items():
            print(f"  {name}: {candidates} clients…", flush=True)
            phases[name] = asyncio.run(run_clients(base_url, candidates, job, deadline))
            settle[name] = wait_until_healthy(base_url, server, log, 180)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:  # uvicorn waits for requests stuck in worker threads
                server.kill()
                server.wait()
        if log.exists():
            findings = server_log_findings(log)
        shutil.rmtree(tmp, ignore_errors=True)
    return ServerRun(candidates, per_candidate, deadline, phases, settle, findings)


LABELS = {
    "static": "GET /static/assay.css (no database; context)",
    "health": "GET /api/health (baseline: a database round trip)",
    "csrf": "GET /api/v1/csrf",
    "start": "POST /api/v1/assessments (start: draw a form)",
    "self-ratings": "PUT …/self-ratings",
    "answer": "PUT …/answers/{item} (save an answer)",
    "submit": "POST …/submit (score and store)",
    "report": "GET …/report",
}


def server_table(run: ServerRun) -> list[str]:
    health = run.phases["health"].latencies["health"]
    base_p50 = statistics.median(health) if health else float("nan")
    lines = [
        "| request | finished | p50 | p99 | p50 vs /api/health p50 | non-2xx or failed | unfinished at deadline |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(label: str, values: list[float], errors: int, unfinished: int) -> str:
        if not values:
            return f"| {label} | 0 | – | – | – | {errors} | {unfinished} |"
        p50 = statistics.median(values)
        return (
            f"| {label} | {len(values)} | {p50 * 1000:.1f} ms | {percentile(values, 99) * 1000:.1f} ms "
            f"| {p50 / base_p50:.2f}× | {errors} | {unfinished} |"
        )

    for name in ("static", "health"):
        r = run.phases[name]
        lines.append(row(LABELS[name], r.latencies[name], r.errors[name], r.unfinished[name]))
    flow = run.phases["flow"]
    for kind in FLOW:
        lines.append(row(LABELS[kind], flow.latencies[kind], flow.errors[kind], flow.unfinished[kind]))
    every = [t for kind in FLOW for t in flow.latencies[kind]]
    lines.append(row("**every flow request**", every, sum(flow.errors.values()), sum(flow.unfinished.values())))
    return lines


def server_summary(run: ServerRun) -> list[str]:
    out = []
    for name, what in (("flow", "the whole flow"), ("health", "GET /api/health"), ("static", "the static file")):
        r = run.phases[name]
        rate = r.finished / r.wall if r.wall else float("nan")
        cut = f", **cut off at the {run.deadline:.0f} s deadline**" if r.cut_off else ""
        recovered = f"; /api/health answered again {run.settle[name]:.1f} s later" if run.settle[name] > 1 else ""
        out.append(
            f"- {what}: {r.finished} requests finished in {r.wall:.1f} s, {rate:.0f} requests/s; "
            f"{r.completed} of {run.candidates} clients done{cut}{recovered}."
        )
    flow, health = run.phases["flow"], run.phases["health"]
    if flow.wall and health.wall and health.finished:
        ratio = (flow.finished / flow.wall) / (health.finished / health.wall)
        out.append(f"- flow request rate {ratio:.2f}× the /api/health rate.")
    if run.log:
        out.append("- server log: " + "; ".join(f"{label}: {n}" for label, n in run.log.items()) + ".")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=200, help="simultaneous candidates (default 200)")
    parser.add_argument("--deadline", type=float, default=120, help="seconds allowed per load phase (default 120)")
    parser.add_argument("--loops", type=int, default=200, help="scorings per timing in part 1")
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()
    # A plain SIGTERM would skip the finally blocks: the server would be orphaned, the data left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    scoring = bench_scoring(args.loops)
    score_lines = [
        "| measure | per attempt | baseline | baseline per attempt | ratio |",
        "| --- | ---: | --- | ---: | ---: |",
        *(f"| {what} | {t * 1e6:.0f} µs | {base} | {b * 1e6:.0f} µs | {t / b:.2f}× |" for what, t, base, b in scoring),
    ]
    print("\n".join(score_lines), end="\n\n", flush=True)

    run = bench_server(args.candidates, args.deadline)
    table, summary = server_table(run), server_summary(run)
    print()
    print("\n".join(table))
    print()
    print("\n".join(summary))
    samples = [s for name in ("static", "health", "flow") for s in run.phases[name].samples]
    if samples:
        print("\nFirst errors:")
        for sample in samples[:8]:
            print("  " + sample)

    if args.write:
        body = "\n".join(
            [
                "Scoring one attempt (pure core, best of 5):",
                "",
                *score_lines,
                "",
                f"{run.candidates} simultaneous candidates, each with its own cookie jar, against a running server "
                f"(uvicorn, one process, as `assay serve --no-jobs`; SQLite; {run.per_candidate} requests per "
                "candidate; the load generator shares the machine). The baselines send the same number of requests "
                "from the same number of clients:",
                "",
                *table,
                "",
                *summary,
            ]
        )
        write_section(
            "bench_assessment",
            "Readiness assessment",
            body,
            script="bench_assessment.py",
            note=f", {os.cpu_count()} CPUs",
        )


if __name__ == "__main__":
    main()
