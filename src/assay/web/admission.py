"""Admission control: a bounded number of requests inside the app at once; the rest wait in the event
loop, never in worker threads.

Why it matters: sync handlers and dependencies run in anyio's thread pool (40 threads by default). A
request that holds the database's write lock still needs a thread to finish (FastAPI validates the
response in the pool before the request's transaction commits). If every thread is taken by requests
waiting for that lock or for a pooled connection, nothing can move until timeouts fire: under load
the server stalls. Keeping in-flight requests below the thread count guarantees the lock holder a
thread. Requests that wait longer than `wait_seconds` get 503 with Retry-After, not a hang.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Receive, Scope, Send

#: Threads the pool keeps free beyond the admitted requests.
THREAD_HEADROOM = 8


class AdmissionControl:
    def __init__(self, app: ASGIApp, *, limit: int, wait_seconds: float) -> None:
        if limit < 1:
            raise ValueError("admission limit must be at least 1")
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self.wait_seconds)
        except TimeoutError:
            await _busy(send, self.wait_seconds)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()


async def _busy(send: Send, wait: float) -> None:
    body = json.dumps({"error": "Assay is busy right now. Try again in a few seconds."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(max(1, round(wait / 6))).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
