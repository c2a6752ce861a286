"""Shared by the benchmarks: a markdown table of figures, written into its own section of docs/PERFORMANCE.md."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path

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
