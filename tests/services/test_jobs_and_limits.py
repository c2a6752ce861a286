"""The job queue and the shared rate limiter, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assay.core.clock import FrozenClock
from assay.db.models import Job
from assay.services import jobs
from assay.services.ratelimit import DatabaseRateLimiter
from assay.services.runtime import Runtime

CALLS: list[dict[str, Any]] = []


@jobs.handler("test.record")
def _record(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    CALLS.append(dict(payload))


@jobs.handler("test.explode")
def _explode(db: Session, rt: Runtime, payload: Mapping[str, Any]) -> None:
    raise RuntimeError("boom")


def test_jobs_run_once_in_order(db: Session, rt: Runtime, sessions: sessionmaker[Session]) -> None:
    CALLS.clear()
    for i in range(3):
        jobs.enqueue(db, rt, kind="test.record", payload={"i": i})
    db.commit()
    summary = jobs.run_pending(sessions, rt, worker="w")
    assert summary.done == 3
    assert [c["i"] for c in CALLS] == [0, 1, 2]
    assert jobs.run_pending(sessions, rt, worker="w").done == 0


def test_delayed_jobs_wait_for_the_clock(
    db: Session, rt: Runtime, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    CALLS.clear()
    jobs.enqueue(db, rt, kind="test.record", payload={"later": True}, delay=timedelta(minutes=5))
    db.commit()
    assert jobs.run_pending(sessions, rt, worker="w").done == 0
    clock.advance(minutes=5)
    assert jobs.run_pending(sessions, rt, worker="w").done == 1


def test_failures_back_off_then_fail(
    db: Session, rt: Runtime, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    jobs.enqueue(db, rt, kind="test.explode", payload={}, max_attempts=2)
    db.commit()
    assert jobs.run_pending(sessions, rt, worker="w").retried == 1
    assert jobs.run_pending(sessions, rt, worker="w").retried == 0  # backing off
    clock.advance(minutes=1)
    assert jobs.run_pending(sessions, rt, worker="w").failed == 1
    with sessions() as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "failed"
        assert "boom" in (job.last_error or "")


def test_dedupe_key_queues_once(db: Session, rt: Runtime) -> None:
    assert jobs.enqueue(db, rt, kind="test.record", payload={}, dedupe_key="k1") is not None
    assert jobs.enqueue(db, rt, kind="test.record", payload={}, dedupe_key="k1") is None


def test_concurrent_workers_never_run_a_job_twice(db: Session, rt: Runtime, sessions: sessionmaker[Session]) -> None:
    CALLS.clear()
    for i in range(40):
        jobs.enqueue(db, rt, kind="test.record", payload={"i": i})
    db.commit()
    threads = [
        threading.Thread(target=jobs.run_pending, args=(sessions, rt), kwargs={"worker": f"w{n}"}) for n in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c["i"] for c in CALLS) == list(range(40))


def test_rate_limiter_counts_are_shared_between_connections(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    """Two sessions stand in for two worker processes: both see one counter."""
    limiter = DatabaseRateLimiter(clock)
    verdicts = []
    for _ in range(6):
        with sessions() as s, s.begin():
            verdicts.append(limiter.hit(s, "k", limit=5, window_seconds=60))
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert verdicts[-1].count == 6
    clock.advance(seconds=60)
    with sessions() as s, s.begin():
        assert limiter.hit(s, "k", limit=5, window_seconds=60).allowed
