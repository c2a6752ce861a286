"""The job queue: enqueue in the caller's transaction; claim, run and settle each job in its own."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assay.core.ids import new_id
from assay.db.models import Job
from assay.services.runtime import Runtime

log = logging.getLogger(__name__)

JobHandler = Callable[[Session, Runtime, Mapping[str, Any]], None]

#: kind -> handler. Filled by assay.services.job_handlers; a job of unknown kind fails loudly.
HANDLERS: dict[str, JobHandler] = {}


def handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(fn: JobHandler) -> JobHandler:
        if kind in HANDLERS:
            raise ValueError(f"job kind {kind!r} registered twice")
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    db: Session,
    rt: Runtime,
    *,
    kind: str,
    payload: Mapping[str, Any],
    delay: timedelta = timedelta(0),
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> Job | None:
    """Queue a job. With a dedupe_key, a second enqueue of the same key is a no-op (returns None)."""
    now = rt.clock.now()
    if dedupe_key is not None and db.scalars(select(Job.id).where(Job.dedupe_key == dedupe_key)).first():
        return None
    job = Job(
        id=new_id(now),
        kind=kind,
        payload=json.dumps(dict(payload), sort_keys=True),
        status="queued",
        dedupe_key=dedupe_key,
        attempts=0,
        max_attempts=max_attempts,
        run_after=now + delay,
        created_at=now,
    )
    if dedupe_key is None:
        db.add(job)
        db.flush()
        return job
    try:
        with db.begin_nested():
            db.add(job)
    except IntegrityError:
        return None  # another process queued the same key first
    return job


def _claim(factory: sessionmaker[Session], rt: Runtime, worker: str) -> str | None:
    """Take the oldest due job. PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never wait on each other.
    SQLite: the transaction already holds the database write lock (BEGIN IMMEDIATE)."""
    with factory() as db, db.begin():
        now = rt.clock.now()
        stmt = select(Job).where(Job.status == "queued", Job.run_after <= now).order_by(Job.run_after, Job.id).limit(1)
        if db.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        job = db.scalars(stmt).first()
        if job is None:
            return None
        job.status = "running"
        job.locked_by = worker
        job.locked_at = now
        job.attempts += 1
        return job.id


@dataclass(frozen=True)
class RunSummary:
    done: int = 0
    failed: int = 0
    retried: int = 0


def run_one(factory: sessionmaker[Session], rt: Runtime, worker: str) -> str | None:
    """Run the next due job, if any. Returns 'done', 'retry', 'failed', or None when the queue is idle."""
    job_id = _claim(factory, rt, worker)
    if job_id is None:
        return None
    try:
        with factory() as db, db.begin():
            job = db.get_one(Job, job_id)
            fn = HANDLERS.get(job.kind)
            if fn is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            fn(db, rt, json.loads(job.payload))
            job.status = "done"
            job.finished_at = rt.clock.now()
            job.last_error = None
        return "done"
    except Exception as exc:  # noqa: BLE001 - a failing job must never take the worker down
        log.warning("job %s failed: %s", job_id, exc)
        return _settle_failure(factory, rt, job_id, exc)


def _settle_failure(factory: sessionmaker[Session], rt: Runtime, job_id: str, exc: Exception) -> str:
    with factory() as db, db.begin():
        job = db.get_one(Job, job_id)
        job.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        job.locked_by = None
        job.locked_at = None
        if job.attempts >= job.max_attempts:
            job.status = "failed"
            job.finished_at = rt.clock.now()
            return "failed"
        # Exponential backoff: 30 s, 1 min, 2 min, ...
        job.status = "queued"
        job.run_after = rt.clock.now() + timedelta(seconds=30 * 2 ** (job.attempts - 1))
        return "retry"


def run_pending(factory: sessionmaker[Session], rt: Runtime, *, worker: str, limit: int = 1000) -> RunSummary:
    """Drain due jobs (up to limit) and say what happened."""
    done = failed = retried = 0
    for _ in range(limit):
        outcome = run_one(factory, rt, worker)
        if outcome is None:
            break
        if outcome == "done":
            done += 1
        elif outcome == "failed":
            failed += 1
        else:
            retried += 1
    return RunSummary(done, failed, retried)


def requeue_stale(factory: sessionmaker[Session], rt: Runtime, *, older_than: timedelta) -> int:
    """Jobs left 'running' by a worker that died go back to the queue."""
    with factory() as db, db.begin():
        cutoff = rt.clock.now() - older_than
        result = db.execute(
            update(Job)
            .where(Job.status == "running", Job.locked_at < cutoff)
            .values(status="queued", locked_by=None, locked_at=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def counts(db: Session) -> dict[str, int]:
    rows = db.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    return {status: int(n) for status, n in rows}
