"""Rate limiting with state in the database, shared by every worker process.

A limiter counts inside the caller's unit of work, so callers whose failures must still count (a
wrong password) report the failure as a result and let the transaction commit, rather than raising.
(A separate connection would deadlock against the request's own write lock on SQLite.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assay.core.clock import Clock
from assay.db.models import RateLimitCounter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets


class RateLimiter(Protocol):
    def hit(self, db: Session, key: str, *, limit: int, window_seconds: int) -> Verdict:
        """Count one event for key; say whether it is within limit for the current window."""
        ...

    def peek(self, db: Session, key: str, *, limit: int, window_seconds: int) -> Verdict:
        """Say whether one more event would be allowed, without counting one."""
        ...

    def reset(self, db: Session, key: str) -> None: ...


def _window(now: datetime, window_seconds: int) -> tuple[datetime, datetime]:
    epoch = int(now.timestamp())
    start = epoch - epoch % window_seconds
    begin = datetime.fromtimestamp(start, UTC)
    return begin, begin + timedelta(seconds=window_seconds)


class DatabaseRateLimiter:
    """Fixed-window counters, upserted atomically (INSERT … ON CONFLICT DO UPDATE … RETURNING)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def hit(self, db: Session, key: str, *, limit: int, window_seconds: int) -> Verdict:
        now = self._clock.now()
        begin, end = _window(now, window_seconds)
        dialect = db.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = (
            insert(RateLimitCounter)
            .values(key=key, window_start=begin, count=1, expires_at=end)
            .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": RateLimitCounter.count + 1})
            .returning(RateLimitCounter.count)
        )
        count = int(db.execute(upsert).scalar_one())
        return Verdict(count <= limit, count, limit, max(1, int((end - now).total_seconds())))

    def peek(self, db: Session, key: str, *, limit: int, window_seconds: int) -> Verdict:
        now = self._clock.now()
        begin, end = _window(now, window_seconds)
        row = db.get(RateLimitCounter, (key, begin), populate_existing=True)
        count = row.count if row else 0
        return Verdict(count < limit, count, limit, max(1, int((end - now).total_seconds())))

    def reset(self, db: Session, key: str) -> None:
        db.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))

    def purge(self, db: Session) -> int:
        result = db.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at <= self._clock.now()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class MemoryRateLimiter:
    """The test fake: same windows, kept in a dict."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, datetime], int] = {}

    def hit(self, db: Session, key: str, *, limit: int, window_seconds: int) -> Verdict:
        now = self._clock.now()
        begin, end = _window(now, window_seconds)
        count = self._counts.get((key, begin), 0) + 1
        self._counts[(key, begin)] = count
        return Verdict(count <= limit, count, limit, max(1, int((end - now).total_seconds())))

    def peek(self, db: Session, key: str, *, limit: int, window_seconds: int) -> Verdict:
        now = self._clock.now()
        begin, end = _window(now, window_seconds)
        count = self._counts.get((key, begin), 0)
        return Verdict(count < limit, count, limit, max(1, int((end - now).total_seconds())))

    def reset(self, db: Session, key: str) -> None:
        for entry in [k for k in self._counts if k[0] == key]:
            del self._counts[entry]
