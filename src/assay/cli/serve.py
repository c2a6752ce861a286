"""`assay serve`: the web app, with the job worker and housekeeping schedule running beside it."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
import uvicorn

from assay.cli.context import Env, console, env_of, err_console, friendly_errors
from assay.cli.jobs import tick
from assay.db.migrate import current_revision, head_revision
from assay.web.app import create_app

log = logging.getLogger(__name__)


class JobLoop(threading.Thread):
    """Polls the queue until stopped; a crash in one pass is logged and the loop goes on."""

    def __init__(self, env: Env) -> None:
        super().__init__(name="assay-jobs", daemon=True)
        self.env = env
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                tick(self.env)
            except Exception:
                log.exception("job loop pass failed")
            self.stopping.wait(self.env.settings.jobs_poll_seconds)


def run_server(env: Env, host: str, port: int, *, with_jobs: bool = True) -> None:
    if current_revision(env.engine) != head_revision():
        err_console.print("[red]The database schema is not current.[/red] Run `assay db upgrade` first.")
        raise typer.Exit(1)
    loop = JobLoop(env) if with_jobs else None
    if loop:
        loop.start()
    console.print(f"Assay is serving on http://{host}:{port}  (public base URL {env.settings.base_url})")
    try:
        uvicorn.run(
            create_app(env.settings, runtime=env.runtime), host=host, port=port, log_level="info", proxy_headers=True
        )
    finally:
        if loop:
            loop.stopping.set()
            loop.join(timeout=10)


@friendly_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    jobs: Annotated[bool, typer.Option("--jobs/--no-jobs", help="Run the job worker in this process.")] = True,
) -> None:
    """Serve the web app (and, unless --no-jobs, run background jobs)."""
    run_server(env_of(ctx), host, port, with_jobs=jobs)
