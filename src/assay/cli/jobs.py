"""`assay jobs`: run queued background work (email, housekeeping, and later reports and status lists)."""

from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta
from typing import Annotated

import typer

from assay.cli.context import Env, console, env_of, friendly_errors
from assay.services import job_handlers, jobs, maintenance

app = typer.Typer(help="Background jobs.", no_args_is_help=True)

assert job_handlers  # imported for its side effect: every handler registers itself


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def tick(env: Env) -> jobs.RunSummary:
    """One pass: queue due housekeeping, recover abandoned jobs, drain the queue."""
    with env.unit_of_work() as db:
        maintenance.schedule(db, env.runtime)
    jobs.requeue_stale(env.sessions, env.runtime, older_than=timedelta(minutes=15))
    return jobs.run_pending(env.sessions, env.runtime, worker=worker_name())


@app.command("run")
@friendly_errors
def run(
    ctx: typer.Context,
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep polling until interrupted, instead of draining once.")
    ] = False,
) -> None:
    """Run due jobs once (default), or keep running them (--loop)."""
    env = env_of(ctx)
    stop = threading.Event()
    try:
        while True:
            summary = tick(env)
            if summary.done or summary.failed or summary.retried or not loop:
                console.print(f"jobs: {summary.done} done, {summary.retried} to retry, {summary.failed} failed")
            if not loop:
                return
            stop.wait(env.settings.jobs_poll_seconds)
    except KeyboardInterrupt:
        console.print("stopped")


@app.command("status")
@friendly_errors
def status(ctx: typer.Context) -> None:
    """Count jobs by state."""
    env = env_of(ctx)
    with env.unit_of_work() as db:
        counts = jobs.counts(db)
    console.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no jobs")
