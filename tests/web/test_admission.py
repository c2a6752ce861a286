"""Admission control keeps in-flight requests below the worker threads, queues the rest in the event
loop, and answers 503 with Retry-After to a request that waits too long."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assay.web.admission import AdmissionControl


def _run(limit: int, wait: float, requests: int, hold: float) -> tuple[int, list[int]]:
    inside = peak = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(hold)
        inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def one(guarded: AdmissionControl) -> int:
        statuses: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        await guarded({"type": "http", "path": "/"}, receive, send)
        return statuses[0]

    async def main() -> list[int]:
        guarded = AdmissionControl(app, limit=limit, wait_seconds=wait)
        return list(await asyncio.gather(*(one(guarded) for _ in range(requests))))

    # A thread of its own: a browser test earlier in this worker may have left an event loop running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        statuses = pool.submit(lambda: asyncio.run(main())).result()
    return peak, statuses


def test_no_more_than_the_limit_run_at_once_and_the_rest_wait() -> None:
    peak, statuses = _run(limit=3, wait=5.0, requests=12, hold=0.01)
    assert peak == 3
    assert statuses == [200] * 12


def test_a_request_that_waits_too_long_gets_503() -> None:
    peak, statuses = _run(limit=1, wait=0.05, requests=3, hold=0.3)
    assert peak == 1
    assert statuses.count(200) == 1 and statuses.count(503) == 2
