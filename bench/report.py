"""Shared by the benchmarks: timing the best of several runs, and writing figures into docs/PERFORMANCE.md."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """The fastest of several runs, in seconds: the least disturbed by a noisy machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def requests_to(client: Any, path: str, count: int) -> Callable[[], None]:
    """A callable that GETs `path` `count` times through a TestClient."""

    def run() -> None:
        for _ in range(count):
            client.get(path)

    return run


PERFORMANCE = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"


def write_section(key: str, title: str, body: str, *, script: str, note: str = "") -> None:
    """Replace (or append) the block between this benchmark's markers, stamped with date and machine."""
    text = PERFORMANCE.read_text() if PERFORMANCE.exists() else "# Performance\n"
    begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
    stamp = f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, Python {platform.python_version()}{note}, `bench/{script}`."
    block = f"{begin}\n{stamp}\n\n{body}\n{end}"
    if begin in text:
        text = text.split(begin)[0] + block + text.split(end)[1]
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n" + block + "\n"
    PERFORMANCE.write_text(text)
